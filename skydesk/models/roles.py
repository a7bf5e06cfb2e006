"""The application's roles as a read-only table: name, description, permissions, holders, and yours."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from skydesk.models.people import PeopleDirectory
from skydesk.models.permissions import Permissions, Rights
from skydesk.models.table_base import FixedColumns

Index = QModelIndex | QPersistentModelIndex

COL_ROLE, COL_DESCRIPTION, COL_PERMISSIONS, COL_HOLDERS, COL_YOURS = range(5)
HEADERS = ("Role", "Description", "Permissions", "Participants", "Applies to you")
HolderIdsRole = Qt.ItemDataRole.UserRole + 1


class RolesTableModel(FixedColumns, QAbstractTableModel):
    """One row per role of the current application; holders are named by the people directory."""

    HEADERS = HEADERS

    def __init__(
        self, permissions: Permissions, directory: PeopleDirectory, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._permissions = permissions
        self._directory = directory
        self._rights: Rights | None = None
        permissions.changed.connect(self._on_permissions_changed)
        directory.changed.connect(self._on_directory_changed)
        self._on_permissions_changed()

    @property
    def known(self) -> bool:
        """False when the roles could not be read (no role:read): the table is empty then."""
        return self._rights is not None and self._rights.known

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of roles."""
        return 0 if parent.isValid() or self._rights is None else len(self._rights.roles)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, tooltips (ids of the holders) and the holder ids; never raises, never waits."""
        rights = self._rights
        if rights is None or not index.isValid() or not 0 <= index.row() < len(rights.roles):
            return None
        item = rights.roles[index.row()]
        col = index.column()
        holders = [p.id for p in item.participants]
        if role == HolderIdsRole:
            return holders
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_ROLE:
                return item.name
            if col == COL_DESCRIPTION:
                return item.description
            if col == COL_PERMISSIONS:
                return ", ".join(item.permissions)
            if col == COL_HOLDERS:
                return ", ".join(self._holder_label(rights, pid) for pid in holders)
            if col == COL_YOURS:
                return self._yours(rights, holders, item.name)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_HOLDERS:
            return "\n".join(f"{self._holder_label(rights, pid)}: {pid}" for pid in holders)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_PERMISSIONS:
            return "\n".join(item.permissions)
        return None

    def _holder_label(self, rights: Rights, pid: str) -> str:
        label = self._directory.label(pid)
        return f"{label} (you)" if pid == rights.user_id else label

    def _yours(self, rights: Rights, holders: list[str], name: str) -> str:
        if name in rights.my_roles:
            if rights.user_id in holders:
                return "Yes"
            via = [self._directory.label(g) for g in holders if g in rights.identities]
            return f"Yes, through {', '.join(via)}"
        if set(holders) & rights.unsure_groups:
            return "Perhaps, through a group whose members are unknown"
        return "No"

    def _on_permissions_changed(self) -> None:
        self.beginResetModel()
        self._rights = self._permissions.rights
        self.endResetModel()

    def _on_directory_changed(self, _ids: list[str]) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0, COL_HOLDERS), self.index(self.rowCount() - 1, COL_YOURS))
