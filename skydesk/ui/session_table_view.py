"""The session table's view: changes to rows out of sight do not repaint what is shown."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QRect, QTimer
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QStyle, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
#: While pages arrive one after another, the scroll bar is repainted at most this often. Its range grows with
#: every page, and its repaint was the table's largest cost per page (B3 profile: Fusion's gradient groove,
#: filled by Qt's thread pool in strips, ~1 ms of the GUI thread on a loaded machine).
SCROLL_BAR_PAINT_MS = 100


class SessionTableView(QTableView):
    """A QTableView whose item layout after rows changed out of sight only updates the scroll bars.

    Every change of the row count makes QAbstractItemView lay the items out again and repaint the whole
    viewport. Paging appends 200 rows below the visible ones, so each page repainted an unchanged screen
    (benchmark B3: a full repaint costs ~7 ms of CPU with 20 rows shown). A change that reaches a shown
    row, or anything else that lays the items out (a reset, a new model, a resize), repaints as before.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hidden_changes_only: bool | None = None  # None: no row change since the last layout
        self._bar_timer = QTimer(self)
        self._bar_timer.setSingleShot(True)
        self._bar_timer.setInterval(SCROLL_BAR_PAINT_MS)
        self._bar_timer.timeout.connect(self._on_bar_timer_timeout)
        self._opaque_scroll_bars()

    def _opaque_scroll_bars(self) -> None:
        # The scroll bar is repainted each page (its range grew). Its container is not opaque, so Qt
        # painted the frame, the pane, the group box, the splitter and the window behind it first (B3
        # profile). The container fills itself with the same window colour instead. Not for overlay
        # (transient) scroll bars, which lie over the rows and must let them show through.
        for bar in (self.verticalScrollBar(), self.horizontalScrollBar()):
            container = bar.parentWidget()
            transient = bar.style().styleHint(QStyle.StyleHint.SH_ScrollBar_Transient, None, bar)
            if container is not None and container is not self and not transient:
                container.setAutoFillBackground(True)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        """Show ``model``, watching its row changes to tell those out of sight from the rest."""
        old = self.model()
        if old is not None:
            for signal in (old.rowsInserted, old.rowsRemoved):
                signal.disconnect(self._on_model_rows_changed)
        super().setModel(model)
        if model is not None:
            # Connected after the view's own slots, so the vertical header already counts the new rows.
            model.rowsInserted.connect(self._on_model_rows_changed)
            model.rowsRemoved.connect(self._on_model_rows_changed)
        self._hidden_changes_only = None

    def _on_model_rows_changed(self, parent: Index, first: int, _last: int) -> None:
        last_shown = self.rowAt(self.viewport().height() - 1)
        hidden = not parent.isValid() and 0 <= last_shown < first
        self._hidden_changes_only = hidden and self._hidden_changes_only is not False

    def dataChanged(
        self,
        top_left: Index,
        bottom_right: Index,
        roles: Sequence[int] = (),
    ) -> None:
        """Repaint the shown rows between ``top_left`` and ``bottom_right`` (nothing if none is shown)."""
        rows = self._shown_rows(top_left, bottom_right)
        if rows is None or QAccessible.isActive():  # assistive tools are told of every change
            super().dataChanged(top_left, bottom_right, list(roles))
            return
        first, last = rows
        if first > last or not self.isVisible():
            return  # no shown row changed; rows are painted from the model when they scroll in
        top = self.rowViewportPosition(first)
        bottom = self.rowViewportPosition(last) + self.rowHeight(last)
        viewport = self.viewport()
        viewport.update(QRect(0, top, viewport.width(), bottom - top))

    def _shown_rows(self, top_left: Index, bottom_right: Index) -> tuple[int, int] | None:
        """The shown rows of a top-level range (first > last when none), or None to leave it to Qt."""
        if not top_left.isValid() or not bottom_right.isValid() or top_left.parent().isValid():
            return None
        model, header = self.model(), self.verticalHeader()
        if model is None or header.sectionsMoved() or header.sectionsHidden():
            return None  # shown rows may not be one run of model rows: Qt's way
        shown_first = self.rowAt(0)
        if shown_first < 0:
            return None  # no row at the top of the viewport (empty, or laid out yet): Qt's way
        shown_last = self.rowAt(self.viewport().height() - 1)
        if shown_last < 0:  # the rows end above the viewport's bottom
            shown_last = model.rowCount() - 1
        return max(top_left.row(), shown_first), min(bottom_right.row(), shown_last)

    def doItemsLayout(self) -> None:
        """Lay the items out; after row changes that were all out of sight, only the scroll bars move."""
        hidden_only, self._hidden_changes_only = self._hidden_changes_only, None
        if hidden_only and self.isVisible():
            bar = self.verticalScrollBar()
            if self._bar_timer.isActive() and not bar.isSliderDown():  # a dragged handle follows the mouse
                bar.setUpdatesEnabled(False)  # painted when the timer fires, with the range it has then
            else:
                self._bar_timer.start()  # this change is painted now; the next ones wait for the timer
            self.updateGeometries()
            header = self.verticalHeader()
            if not header.updatesEnabled():  # QTableView turns them off while rows are removed
                header.setUpdatesEnabled(True)
            return
        super().doItemsLayout()

    def _on_bar_timer_timeout(self) -> None:
        bar = self.verticalScrollBar()
        if not bar.updatesEnabled():
            bar.setUpdatesEnabled(True)  # one repaint for the pages that came meanwhile
            self._bar_timer.start()  # still paging: keep to one repaint per interval
