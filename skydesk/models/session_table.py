"""The session list model: cursor paging, a state row with words, live upserts and brief highlights."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from skydesk.core.untrack import untrack_acyclic
from skydesk.models.filters import SessionFilters
from skydesk.models.people import people_tooltip
from skydesk.models.placement import in_place, insert_position
from skydesk.models.row_highlights import RowHighlights
from skydesk.models.session_columns import (
    COL_NAME,
    COL_PARTICIPANTS,
    DEFAULT_PROPERTY_COLUMNS,
    FIXED_HEADERS,
    SORTABLE_COLUMNS,
    cell_text,
)

if TYPE_CHECKING:
    from skydesk.api import Session

Index = QModelIndex | QPersistentModelIndex

SessionIdRole = Qt.ItemDataRole.UserRole + 1
SessionRole = Qt.ItemDataRole.UserRole + 2
HighlightRole = Qt.ItemDataRole.UserRole + 3  # time.monotonic() of the last live change, or None
UnreadRole = Qt.ItemDataRole.UserRole + 10  # True when someone else changed the row since the user looked
StateRowRole = Qt.ItemDataRole.UserRole + 4  # True on the trailing loading/error/empty row

STATE_NONE, STATE_LOADING, STATE_ERROR, STATE_EMPTY = "none", "loading", "error", "empty"
# "Loading more sessions…" waits this long before it becomes a row: a page usually comes sooner, and each
# change of the row count repaints the whole table (two full repaints per page instead of one, B3 profile).
LOADING_ROW_DELAY_MS = 150
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_STATE_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_ANSWERED_ROLES = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.BackgroundRole,
        SessionIdRole,
        SessionRole,
        HighlightRole,
        UnreadRole,
        StateRowRole,
    )
)


class SessionTableModel(QAbstractTableModel):
    """Loaded sessions as table rows (Session objects only; display text computed on demand)."""

    totalChanged = Signal(int)
    stateChanged = Signal(str)
    sort_requested = Signal(str)  # a server sort key ("name", "-createdAt", ...) from a header click

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sessions: list[Session] = []
        self._rows: dict[str, int] = {}
        self._property_columns: list[str] = list(DEFAULT_PROPERTY_COLUMNS)
        self._state = STATE_NONE
        self._error = ""
        self._total = 0
        self._unfiltered_total: int | None = None
        self._has_more = False
        self._fetching = False
        self._loading_more = False  # fixed when loading starts, so rows inserted above never change it
        self._fetch_callback: Callable[[], None] | None = None
        self._filters = SessionFilters()
        self._highlights = RowHighlights(self)
        self._highlights.expired.connect(self._on_highlights_expired)
        self._changed_rows: tuple[int, int] | None = None  # rows replaced, not yet announced (dataChanged)
        # While a refresh is on its way: the live changes applied meanwhile, newest per session (None = no
        # refresh). Its pages may have been read before them, so they are applied again on top.
        self._during_refresh: dict[str, Session | None] | None = None
        self._row_held = False  # loading more, its state row not shown yet (see LOADING_ROW_DELAY_MS)
        self._row_timer = QTimer(self)
        self._row_timer.setSingleShot(True)
        self._row_timer.setInterval(LOADING_ROW_DELAY_MS)
        self._row_timer.timeout.connect(self._on_row_timer_timeout)
        self.unread: Container[str] = ()  # session ids with an unread mark (models.content.UnreadMarks)
        self.participant_label: Callable[[str], str] = lambda pid: pid

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Sessions plus the state row when there is one."""
        if parent.isValid():
            return 0
        return len(self._sessions) + (1 if self._state != STATE_NONE and not self._row_held else 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Fixed columns followed by the property columns."""
        return 0 if parent.isValid() else len(FIXED_HEADERS) + len(self._property_columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles; property columns are titled by their key."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if 0 <= section < len(FIXED_HEADERS):
            return FIXED_HEADERS[section]
        prop = section - len(FIXED_HEADERS)
        if 0 <= prop < len(self._property_columns):
            return self._property_columns[prop]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Session rows are selectable; the state row is only enabled."""
        if not index.isValid():
            return _NO_FLAGS
        return _STATE_ROW_FLAGS if index.row() >= len(self._sessions) else _ROW_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display text and roles, computed from the stored Session; never raises, never does I/O."""
        # Called for every role of every painted cell: unanswered roles go first, then the three asked for
        # every cell (display, font, background), compared as plain ints (B2: the first page's paint).
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None  # a painted cell asks for ~7 roles, most of which no row answers
        row = index.row()
        try:
            if row >= len(self._sessions):
                return self._state_data(index.column(), role)
            session = self._sessions[row]
            if role == _DISPLAY:
                return cell_text(session, index.column(), self._property_columns, self.participant_label)
            if role == _FONT:
                return _unread_font() if session.session_id in self.unread else None
            if role == _BACKGROUND:
                if session.session_id not in self._highlights:
                    return None
                color = QColor(QApplication.palette().color(QPalette.ColorRole.Highlight))
                color.setAlpha(60)
                return QBrush(color)
            if role == _TOOLTIP:
                if index.column() == COL_PARTICIPANTS:
                    return people_tooltip([p.id for p in session.participants], self.participant_label)
                return cell_text(session, index.column(), self._property_columns, self.participant_label)
            if role == SessionIdRole:
                return session.session_id
            if role == SessionRole:
                return session
            if role == HighlightRole:
                return self._highlights.since(session.session_id)
            if role == StateRowRole:
                return False
            if role == UnreadRole:
                return session.session_id in self.unread
        except Exception:  # a malformed session must show as blank, never crash the view
            return None
        return None

    def _state_data(self, col: int, role: int) -> Any:
        if role == StateRowRole:
            return True
        if col != COL_NAME or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return self.state_text

    def canFetchMore(self, parent: Index) -> bool:
        """True when the server has more pages and no load or error is pending."""
        if parent.isValid():
            return False
        return self._has_more and not self._fetching and self._state != STATE_ERROR

    def fetchMore(self, parent: Index) -> None:
        """Ask the controller for the next page; the guard is cleared by `fetch_finished()`."""
        if parent.isValid() or not self.canFetchMore(parent) or self._fetch_callback is None:
            return
        self._fetching = True
        self._set_state(STATE_LOADING)
        self._fetch_callback()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header click: ask for a server-side sort (columns that the server cannot sort are ignored)."""
        key = self.sort_key_for(column, order)
        if key is not None:
            self.sort_requested.emit(key)

    # ------------------------------------------------------------------ controller API
    @staticmethod
    def sort_key_for(column: int, order: Qt.SortOrder) -> str | None:
        """Server sort key for a column (`-key` when descending), or None when not sortable."""
        key = SORTABLE_COLUMNS.get(column)
        if key is None:
            return None
        return f"-{key}" if order == Qt.SortOrder.DescendingOrder else key

    def set_fetch_callback(self, callback: Callable[[], None] | None) -> None:
        """The controller's 'load the next page' hook, called from fetchMore."""
        self._fetch_callback = callback

    @property
    def property_columns(self) -> list[str]:
        """The property keys shown as columns, in order."""
        return list(self._property_columns)

    @property
    def total(self) -> int:
        """The server's total count of sessions matching the filters."""
        return self._total

    @property
    def unfiltered_total(self) -> int | None:
        """How many sessions the application has without the filters (None: not known, or no filter)."""
        return self._unfiltered_total if self._filters.is_filtered else None

    def set_unfiltered_total(self, total: int | None) -> None:
        """Record the application's count without filters (for "7 of 30 sessions (filtered)")."""
        if total != self._unfiltered_total:
            self._unfiltered_total = total
            self.totalChanged.emit(self._total)

    @property
    def state(self) -> str:
        """'none', 'loading', 'error' or 'empty'."""
        return self._state

    @property
    def state_text(self) -> str:
        """The words shown in the state row."""
        if self._state == STATE_LOADING:
            return "Loading more sessions…" if self._loading_more else "Loading sessions…"
        if self._state == STATE_ERROR:
            return f"Could not load sessions: {self._error.rstrip('.')} — press F5 to retry"
        if self._state == STATE_EMPTY:
            return "No sessions match these filters"
        return ""

    @property
    def has_more(self) -> bool:
        """True when the server said another page exists."""
        return self._has_more

    @property
    def filters(self) -> SessionFilters:
        """The filters the loaded rows were fetched with (used to place live events)."""
        return self._filters

    def session_at(self, row: int) -> Session | None:
        """The session shown on `row`, or None for the state row / out of range."""
        return self._sessions[row] if 0 <= row < len(self._sessions) else None

    def state_row(self) -> int:
        """The row of the trailing loading/error/empty row when it is shown, else -1."""
        return len(self._sessions) if self.rowCount() > len(self._sessions) else -1

    def row_of(self, session_id: str) -> int:
        """The row of a session id, or -1."""
        return self._rows.get(session_id, -1)

    def sessions(self) -> list[Session]:
        """A copy of the loaded sessions, in display order."""
        return list(self._sessions)

    def session_count(self) -> int:
        """How many sessions are loaded (without copying them, unlike ``len(sessions())``)."""
        return len(self._sessions)

    def begin_load(self, filters: SessionFilters) -> None:
        """Forget the rows and show 'Loading sessions…' for a new filter/sort."""
        self.beginResetModel()
        self._filters = filters
        self._sessions = []
        self._rows = {}
        self._highlights.clear()
        self._has_more = False
        self._fetching = True
        self._error = ""
        self._total = 0
        self._state = STATE_LOADING
        self._loading_more = False
        self._during_refresh = None
        self._release_row()
        self.endResetModel()
        self.totalChanged.emit(0)
        self.stateChanged.emit(self._state)

    def append_page(self, sessions: Iterable[Session], total: int, has_more: bool) -> None:
        """Add a page at the end (sessions already shown, e.g. inserted live, are updated in place).

        An id repeated within the page is one row, holding the page's last copy of it. A row already
        shown keeps its copy when that is newer (a live event may have come after the page was produced).
        """
        fresh: dict[str, Session] = {}
        for s in sessions:
            row = self._rows.get(s.session_id)
            if row is None:
                fresh.pop(s.session_id, None)  # a repeat moves to where its last copy is
                fresh[s.session_id] = s
            elif s.modified_at >= self._sessions[row].modified_at:
                self._replace_row(row, s)
        self._flush_changed_rows()
        if fresh:
            untrack_acyclic(fresh.values())  # rows live long: full collections need not scan them
            first = len(self._sessions)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            for s in fresh.values():
                self._rows[s.session_id] = len(self._sessions)
                self._sessions.append(s)
            self.endInsertRows()
        self._has_more = has_more
        self._set_total(total)
        self._set_state(STATE_EMPTY if not self._sessions and not has_more else STATE_NONE)

    def begin_refresh(self) -> None:
        """A refresh is on its way: the rows stay, and no page is fetched meanwhile."""
        self._fetching = True
        self._during_refresh = {}

    def replace_sessions(self, sessions: Iterable[Session], total: int, has_more: bool) -> None:
        """Show a refreshed list in one go (the rows were kept while it loaded).

        Live changes that came while it loaded are applied again on top: a page read before an event
        must not take back the row the event added, changed or removed.
        """
        during, self._during_refresh = self._during_refresh or {}, None
        self.beginResetModel()
        self._sessions = []
        self._rows = {}
        self._state = STATE_NONE
        self._error = ""
        self._release_row()
        self.endResetModel()
        self.append_page(sessions, total, has_more)
        for session_id, s in during.items():
            if s is None:
                self.forget(session_id)
            elif session_id in self._rows or not has_more or self._insert_position(s) < len(self._sessions):
                self.apply_sessions([s], highlight=False)
            # else it sorts below the refreshed rows: paging brings it, and the total may count it already

    def forget(self, session_id: str) -> None:
        """Drop a row the user can no longer see (they left the session)."""
        if self._during_refresh is not None:
            self._during_refresh[session_id] = None
        row = self._rows.get(session_id)
        if row is not None:
            self._remove_row(row)
            self._set_total(max(0, self._total - 1))

    def relabel(self) -> None:
        """Repaint the rows (participant labels changed)."""
        if self._sessions:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._sessions) - 1, self.columnCount() - 1)
            )

    def fetch_finished(self) -> None:
        """Clear the fetchMore guard (done-callback, on success, failure and cancellation alike)."""
        self._fetching = False
        self._during_refresh = None  # a refresh that failed or was cancelled left the rows as they were
        if self._state == STATE_LOADING:
            empty = not self._sessions and not self._has_more
            self._set_state(STATE_EMPTY if empty else STATE_NONE)

    def set_error(self, message: str) -> None:
        """Show the error row ('… press F5 to retry'); paging stops until the next load."""
        self._error = message
        self._set_state(STATE_ERROR)

    def apply_sessions(self, sessions: Iterable[Session], highlight: bool = True) -> None:
        """Upsert live changes: update rows in place, insert new matches where the sort puts them,
        drop rows that no longer match the filters (e.g. closed under status=open)."""
        during = self._during_refresh
        for s in sessions:
            if during is not None:
                kept = during.get(s.session_id)
                if kept is None or s.modified_at >= kept.modified_at:
                    during[s.session_id] = s
            row = self._rows.get(s.session_id)
            matches = self._filters.matches(s)
            if row is None:
                if matches:
                    self._insert_live(s, highlight)
                continue
            current = self._sessions[row]
            if s.modified_at < current.modified_at:
                continue  # an older event arrived late; the row already shows newer data
            if not matches:
                self._remove_row(row)
                self._set_total(max(0, self._total - 1))
                continue
            self._replace_row(row, s)
            self._move_into_place(row)
            if highlight:
                self._highlight(s.session_id)
        self._flush_changed_rows()
        if not self._sessions and not self._has_more and self._state == STATE_NONE:
            self._set_state(STATE_EMPTY)

    # ------------------------------------------------------------------ internals
    def _insert_live(self, s: Session, highlight: bool) -> None:
        pos = self._insert_position(s)
        self._set_total(self._total + 1)
        if pos == len(self._sessions) and self._has_more:
            return  # it belongs to a page not loaded yet; paging will bring it
        if self._state == STATE_EMPTY:
            self._set_state(STATE_NONE)
        self._flush_changed_rows()
        untrack_acyclic((s,))
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._sessions.insert(pos, s)
        self._reindex(pos)
        self.endInsertRows()
        if highlight:
            self._highlight(s.session_id)

    def _insert_position(self, s: Session, sessions: Sequence[Session] | None = None) -> int:
        return insert_position(self._sessions if sessions is None else sessions, s, self._filters)

    def _move_into_place(self, row: int) -> None:
        if in_place(self._sessions, row, self._filters):
            return
        # Where the row belongs among the others: taken out and put back in place (two memmoves) rather
        # than copying the list, which cost ~100 us a live event at 20,000 rows (B5 storm profile).
        s = self._sessions.pop(row)
        pos = self._insert_position(s)
        self._sessions.insert(row, s)
        if pos == row:
            return
        self._flush_changed_rows()
        # beginMoveRows takes the destination *before* removal, so moving down needs pos + 1.
        dest = pos + 1 if pos > row else pos
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), dest)
        del self._sessions[row]
        self._sessions.insert(pos, s)
        self._reindex(min(row, pos), max(row, pos) + 1)
        self.endMoveRows()

    def _replace_row(self, row: int, s: Session) -> None:
        untrack_acyclic((s,))
        self._sessions[row] = s
        # One dataChanged for the rows changed in a batch (until the next insert, move or removal): each
        # signal costs the views a pass, and a storm replaces hundreds of rows per batch.
        lo, hi = self._changed_rows or (row, row)
        self._changed_rows = (min(lo, row), max(hi, row))

    def _flush_changed_rows(self) -> None:
        if self._changed_rows is not None:
            lo, hi = self._changed_rows
            self._changed_rows = None
            self.dataChanged.emit(self.index(lo, 0), self.index(hi, self.columnCount() - 1))

    def _remove_row(self, row: int) -> None:
        self._flush_changed_rows()
        sid = self._sessions[row].session_id
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._sessions[row]
        self._rows.pop(sid, None)
        self._highlights.forget(sid)
        self._reindex(row)
        self.endRemoveRows()

    def _reindex(self, start: int, stop: int | None = None) -> None:
        for i in range(start, len(self._sessions) if stop is None else stop):
            self._rows[self._sessions[i].session_id] = i

    def _set_total(self, total: int) -> None:
        if total != self._total:
            self._total = total
            self.totalChanged.emit(total)

    def _set_state(self, state: str) -> None:
        old = self._state
        if state == STATE_LOADING and old != STATE_LOADING:
            self._loading_more = bool(self._sessions)
        row = len(self._sessions)
        if state == old:
            if state != STATE_NONE and not self._row_held:  # same kind of row, maybe new words
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
            return
        if old == STATE_NONE and state == STATE_LOADING and self._loading_more:
            self._state = state  # the row follows if the page is slow (see _on_row_timer_timeout)
            self._row_held = True
            self._row_timer.start()
        elif self._row_held:
            self._row_timer.stop()
            if state == STATE_NONE:
                self._row_held = False
                self._state = state
            else:  # an error (or empty) while the row was held back: it shows at once
                self.beginInsertRows(QModelIndex(), row, row)
                self._row_held = False
                self._state = state
                self.endInsertRows()
        elif old == STATE_NONE:
            self.beginInsertRows(QModelIndex(), row, row)
            self._state = state
            self.endInsertRows()
        elif state == STATE_NONE:
            self.beginRemoveRows(QModelIndex(), row, row)
            self._state = state
            self.endRemoveRows()
        else:
            self._state = state
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        self.stateChanged.emit(state)

    def _release_row(self) -> None:
        self._row_held = False
        self._row_timer.stop()

    def _on_row_timer_timeout(self) -> None:
        if self._row_held and self._state == STATE_LOADING:
            row = len(self._sessions)
            self.beginInsertRows(QModelIndex(), row, row)
            self._row_held = False
            self.endInsertRows()

    def _highlight(self, session_id: str) -> None:
        self._highlights.mark(session_id)

    def refresh_unread(self, session_ids: list[str]) -> None:
        """Repaint the rows whose unread mark appeared or went."""
        self._rows_changed(session_ids, [UnreadRole, Qt.ItemDataRole.FontRole])

    def _on_highlights_expired(self, session_ids: list[str]) -> None:
        self._rows_changed(session_ids, [HighlightRole, Qt.ItemDataRole.BackgroundRole])

    def _rows_changed(self, session_ids: Iterable[str], roles: list[int]) -> None:
        # One dataChanged per run of adjacent rows, not per row: each costs the view ~20 us, and a storm's
        # highlights end for hundreds of rows at a time (B5).
        rows = sorted(row for sid in session_ids if (row := self._rows.get(sid)) is not None)
        last_column = self.columnCount() - 1
        start = 0
        for i, row in enumerate(rows):
            if i + 1 == len(rows) or rows[i + 1] != row + 1:
                self.dataChanged.emit(self.index(rows[start], 0), self.index(row, last_column), roles)
                start = i + 1


@cache
def _unread_font() -> QFont:
    # One font for every unread cell (a new QFont per painted cell cost ~10% of a repaint over unread rows).
    # Only its weight is set: the view resolves the rest against its own font when it paints.
    font = QFont()
    font.setBold(True)  # like an unread mail: bold until the user opens the session
    return font
