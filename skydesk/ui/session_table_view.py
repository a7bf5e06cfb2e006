"""The session table's view: rows added or taken away below what is shown do not repaint what is shown."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QTimer
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
