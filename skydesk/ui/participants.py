"""The "Participants" pane and the Add participant dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from skydesk.models.participants import IsGuestRole, KindRole, ParticipantIdRole, ParticipantListModel
from skydesk.models.problems import Problem
from skydesk.ui.common import (
    above,
    bound_line,
    confirm,
    fit_title,
    form_label,
    name_widget,
    set_error_text,
    standard_icon,
)
from skydesk.ui.errors import ProblemBanner
from skydesk.ui.icons import participant_icon

PARTICIPANT_ID_MAX = 255


class ParticipantDelegate(QStyledItemDelegate):
    """Draws a user or group icon before each participant (the model says which kind it is)."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Add the kind's icon to the item; guests are shown in italics as well as by their label."""
        super().initStyleOption(option, index)
        kind = "group" if index.data(KindRole) == "group" else "user"
        color = option.palette.color(QPalette.ColorRole.Text).name()
        option.icon = participant_icon(kind, color)
        option.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
        if index.data(IsGuestRole):
            option.font.setItalic(True)


class ParticipantListView(QListView):
    """The participant list; Delete asks to remove the selected participant.

    Handled here rather than as a window shortcut: only while the list has focus, so that Delete in a
    text field keeps deleting characters.
    """

    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Turn Delete (and the platform's delete key sequence) into ``delete_pressed``."""
        if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Delete:
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class AddParticipantDialog(QDialog):
    """Ask for a participant's id, type and guest flag; OK is enabled only for a usable id."""

    def __init__(self, parent: QWidget | None = None, existing: set[str] | None = None) -> None:
        super().__init__(parent)
        self._existing = existing or set()
        self.id_edit = bound_line(QLineEdit(), above(PARTICIPANT_ID_MAX))
        self.type_combo = QComboBox()
        self.guest_check = QCheckBox("Guest")
        self.message = QLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._setup_ui()
        self._on_input_changed()

    def _setup_ui(self) -> None:
        self.setWindowTitle("Add participant")
        fit_title(self)  # the title was cut to "Add p… cipant" in a dialog sized to its form
        self.id_edit.setPlaceholderText("user or group id")
        self.type_combo.addItem("User", "user")
        self.type_combo.addItem("Group", "group")
        name_widget(self.guest_check, "Guest")
        self.guest_check.setToolTip("Guests take part in the session without belonging to the application")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Add")
        for button in self.buttons.buttons():
            name_widget(button, button.text())
        self.message.setAccessibleName("Participant error")
        self.message.hide()
        form = QFormLayout()
        form.addRow(form_label("&Id:", self.id_edit), self.id_edit)
        form.addRow(form_label("&Type:", self.type_combo), self.type_combo)
        form.addRow("", self.guest_check)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addWidget(self.buttons)
        self.id_edit.textChanged.connect(self._on_input_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def values(self) -> tuple[str, str, bool]:
        """``(id, type, is_guest)`` as entered."""
        return self.id_edit.text().strip(), str(self.type_combo.currentData()), self.guest_check.isChecked()

    def _on_input_changed(self, *_args: object) -> None:
        pid = self.id_edit.text().strip()
        message = None
        if len(pid) > PARTICIPANT_ID_MAX:
            message = f"The id is {len(pid)} characters long; the limit is {PARTICIPANT_ID_MAX}"
        elif pid in self._existing:
            message = f"{pid} already takes part in this session"
        set_error_text(self.message, message)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(pid) and message is None)


class ParticipantsPane(QWidget):
    """Lists the selected session's participants; Add and Remove (with confirmation) go to the controller."""

    add_requested = Signal(str, str, bool)  # id, type, is_guest
    remove_requested = Signal(str)  # participant id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list_view = ParticipantListView()
        self.add_button = QPushButton("Add participant…")
        self.remove_button = QPushButton("Remove")
        self.message = ProblemBanner("Participants message")
        self.model: ParticipantListModel | None = None
        self.dialog: Any = None  # the open Add participant dialog
        # Builds that dialog (parent, ids already taking part); the window swaps in the people picker.
        self.dialog_factory: Callable[[QWidget, set[str]], Any] = AddParticipantDialog
        # Whether an id is the signed-in user (or a group they are in): removing it may cost their access.
        self.is_me: Callable[[str], bool] = lambda _pid: False
        self.confirm_box: Any = None
        self._editable = False
        self._not_allowed = ""  # why the user's role does not allow changes here ("" = it does)
        self._setup_ui()

    def _setup_ui(self) -> None:
        self.setAccessibleName("Participants")
        self.list_view.setAccessibleName("Participant list")
        self.list_view.setItemDelegate(ParticipantDelegate(self.list_view))
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list_view.setUniformItemSizes(True)
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.add_button.setIcon(standard_icon(self, QStyle.StandardPixmap.SP_FileDialogNewFolder))
        self.remove_button.setIcon(standard_icon(self, QStyle.StandardPixmap.SP_TrashIcon))
        for button in (self.add_button, self.remove_button):
            name_widget(button, button.text())
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.list_view, 1)
        column.addWidget(self.message)
        column.addLayout(buttons)
        self.list_view.delete_pressed.connect(self._on_remove_clicked)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self._update_buttons()

    def set_model(self, model: ParticipantListModel) -> None:
        """Show the controller's participant model."""
        self.model = model
        self.list_view.setModel(model)
        self.list_view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        model.modelReset.connect(self._on_selection_changed)
        self._update_buttons()

    def set_editable(self, editable: bool, not_allowed: str = "") -> None:
        """Allow changes only for an open session the user has selected and may change (else why not)."""
        self._editable = editable and not not_allowed
        self._not_allowed = not_allowed if editable else ""
        self._update_buttons()

    def show_message(self, message: str | None) -> None:
        """A notice (or nothing) under the list."""
        self.message.show_text(message)

    def show_banner(self, problem: Problem | None) -> None:
        """A problem of this pane under the list, with its action (the presenter calls this)."""
        self.message.show_problem(problem)

    def show_field_problem(self, _field: str, _problem: Problem | None) -> bool:
        """The pane has no fields of its own: its problems go to the banner."""
        return False

    def selected_id(self) -> str:
        """The selected participant's id, or ""."""
        index = self.list_view.currentIndex()
        if not index.isValid() or not self.list_view.selectionModel().isSelected(index):
            return ""
        return str(index.data(ParticipantIdRole) or "")

    # ------------------------------------------------------------------ slots

    def _on_add_clicked(self) -> None:
        if not self._editable:
            return
        existing = {p.id for p in self.model.participants()} if self.model is not None else set()
        self.dialog = self.dialog_factory(self, existing)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.accepted.connect(self._on_dialog_accepted)
        self.dialog.open()

    def _on_dialog_accepted(self) -> None:
        if self.dialog is None:
            return
        pid, kind, guest = self.dialog.values()
        self.dialog = None
        self.show_message(None)
        self.add_requested.emit(pid, kind, guest)

    def _on_remove_clicked(self) -> None:
        pid = self.selected_id()
        if not pid or not self._editable:
            return
        label = str(self.list_view.currentIndex().data(Qt.ItemDataRole.DisplayRole) or pid)
        if self.is_me(pid):
            title, button = "Remove yourself", "Remove myself"
            text = (
                "Remove yourself from this session?\n\nYou may lose access to it: unless one of your roles "
                "lets you see every session, it leaves your list and you cannot open it again."
            )
        else:
            title, button, text = "Remove participant", "Remove", f"Remove {label} from this session?"
        self.confirm_box = confirm(self, title, text, button, lambda: self._on_remove_confirmed(pid))

    def _on_remove_confirmed(self, pid: str) -> None:
        self.show_message(None)
        self.remove_requested.emit(pid)

    def _on_selection_changed(self, *_args: object) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(self._editable)
        self.remove_button.setEnabled(self._editable and bool(self.selected_id()))
        for button in (self.add_button, self.remove_button):
            button.setToolTip(self._not_allowed)
