"""The live event log's store: every MQTT event of this sign-in, bounded, filterable, exportable. No Qt.

Each entry remembers the session's state before and after the event as far as the log knows it (from
earlier events, or from data the detail pane loaded), so a selected event can show what it changed.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any

from skydesk.api.merge import merge_patch
from skydesk.core.settings import EVENT_LOG_LIMIT
from skydesk.events.types import SessionDataUpdated
from skydesk.models.json_doc import format_path, get_at, merge_diff, patch_leaves, short_json

if TYPE_CHECKING:
    from skydesk.api import SessionEvent

DEFAULT_LIMIT = EVENT_LOG_LIMIT
SESSION_FIELDS = ("name", "description", "status", "version", "properties", "participants", "isDraft")
# The text a filter searches is json.dumps(raw, ensure_ascii=False, default=str); json.dumps builds a new
# encoder for every call with such options, which was a third of the cost of a first text filter.
_SEARCH_JSON = json.JSONEncoder(ensure_ascii=False, default=str)


@dataclass(slots=True, eq=False)
class LoggedEvent:
    """One received event, with what the log knew of its session just before and after it."""

    seq: int
    received_at: datetime
    event: SessionEvent
    before: dict[str, Any] | None  # {"session": {...} | None, "data": {...} | None} before the event
    after: dict[str, Any] | None
    _search: str | None = field(default=None, repr=False)

    @property
    def search_text(self) -> str:
        """The payload as case-folded JSON text, made on first use (a storm never pays for it)."""
        if self._search is None:
            self._search = _SEARCH_JSON.encode(self.event.raw).casefold()
        return self._search

    @property
    def kind(self) -> str:
        """The type shown: a custom event's own type, else the event type."""
        custom = self.event.raw.get("customEventType")
        return f"{self.event.event_type}: {custom}" if isinstance(custom, str) else self.event.event_type


@dataclass(frozen=True)
class EventFilter:
    """What the log shows: event types (empty = all), one session (None = all), text in the JSON."""

    types: frozenset[str] = frozenset()
    session_id: str | None = None
    text: str = ""

    @property
    def active(self) -> bool:
        """Whether anything is filtered out."""
        return bool(self.types or self.session_id or self.text)

    def matches(self, entry: LoggedEvent) -> bool:
        """Whether ``entry`` passes every part of the filter."""
        event = entry.event
        if self.types and event.event_type not in self.types:
            return False
        if self.session_id is not None and event.session_id != self.session_id:
            return False
        return not self.text or self._needle in entry.search_text

    @cached_property
    def _needle(self) -> str:
        # Case-folded once per filter, not once per entry matched.
        return self.text.casefold()


class FilterScan:
    """The log's entries passing a filter, found a slice at a time, so no GUI pass is long.

    The first text filter over 10,000 events makes each one's search text; at ~20 us each that is too long
    for one pass of the GUI thread. Entries the log gains or drops meanwhile are told to the scan, so its
    result is exactly ``EventLog.filtered`` at the time the scan ends.
    """

    def __init__(self, log: EventLog, flt: EventFilter) -> None:
        self.filter = flt
        entries = log.entries()
        self._todo = entries if flt.active else []
        self._found: list[LoggedEvent] = [] if flt.active else entries
        self._pos = 0
        self._gone_upto = 0  # entries up to this seq have dropped out of the log since the scan began

    @property
    def done(self) -> bool:
        """Whether every entry has been matched."""
        return self._pos >= len(self._todo)

    def step(self, limit: int) -> bool:
        """Match at most ``limit`` more entries; True when the scan is done."""
        end = min(len(self._todo), self._pos + max(1, limit))
        flt, gone = self.filter, self._gone_upto
        self._found.extend(e for e in self._todo[self._pos : end] if e.seq > gone and flt.matches(e))
        self._pos = end
        return self.done

    def update(self, added: Sequence[LoggedEvent], dropped: Sequence[LoggedEvent]) -> None:
        """The log gained ``added`` (to be matched too) and lost ``dropped`` (oldest first)."""
        if dropped:
            self._gone_upto = max(self._gone_upto, dropped[-1].seq)
        (self._todo if self.filter.active else self._found).extend(added)

    def result(self) -> list[LoggedEvent]:
        """The entries found, oldest first (finishing the scan first if needed)."""
        while not self.step(len(self._todo)):
            pass
        gone = self._gone_upto
        return [e for e in self._found if e.seq > gone] if gone else self._found


@dataclass(frozen=True)
class Change:
    """One difference an event made to its session: where, from what, to what (MISSING-free text)."""

    path: str
    old: str
    new: str


