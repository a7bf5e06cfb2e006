"""The participants of one session as a list model (label, user/group kind, guest flag)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

if TYPE_CHECKING:
    from skydesk.api import Participant

Index = QModelIndex | QPersistentModelIndex

ParticipantIdRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2  # "user" or "group": the UI picks the icon from it
IsGuestRole = Qt.ItemDataRole.UserRole + 3
ParticipantRole = Qt.ItemDataRole.UserRole + 4


class ParticipantListModel(QAbstractListModel):
    """Read-only list of Participant objects; labels come from an optional id -> name resolver."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[Participant] = []
        self.label_for: Callable[[str], str] = lambda pid: pid
        # The second part of a row: a user's job title, a group's member count ("" when unknown).
        self.detail_for: Callable[[str], str] = lambda pid: ""

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of participants."""
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Label, tooltip and the custom roles; never raises."""
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        p = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            label = self.label_for(p.id)
            label = f"{label} (guest)" if p.is_guest else label
            detail = self.detail_for(p.id)
            return f"{label} · {detail}" if detail else label
        if role == Qt.ItemDataRole.ToolTipRole:
            kind = "Group" if p.type == "group" else "User"
            return f"{self.label_for(p.id)}\n{kind} id: {p.id}" + (", guest" if p.is_guest else "")
        if role == ParticipantIdRole:
            return p.id
        if role == KindRole:
            return p.type
        if role == IsGuestRole:
            return p.is_guest
        if role == ParticipantRole:
            return p
        return None

    def set_participants(self, participants: Sequence[Participant]) -> None:
        """Replace the list (a reset: participant lists are short)."""
        if list(participants) == self._items:
            return
        self.beginResetModel()
        self._items = list(participants)
        self.endResetModel()

    def relabel(self) -> None:
        """Repaint the labels (names became known, or the signed-in user changed)."""
        if self._items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._items) - 1, 0))

    def participants(self) -> list[Participant]:
        """A copy of the shown participants."""
        return list(self._items)

    def row_of(self, participant_id: str) -> int:
        """Row of a participant id, or -1."""
        return next((i for i, p in enumerate(self._items) if p.id == participant_id), -1)
