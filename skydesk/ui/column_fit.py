"""Keeps a table's Name column readable: it stretches, and never gets less than a share of the width."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView

NAME_SHARE = 0.3  # of the visible width, at the least


class NameColumnFitter(QObject):
    """Stretches ``column`` into the free width; when the other columns leave it less than ``share``, they
    give up width in proportion (down to ``min_width`` each), and only then does the table scroll sideways.
    """

    def __init__(self, table: QTableView, column: int, min_width: int, share: float = NAME_SHARE) -> None:
        super().__init__(table)
        self._table = table
        self._column = column
        self._min_width = min_width
        self._share = share
        self._preferred: dict[int, int] = {}  # what each other column would like (set up or by the user)
        self._fitting = False
        table.viewport().installEventFilter(self)
        header = table.horizontalHeader()
        header.sectionResized.connect(self._on_header_section_resized)

    def remember_widths(self) -> None:
        """Take the columns' current widths as what they would like (after the model set them up)."""
        header = self._table.horizontalHeader()
        self._preferred = {c: header.sectionSize(c) for c in range(header.count()) if c != self._column}
        self.fit()

    def fit(self) -> None:
        """Share the width out again (on a resize, a column shown or hidden)."""
        header = self._table.horizontalHeader()
        width = self._table.viewport().width()
        if width <= 0 or header.count() == 0:
            return
        others = [c for c in range(header.count()) if c != self._column and not header.isSectionHidden(c)]
        wanted = {c: self._preferred.get(c, header.sectionSize(c)) for c in others}
        budget = int(width * (1 - self._share))
        total = sum(wanted.values())
        if total > budget and total > 0:
            scale = budget / total
            wanted = {c: max(self._min_width, int(w * scale)) for c, w in wanted.items()}
        self._fitting = True
        try:
            for c, w in wanted.items():
                header.resizeSection(c, w)
            if sum(wanted.values()) <= budget:
                header.setSectionResizeMode(self._column, QHeaderView.ResizeMode.Stretch)
            else:  # even at their narrowest the others need more: keep the name's share and scroll
                header.setSectionResizeMode(self._column, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(self._column, int(width * self._share))
        finally:
            self._fitting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Refit when the table's visible area changes size."""
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.fit()
        return False

    def _on_header_section_resized(self, column: int, _old: int, new: int) -> None:
        if self._fitting or column == self._column:
            return
        self._preferred[column] = new  # the user dragged it: that is what they want from now on
