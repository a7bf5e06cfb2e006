"""The "Sessions" pane: filter bar, the server-sorted session table and the total count."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from skydesk.models.problems import Problem
from skydesk.models.session_columns import (
    COL_CREATED,
    COL_MODIFIED,
    COL_NAME,
    COL_PARTICIPANTS,
    COL_STATUS,
    SORTABLE_COLUMNS,
)
from skydesk.models.session_table import (
    SessionIdRole,
    SessionTableModel,
)
from skydesk.ui.column_fit import NameColumnFitter
from skydesk.ui.errors import ProblemBanner
from skydesk.ui.filter_bar import FilterBar
from skydesk.ui.session_table_view import SessionTableView

#: Shown until the user chooses otherwise (header context menu): what fits beside the detail pane in a
#: 1280-px-wide window. The rest is one right-click away.
DEFAULT_HIDDEN_COLUMNS = ("Created", "orderId", "assetId")
#: While pages arrive, "400 of 20000 sessions loaded" changes at most this often: each new text lays out the
#: whole window again (a label's size hint may change) and repaints the label, once per page (B3 profile).
PROGRESS_TEXT_MS = 100


class SessionListPane(QWidget):
    """Browse sessions: filters on top, the table in the middle, the count below."""

    session_selected = Signal(str)  # session id, "" when the selection is cleared

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter_bar = FilterBar()
        self.banner = ProblemBanner("List message")
        self.table: QTableView = SessionTableView()
        self.count_label = QLabel()
        self._model: SessionTableModel | None = None
        self._pending_select: str | None = None
        # The row selected when the model was reset (a reload), put back quietly when it returns: it is
        # not a new choice, so it must not open the session again or ask about unsaved edits again.
        self._reselect: str | None = None
        self._quiet = False
        self._hidden: set[str] = set(DEFAULT_HIDDEN_COLUMNS)
        self.column_menu: QMenu | None = None
        self.column_fitter: NameColumnFitter | None = None
        # Spans are changed after the model's signal has been handled by the view too: changing them
        # from inside rowsInserted/rowsRemoved leaves QTableView with spans past the last row.
        self._span_timer = QTimer(self)
        self._span_timer.setSingleShot(True)
        self._span_timer.setInterval(0)
        self._span_timer.timeout.connect(self._on_span_timer_timeout)
        self._spanned = False  # a span may be set (on the state row)
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(PROGRESS_TEXT_MS)
        self._count_timer.timeout.connect(self._on_count_timer_timeout)
        self._pending_count = ""  # progress words held back by the timer
        self._setup_ui()

    def _setup_ui(self) -> None:
        self.setAccessibleName("Sessions")
        self.table.setAccessibleName("Session list")
        self.table.setObjectName("sessionTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Tab leaves the list for the next pane (arrows move between rows); Qt's default walks every cell.
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.sectionClicked.connect(self._on_header_section_clicked)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_context_menu_requested)
        header.setToolTip("Click to sort by name, created or modified; right-click to choose the columns")
        self.count_label.setAccessibleName("Session count")
        # Opaque, so its new words each page do not repaint the group box frame behind it (B3 profile).
        self.count_label.setAutoFillBackground(True)

        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.count_label)
        bottom.addWidget(self.filter_bar.clear)  # beside the count it explains, not widening the bar
        bottom.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.filter_bar)
        column.addWidget(self.banner)
        column.addWidget(self.table, 1)
        column.addLayout(bottom)

    # ------------------------------------------------------------------ model

    def set_model(self, model: SessionTableModel) -> None:
        """Show ``model`` (the controller's SessionTableModel) and follow its count and rows."""
        self._model = model
        self.table.setModel(model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The name takes whatever width the other columns leave, so nothing runs off to the right.
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        metrics = self.fontMetrics()
        em = metrics.horizontalAdvance("M")
        pad = em * 2  # cell margins and the sort arrow
        date = metrics.horizontalAdvance("2026-12-31 23:59") + pad
        widths = {
            COL_STATUS: metrics.horizontalAdvance("Closed") + pad,
            COL_PARTICIPANTS: em * 8,
            COL_CREATED: date,
            COL_MODIFIED: date,
        }
        for col in range(model.columnCount()):
            header.resizeSection(col, widths.get(col, em * 8))
        header.setMinimumSectionSize(em * 3)
        self.column_fitter = NameColumnFitter(self.table, COL_NAME, min_width=em * 4)
        self.column_fitter.remember_widths()
        self._apply_hidden_columns()
        model.modelReset.connect(self._apply_hidden_columns)  # property columns may change
        self.table.selectionModel().currentRowChanged.connect(self._on_selection_current_row_changed)
        model.totalChanged.connect(self._on_model_changed)
        model.stateChanged.connect(self._on_model_changed)
        model.rowsInserted.connect(self._on_model_changed)
        model.rowsRemoved.connect(self._on_model_changed)
        model.modelAboutToBeReset.connect(self._on_model_about_to_be_reset)
        model.modelReset.connect(self._on_model_changed)
        self._on_model_changed()

    def show_banner(self, problem: Problem | None) -> None:
        """Why the list may be out of date, with Retry (the presenter calls this); None hides it."""
        self.banner.show_problem(problem)

    def show_field_problem(self, _field: str, _problem: Problem | None) -> bool:
        """The list has no fields: its problems go to the banner."""
        return False

    def selected_session_id(self) -> str:
        """The id of the selected session, or ""."""
        index = self.table.currentIndex()
        if not index.isValid():
            return ""
        return str(index.siblingAtColumn(COL_NAME).data(SessionIdRole) or "")

    def select_session(self, session_id: str) -> bool:
        """Select the row of ``session_id``; if it is not loaded yet, select it as soon as it appears."""
        model = self._model
        row = model.row_of(session_id) if model is not None else -1
        if model is None or row < 0:
            self._pending_select = session_id
            return False
        self._pending_select = None
        self._select_row(row)
        return True

    def _select_row(self, row: int) -> None:
        assert self._model is not None
        index = self._model.index(row, COL_NAME)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def hidden_columns(self) -> list[str]:
        """Titles of the columns the user does not see (saved in the settings)."""
        return sorted(self._hidden)

    def set_hidden_columns(self, titles: Iterable[str] | None) -> None:
        """Hide these columns (None = the defaults); the name column is always shown."""
        self._hidden = set(DEFAULT_HIDDEN_COLUMNS if titles is None else titles)
        self._apply_hidden_columns()

    def set_column_visible(self, title: str, visible: bool) -> None:
        """Show or hide one column by its title (what the header menu does)."""
        if visible:
            self._hidden.discard(title)
        else:
            self._hidden.add(title)
        self._apply_hidden_columns()

    def _titles(self) -> list[str]:
        model = self._model
        if model is None:
            return []
        return [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]

    def _apply_hidden_columns(self) -> None:
        header = self.table.horizontalHeader()
        for col, title in enumerate(self._titles()):
            header.setSectionHidden(col, col != COL_NAME and title in self._hidden)
        if self.column_fitter is not None:
            self.column_fitter.fit()

    def fill_column_menu(self, menu: QMenu) -> None:
        """Add one checkable entry per column (the header's menu and View > Columns)."""
        header = self.table.horizontalHeader()
        menu.clear()
        for col, title in enumerate(self._titles()):
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(col))
            action.setEnabled(col != COL_NAME)
            action.toggled.connect(lambda on, t=title: self.set_column_visible(t, on))

    def clear_selection(self) -> None:
        """Select nothing (the detail pane keeps what it shows)."""
        self._pending_select = self._reselect = None
        self.table.selectionModel().clearCurrentIndex()
        self.table.clearSelection()

    def apply_sort_indicator(self, sort: str | None) -> None:
        """Show the header arrow for a restored sort order."""
        header = self.table.horizontalHeader()
        key = (sort or "").lstrip("-")
        column = next((col for col, name in SORTABLE_COLUMNS.items() if name == key), -1)
        order = Qt.SortOrder.DescendingOrder if sort and sort.startswith("-") else Qt.SortOrder.AscendingOrder
        header.setSortIndicator(column, order)

    # ------------------------------------------------------------------ slots

    def _on_header_section_clicked(self, column: int) -> None:
        current = self.filter_bar.sort
        key = SORTABLE_COLUMNS.get(column)
        if key is None:
            # Only name and the dates sort on the server; leave the arrow where it was.
            self.apply_sort_indicator(current)
            self.table.horizontalHeader().setToolTip("Sorting is available by name, created and modified")
            return
        sort = f"-{key}" if current == key else key
        self.apply_sort_indicator(sort)
        self.filter_bar.set_sort(sort)

    def _on_header_context_menu_requested(self, pos: QPoint) -> None:
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        menu.setAccessibleName("Columns")
        self.fill_column_menu(menu)
        self.column_menu = menu
        menu.popup(header.mapToGlobal(pos))

    def _on_selection_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        session_id = (
            str(current.siblingAtColumn(COL_NAME).data(SessionIdRole) or "") if current.isValid() else ""
        )
        if self._quiet:
            return
        if session_id:
            self._reselect = None  # chosen since the reload: the old selection does not come back
        self.session_selected.emit(session_id)

    def _on_model_about_to_be_reset(self) -> None:
        # A reload (F5, a resync after lost events, new filters) empties the table: select the same
        # session again when its row comes back, so the list and the detail pane keep agreeing.
        selected = self.selected_session_id()
        if selected:
            self._reselect = selected

    def _on_model_changed(self, *_args: object) -> None:
        model = self._model
        if model is None:
            return
        loaded = model.session_count()  # three times a page: a copy of 20,000 rows each time showed up
        self._span_timer.start()
        total = model.total
        noun = "session" if total == 1 else "sessions"
        if model.state == "loading" and not loaded:
            text = "Loading…"
        elif model.state == "error" and not loaded:
            text = "Sessions not loaded"
        elif model.unfiltered_total is not None:
            every = model.unfiltered_total
            text = f"{total} of {every} sessions (filtered)"
            if loaded < total:
                text = f"{loaded} of {total} matching sessions loaded ({every} in all)"
        elif loaded >= total:
            text = f"{total} {noun}"
        else:
            text = f"{loaded} of {total} {noun} loaded"
        self._show_count(text, progress=0 < loaded < total)
        if self._reselect and (row := model.row_of(self._reselect)) >= 0:
            self._reselect, self._quiet = None, True
            try:
                self._select_row(row)
            finally:
                self._quiet = False
        if self._pending_select:
            self.select_session(self._pending_select)

    def _show_count(self, text: str, *, progress: bool) -> None:
        # Words that only say how far paging got wait for the timer; any other words show at once.
        if progress and self._count_timer.isActive():
            self._pending_count = text
            return
        self._pending_count = ""
        self.count_label.setText(text)
        if progress:
            self._count_timer.start()

    def _on_count_timer_timeout(self) -> None:
        if self._pending_count:
            self.count_label.setText(self._pending_count)
            self._pending_count = ""
            self._count_timer.start()

    def _on_span_timer_timeout(self) -> None:
        # The state row ("Loading more sessions…", an error, "No sessions match…") spans the whole
        # width so its words are never cut off by the first column. Spans are only touched when that
        # changes: clearSpans() repaints the whole table, and this ran after every page (B3 profile).
        model = self._model
        row = model.state_row() if model is not None and model.columnCount() >= 2 else -1
        if row >= 0 and model is not None and self.table.columnSpan(row, 0) == model.columnCount():
            return  # already spanned (a span moves with its row when rows are inserted above it)
        if row < 0 and not self._spanned:
            return
        self.table.clearSpans()
        self._spanned = row >= 0
        if model is not None and row >= 0:
            self.table.setSpan(row, 0, 1, model.columnCount())