class EventLog:
    """The most recent ``limit`` events; older ones drop, counted in ``dropped``."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = max(1, int(limit))
        self._entries: deque[LoggedEvent] = deque()
        self._seq = 0
        self.dropped = 0  # events dropped for the bound since the last clear
        self.received = 0  # events received since the last clear
        self._sessions: dict[str, dict[str, Any]] = {}  # session id -> last known session JSON
        self._data: dict[str, dict[str, Any]] = {}  # session id -> last known data document

    @property
    def limit(self) -> int:
        """How many events are kept."""
        return self._limit

    def set_limit(self, limit: int) -> list[LoggedEvent]:
        """Change the bound; returns the entries dropped to meet it (oldest first)."""
        self._limit = max(1, int(limit))
        return self._trim()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[LoggedEvent]:
        return iter(self._entries)

    def entries(self) -> list[LoggedEvent]:
        """Every kept entry, oldest first."""
        return list(self._entries)

    def note_data(self, session_id: str, data: dict[str, Any]) -> None:
        """Learn a session's current data (the detail pane loaded it): later diffs start from it."""
        self._data[session_id] = dict(data)

    def session_json(self, session_id: str) -> dict[str, Any] | None:
        """The last session JSON an event carried for ``session_id``."""
        return self._sessions.get(session_id)

    def add(self, events: Iterable[SessionEvent]) -> tuple[list[LoggedEvent], list[LoggedEvent]]:
        """Append events (oldest first); returns (added, dropped) for the view to update."""
        now = datetime.now(UTC)
        first = self._seq + 1
        added: list[LoggedEvent] = []
        for event in events:
            self._seq += 1
            before, after = self._advance(event)
            added.append(LoggedEvent(self._seq, now, event, before, after))
        self._entries.extend(added)
        self.received += len(added)
        dropped = self._trim()
        # Events that arrived and dropped within one batch were never shown: report only the others.
        old = [e for e in dropped if e.seq < first]
        return added[len(dropped) - len(old) :], old

    def clear(self) -> None:
        """Forget every entry and the counters (the known session states stay: they are still true)."""
        self._entries.clear()
        self.dropped = 0
        self.received = 0

    def _trim(self) -> list[LoggedEvent]:
        dropped: list[LoggedEvent] = []
        while len(self._entries) > self._limit:
            dropped.append(self._entries.popleft())
        self.dropped += len(dropped)
        return dropped

    def _advance(self, event: SessionEvent) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        sid = event.session_id
        session_before, data_before = self._sessions.get(sid), self._data.get(sid)
        session_after, data_after = session_before, data_before
        raw_session = event.raw.get("session")
        if isinstance(raw_session, dict):
            session_after = raw_session
            self._sessions[sid] = raw_session
        if isinstance(event, SessionDataUpdated) and event.data is not None:
            data_after = merge_patch(data_before or {}, event.data)
            self._data[sid] = data_after
        if session_after is session_before and data_after is data_before:
            return None, None  # nothing known changed (custom events, unknown types)
        return {"session": session_before, "data": data_before}, {
            "session": session_after,
            "data": data_after,
        }

    def filtered(self, flt: EventFilter) -> list[LoggedEvent]:
        """The kept entries that pass ``flt``, oldest first."""
        if not flt.active:
            return list(self._entries)
        return [e for e in self._entries if flt.matches(e)]

    def types(self) -> list[str]:
        """The event types seen among the kept entries, sorted."""
        return sorted({e.event.event_type for e in self._entries})


def changes(entry: LoggedEvent) -> list[Change]:
    """What ``entry`` changed against the session's previous known state (empty when unknown)."""
    if entry.before is None or entry.after is None:
        return []
    out: list[Change] = []
    old_s, new_s = entry.before.get("session"), entry.after.get("session")
    if isinstance(new_s, dict):
        for key in SESSION_FIELDS:
            old = old_s.get(key) if isinstance(old_s, dict) else None
            new = new_s.get(key)
            if old_s is None or json.dumps(old, sort_keys=True) != json.dumps(new, sort_keys=True):
                out.append(Change(key, "(unknown)" if old_s is None else short_json(old), short_json(new)))
    old_d, new_d = entry.before.get("data"), entry.after.get("data")
    if new_d is not None and new_d is not old_d:
        patch = merge_diff(old_d or {}, new_d)
        for path, value in (patch_leaves(patch) if patch else {}).items():
            old = get_at(old_d, path) if old_d is not None else None
            shown_old = "(unknown)" if old_d is None else "(none)" if old is None else short_json(old)
            shown_new = "(removed)" if value is None else short_json(value)
            out.append(Change(format_path(("data", *path)), shown_old, shown_new))
    return out


def write_jsonl(entries: Iterable[LoggedEvent], out: IO[str]) -> int:
    """Write each event's payload as one JSON line (the payload as received); returns the count."""
    count = 0
    for entry in entries:
        out.write(json.dumps(entry.event.raw, ensure_ascii=False, separators=(",", ":"), default=str))
        out.write("\n")
        count += 1
    return count
