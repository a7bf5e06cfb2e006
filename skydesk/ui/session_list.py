"""The "Sessions" pane: filter bar, the server-sorted session table and the total count."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

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
from skydesk.ui.filter_bar import FilterBar


class SessionListPane(QWidget):
    """Browse sessions: filters on top, the table in the middle, the count below."""

    session_selected = Signal(str)  # session id, "" when the selection is cleared

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter_bar = FilterBar()
        self.table = QTableView()
        self.count_label = QLabel()
        self._model: SessionTableModel | None = None
        self._pending_select: str | None = None
        # Spans are changed after the model's signal has been handled by the view too: changing them
        # from inside rowsInserted/rowsRemoved leaves QTableView with spans past the last row.
        self._span_timer = QTimer(self)
        self._span_timer.setSingleShot(True)
        self._span_timer.setInterval(0)
        self._span_timer.timeout.connect(self._on_span_timer_timeout)
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
        self.count_label.setAccessibleName("Session count")

        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.filter_bar)
        column.addWidget(self.table, 1)
        column.addLayout(bottom)

    # ------------------------------------------------------------------ model

    def set_model(self, model: SessionTableModel) -> None:
        """Show ``model`` (the controller's SessionTableModel) and follow its count and rows."""
        self._model = model
        self.table.setModel(model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        em = self.fontMetrics().horizontalAdvance("M")
        widths = {COL_NAME: 20, COL_STATUS: 5, COL_PARTICIPANTS: 10, COL_CREATED: 9, COL_MODIFIED: 9}
        for col in range(model.columnCount()):
            header.resizeSection(col, em * widths.get(col, 7))
        header.setMinimumSectionSize(em * 3)
        self.table.selectionModel().currentRowChanged.connect(self._on_selection_current_row_changed)
        model.totalChanged.connect(self._on_model_changed)
        model.stateChanged.connect(self._on_model_changed)
        model.rowsInserted.connect(self._on_model_changed)
        model.rowsRemoved.connect(self._on_model_changed)
        model.modelAboutToBeReset.connect(self._on_model_about_to_be_reset)
        model.modelReset.connect(self._on_model_changed)
        self._on_model_changed()

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
        index = model.index(row, COL_NAME)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def clear_selection(self) -> None:
        """Select nothing (the detail pane keeps what it shows)."""
        self._pending_select = None
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

    def _on_selection_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        session_id = (
            str(current.siblingAtColumn(COL_NAME).data(SessionIdRole) or "") if current.isValid() else ""
        )
        self.session_selected.emit(session_id)

    def _on_model_about_to_be_reset(self) -> None:
        # A reload (F5, a resync after lost events, new filters) empties the table: select the same
        # session again when its row comes back, so the list and the detail pane keep agreeing.
        selected = self.selected_session_id()
        if selected:
            self._pending_select = selected

    def _on_model_changed(self, *_args: object) -> None:
        model = self._model
        if model is None:
            return
        loaded = len(model.sessions())
        self._span_timer.start()
        total = model.total
        noun = "session" if total == 1 else "sessions"
        if model.state == "loading" and not loaded:
            text = "Loading…"
        elif loaded >= total:
            text = f"{total} {noun}"
        else:
            text = f"{loaded} of {total} {noun} loaded"
        self.count_label.setText(text)
        if self._pending_select:
            self.select_session(self._pending_select)

    def _on_span_timer_timeout(self) -> None:
        # The state row ("Loading more sessions…", an error, "No sessions match…") spans the whole
        # width so its words are never cut off by the first column.
        model = self._model
        self.table.clearSpans()
        if model is None or model.state == "none" or model.columnCount() < 2:
            return
        row = len(model.sessions())
        if row < model.rowCount():
            self.table.setSpan(row, 0, 1, model.columnCount())
