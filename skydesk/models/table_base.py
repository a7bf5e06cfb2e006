"""Fixed column titles for the app's table and tree models, written once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class FixedColumns:
    """Mixin for a Qt item model whose columns are the titles in ``HEADERS``.

    Put it before the Qt base class (``class M(FixedColumns, QAbstractTableModel)``). A flat table has no
    columns under a valid parent; a tree (``TREE = True``) has the same columns at every level.
    """

    HEADERS: tuple[str, ...] = ()
    TREE = False

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """The number of titles (none under a row of a flat table)."""
        return 0 if parent.isValid() and not self.TREE else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None
