"""The open session's timeline (GET …/events): newest first, cursor paging, live arrivals, custom events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from skydesk.models.detail import session_target
from skydesk.models.event_summary import Summarizer, custom_event_problems
from skydesk.models.problems import Doing, Problem
from skydesk.models.table_base import FixedColumns

if TYPE_CHECKING:
    from skydesk.api import Page, SessionEvent, SkylightClient
    from skydesk.models.operations import Operations

Index = QModelIndex | QPersistentModelIndex
COL_WHEN, COL_WHO, COL_TYPE, COL_SUMMARY = range(4)
HEADERS = ("When", "Who", "Type", "What happened")
EventRole = Qt.ItemDataRole.UserRole + 1  # the SessionEvent of a row
PAGE_SIZE = 50
NEWEST_FIRST = "-createdAt"
LOADING_TIMELINE = Doing("loading the timeline", "The session's timeline could not be loaded")
POSTING_EVENT = Doing("posting the event", "The event was not posted", change=True)


class TimelineModel(FixedColumns, QAbstractTableModel):
    """Events newest first; summaries are made oldest first so each knows the value before it."""

    HEADERS = HEADERS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events: list[SessionEvent] = []  # newest first
        self._summaries: list[str] = []
        self._summarizer = Summarizer()
        self.user_label: Callable[[str], str] = lambda user_id: user_id

    def events(self) -> list[SessionEvent]:
        """The events shown, newest first."""
        return list(self._events)

    def set_events(self, events: Sequence[SessionEvent]) -> None:
        """Show ``events`` (newest first; duplicates by event id dropped)."""
        self.beginResetModel()
        self._events = _unique(events)
        self._summarize()
        self.endResetModel()

    def add_newer(self, events: Sequence[SessionEvent]) -> int:
        """Put events that just happened (given oldest first) on top; returns how many were new."""
        known = {e.event_id for e in self._events}
        fresh = _unique([e for e in reversed(events) if e.event_id not in known])
        if not fresh:
            return 0
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._events[:0] = fresh
        # Only the new ones: the summarizer goes on from the newest event it has seen (a storm stays linear).
        self._summaries[:0] = reversed(self._summarizer.summaries(reversed(fresh)))
        self.endInsertRows()
        return len(fresh)

    def add_older(self, events: Sequence[SessionEvent]) -> None:
        """Append an older page (newest first) at the bottom."""
        known = {e.event_id for e in self._events}
        older = _unique([e for e in events if e.event_id not in known])
        if not older:
            return
        start = len(self._events)
        self.beginInsertRows(QModelIndex(), start, start + len(older) - 1)
        self._events.extend(older)
        self._summarize()
        self.endInsertRows()
        if start:
            self.dataChanged.emit(self.index(0, COL_SUMMARY), self.index(start - 1, COL_SUMMARY))

    def relabel(self) -> None:
        """Names may have become known: repaint the Who column and the summaries."""
        self._summarize()
        if self._events:
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, COL_SUMMARY))

    def _summarize(self) -> None:
        self._summarizer = Summarizer(self.user_label)
        self._summaries = list(reversed(self._summarizer.summaries(reversed(self._events))))

    def event_at(self, row: int) -> SessionEvent | None:
        """The event in ``row``."""
        return self._events[row] if 0 <= row < len(self._events) else None

    def summary(self, row: int) -> str:
        """The one-line summary of ``row``."""
        return self._summaries[row] if 0 <= row < len(self._summaries) else ""

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Events shown."""
        return 0 if parent.isValid() else len(self._events)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell texts; EventRole gives the SessionEvent."""
        event = self.event_at(index.row()) if index.isValid() else None
        if event is None:
            return None
        if role == EventRole:
            return event
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        column = index.column()
        if column == COL_WHEN:
            return event.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        if column == COL_WHO:
            return self.user_label(event.user_id) if event.user_id else ""
        if column == COL_TYPE:
            custom = event.raw.get("customEventType")
            return (
                f"custom: {custom}" if isinstance(custom, str) else event.event_type.removeprefix("session_")
            )
        return self.summary(index.row())


def _unique(events: Sequence[SessionEvent]) -> list[SessionEvent]:
    seen: set[str] = set()
    out = []
    for event in events:
        if event.event_id not in seen:
            seen.add(event.event_id)
            out.append(event)
    return out


class TimelineController(QObject):
    """Loads the open session's timeline page by page, follows live events and posts custom events."""

    loading_changed = Signal(bool)
    more_available = Signal(bool)
    posted = Signal(str)  # event id
    post_failed = Signal(object)  # Problem
    rights_changed = Signal()  # may_post / post_refusal changed

    def __init__(self, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self.model = TimelineModel(self)
        self._app_id: str | None = None
        self._session_id: str | None = None
        self.next_cursor: str | None = None
        self.loading = False
        self.may_post = True
        self.post_refusal = ""  # why the user's role may not post events (tooltip)

    @property
    def session_id(self) -> str | None:
        """The session whose timeline is shown."""
        return self._session_id

    def open(self, app_id: str | None, session_id: str | None) -> None:
        """Show the timeline of another session (None: nothing)."""
        if (app_id, session_id) == (self._app_id, self._session_id):
            return
        self._app_id, self._session_id = app_id, session_id
        self.next_cursor = None
        self.model.set_events([])
        self.more_available.emit(False)
        if app_id is None or session_id is None:
            self._ops.cancel("timeline")
            return
        self.reload()

    def reload(self) -> None:
        """Read the newest page again (after a reconnect, or to be sure after posting)."""
        self._load(None)

    def load_older(self) -> None:
        """Read the next (older) page."""
        if self.next_cursor is not None and not self.loading:
            self._load(self.next_cursor)

    def _load(self, cursor: str | None) -> None:
        app_id, session_id = self._app_id, self._session_id
        if app_id is None or session_id is None:
            return

        async def call(client: SkylightClient) -> Page[SessionEvent]:
            return await client.list_session_events(
                app_id, session_id, limit=PAGE_SIZE, next_cursor=cursor, sort=NEWEST_FIRST
            )

        def loaded(page: Page[SessionEvent]) -> None:
            self._set_loading(False)
            if session_id != self._session_id:
                return
            if cursor is None and self.model.rowCount():
                self.model.add_newer(list(reversed(page.items)))  # keep the older pages already read
            elif cursor is None:
                self.model.set_events(page.items)
                self.next_cursor = page.next_cursor
            else:
                self.model.add_older(page.items)
                self.next_cursor = page.next_cursor
            self.more_available.emit(self.next_cursor is not None)

        def failed(_problem: Problem) -> None:
            self._set_loading(False)

        self._set_loading(True)
        self._ops.read(
            "timeline", call, doing=LOADING_TIMELINE, scope="timeline",
            target=f"timeline:{session_id}", success=loaded, failure=failed,
        )  # fmt: skip

    def _set_loading(self, loading: bool) -> None:
        self.loading = loading
        self.loading_changed.emit(loading)

    def apply_events(self, events: Sequence[SessionEvent]) -> None:
        """Live events (from the bridge): those of the open session go on top at once."""
        mine = [e for e in events if e.session_id == self._session_id]
        if mine:
            self.model.add_newer(mine)

    # ------------------------------------------------------------------ custom events
    def set_rights(self, allowed: bool, reason: str) -> None:
        """Whether the user's role lets them post events here (Permissions' verdict)."""
        if (allowed, reason) != (self.may_post, self.post_refusal):
            self.may_post, self.post_refusal = allowed, reason
            self.rights_changed.emit()

    def check(self, event_type: str, data: object) -> list[str]:
        """The server's rules for a custom event, checked before sending."""
        return custom_event_problems(event_type, data)

    def post(self, event_type: str, data: dict[str, Any]) -> bool:
        """Post a custom event once (never resent blindly); False when a rule refuses it first."""
        app_id, session_id = self._app_id, self._session_id
        if app_id is None or session_id is None or not self.may_post or self.check(event_type, data):
            return False

        async def call(client: SkylightClient) -> str:
            return await client.create_session_event(app_id, session_id, event_type, data)

        def done(event_id: str) -> None:
            self.posted.emit(event_id)
            if session_id == self._session_id:
                self.reload()  # shows it even if the live echo is late or the stream is down

        self._ops.write(
            session_target(session_id), call, doing=POSTING_EVENT, scope="timeline",
            success=done, failure=self.post_failed.emit,
        )  # fmt: skip
        return True
