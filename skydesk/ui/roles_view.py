"""A read-only view of the current application's roles, and which of them apply to the signed-in user."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from skydesk.models.permissions import Permissions
from skydesk.models.roles import COL_DESCRIPTION, COL_HOLDERS, HolderIdsRole, RolesTableModel
from skydesk.ui.common import name_widget
from skydesk.ui.copy_actions import copy_action


class RolesDialog(QDialog):
    """The roles table (name, description, permissions, participants by name, yours) over RolesTableModel."""

    def __init__(
        self, model: RolesTableModel, permissions: Permissions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.model = model
        self._permissions = permissions
        self.summary = QLabel()
        self.table = QTableView()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self._setup_ui()
        permissions.changed.connect(self._on_permissions_changed)
        self._on_permissions_changed()

    def _setup_ui(self) -> None:
        self.setWindowTitle("Roles")
        self.summary.setAccessibleName("Your rights")
        self.summary.setWordWrap(True)
        self.table.setAccessibleName("Roles")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for col in (COL_DESCRIPTION, COL_HOLDERS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        for button in self.buttons.buttons():
            name_widget(button, button.text())
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addWidget(self.table, 1)
        column.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)
        self.copy_ids_action = copy_action(self.table, "Copy participant ids", self._selected_holder_ids)
        self.resize(860, 320)

    def _selected_holder_ids(self) -> str:
        ids = self.table.currentIndex().data(HolderIdsRole) if self.table.currentIndex().isValid() else None
        return "\n".join(ids or ())

    def _on_permissions_changed(self) -> None:
        rights = self._permissions.rights
        name = self._permissions.application_name
        if rights is None:
            text = "Choose an application to see its roles."
        elif not rights.known:
            text = (
                f"The roles of {name} cannot be read with your rights (role:read), so the app tries each "
                "action and the server decides."
            )
        else:
            yours = ", ".join(sorted(rights.my_roles)) or "none"
            text = f"Your roles in {name}: {yours}."
        self.setWindowTitle(f"Roles of {name}" if name else "Roles")
        self.summary.setText(text)
