"""The live event log's store: every MQTT event of this sign-in, bounded, filterable, exportable. No Qt.

Each entry remembers the session's state before and after the event as far as the log knows it (from
earlier events, or from data the detail pane loaded), so a selected event can show what it changed.

Entries keep the payload and those states as JSON text, parsed again only when one is shown, diffed or
exported. Why: a full log is 10,000 entries, and as parsed JSON each held about nine objects the cyclic
garbage collector tracks (the payload's dicts and lists, the SDK's event and session records); a storm
replaces them all, so every full collection scanned ~90,000 of them (100-150 ms of frozen window, B5). A
string is not tracked, and a tuple of strings is untracked at its first collection.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from skydesk.api.merge import merge_patch
from skydesk.core.files import replacing
from skydesk.core.settings import EVENT_LOG_LIMIT
from skydesk.core.untrack import untrack_acyclic
from skydesk.events.types import SessionDataUpdated
from skydesk.models.json_doc import format_path, get_at, merge_diff, patch_leaves, short_json

if TYPE_CHECKING:
    from skydesk.api import SessionEvent

DEFAULT_LIMIT = EVENT_LOG_LIMIT
SESSION_FIELDS = ("name", "description", "status", "version", "properties", "participants", "isDraft")
# An entry's payload text, which the text filter searches: json.dumps(raw, ensure_ascii=False, default=str),
# spaced as the payload pane shows it. json.dumps builds a new encoder for every call with such options.
_PAYLOAD_JSON = json.JSONEncoder(ensure_ascii=False, default=str)
# (the JSON text of the payload that last carried the session, whose "session" it is; the data's JSON text)
Snapshot = tuple[str | None, str | None]


@dataclass(slots=True, eq=False)
class LoggedEvent:
    """One received event as JSON text, with what the log knew of its session just before and after it."""

    seq: int
    received_at: datetime
    event_id: str
    event_type: str
    application_id: str
    session_id: str
    user_id: str
    kind: str  # the type shown: a custom event's own type, else the event type
    payload: str  # the payload as JSON text (see _PAYLOAD_JSON)
    before: Snapshot | None  # None with ``after``: the event changed nothing the log knows
    after: Snapshot | None
    _search: str | None = None

    @property
    def raw(self) -> dict[str, Any]:
        """The payload as received (parsed from its text on every call)."""
        raw: dict[str, Any] = json.loads(self.payload)
        return raw

    @property
    def search_text(self) -> str:
        """The payload's text case-folded, made on first use (a storm never pays for it)."""
        if self._search is None:
            self._search = self.payload.casefold()
        return self._search

    def states(self) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The known session state before and after, each ``{"session": ..., "data": ...}`` (parsed)."""
        if self.before is None or self.after is None:
            return None
        return _parsed(self.before), _parsed(self.after)


def _parsed(snapshot: Snapshot) -> dict[str, Any]:
    carrier, data = snapshot
    return {
        "session": None if carrier is None else json.loads(carrier).get("session"),
        "data": None if data is None else json.loads(data),
    }


def _kind(event: SessionEvent) -> str:
    custom = event.raw.get("customEventType")
    return f"{event.event_type}: {custom}" if isinstance(custom, str) else event.event_type


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
        if self.types and entry.event_type not in self.types:
            return False
        if self.session_id is not None and entry.session_id != self.session_id:
            return False
        return not self.text or self._needle in entry.search_text

    @cached_property
    def _needle(self) -> str:
        # Case-folded once per filter, not once per entry matched.
        return self.text.casefold()


class FilterScan:
    """The log's entries passing a filter, found a slice at a time, so no GUI pass is long.

    The first text filter over 10,000 events case-folds each one's payload text and matches it; in one pass
    of the GUI thread that was too long (266 ms when the text was made from the parsed payload). Entries
    the log gains or drops meanwhile are told to the scan, so its result is exactly ``EventLog.filtered``
    at the time the scan ends.
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
        # What the log knows of each session, as text (dicts of strings are not tracked by the collector):
        self._sessions: dict[str, str] = {}  # session id -> payload text of the last event with the session
        self._names: dict[str, str] = {}  # session id -> the name that session carried
        self._data: dict[str, str] = {}  # session id -> JSON text of the last known data document
        # How many kept entries have each event type and each session (the filter lists offer them): kept
        # as entries come and go, since counting 10,000 entries every second took 1-2 ms of the GUI thread.
        self._type_counts: dict[str, int] = {}
        self._session_counts: dict[str, int] = {}

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
        self._data[session_id] = _PAYLOAD_JSON.encode(data)

    def session_name(self, session_id: str) -> str | None:
        """The name the last event carrying ``session_id``'s session gave it."""
        return self._names.get(session_id)

    def add(self, events: Iterable[SessionEvent]) -> tuple[list[LoggedEvent], list[LoggedEvent]]:
        """Append events (oldest first); returns (added, dropped) for the view to update."""
        now = datetime.now(UTC)
        first = self._seq + 1
        added: list[LoggedEvent] = []
        encode = _PAYLOAD_JSON.encode
        for event in events:
            self._seq += 1
            payload = encode(event.raw)
            before, after = self._advance(event, payload)
            added.append(
                LoggedEvent(
                    self._seq,
                    now,
                    event.event_id,
                    event.event_type,
                    event.application_id,
                    event.session_id,
                    event.user_id,
                    _kind(event),
                    payload,
                    before,
                    after,
                )
            )
        untrack_acyclic(added)  # text, numbers and a timestamp: no cycle passes through an entry
        self._entries.extend(added)
        self._count(added, 1)
        self.received += len(added)
        dropped = self._trim()
        # Events that arrived and dropped within one batch were never shown: report only the others.
        old = [e for e in dropped if e.seq < first]
        return added[len(dropped) - len(old) :], old

    def clear(self) -> None:
        """Forget every entry and the counters (the known session states stay: they are still true)."""
        self._entries.clear()
        self._type_counts.clear()
        self._session_counts.clear()
        self.dropped = 0
        self.received = 0

    def _trim(self) -> list[LoggedEvent]:
        dropped: list[LoggedEvent] = []
        while len(self._entries) > self._limit:
            dropped.append(self._entries.popleft())
        self._count(dropped, -1)
        self.dropped += len(dropped)
        return dropped

    def _count(self, entries: Iterable[LoggedEvent], step: int) -> None:
        for counts, key in ((self._type_counts, "event_type"), (self._session_counts, "session_id")):
            for entry in entries:
                value = getattr(entry, key)
                left = counts.get(value, 0) + step
                if left:
                    counts[value] = left
                else:
                    del counts[value]

    def _advance(self, event: SessionEvent, payload: str) -> tuple[Snapshot | None, Snapshot | None]:
        sid = event.session_id
        session_before, data_before = self._sessions.get(sid), self._data.get(sid)
        session_after, data_after = session_before, data_before
        raw_session = event.raw.get("session")
        if isinstance(raw_session, dict):
            session_after = payload  # the session is this payload's "session", shared, not encoded again
            self._sessions[sid] = payload
            name = raw_session.get("name")
            if isinstance(name, str) and name:
                self._names[sid] = name
            else:
                self._names.pop(sid, None)
        if isinstance(event, SessionDataUpdated) and event.data is not None:
            known = json.loads(data_before) if data_before is not None else {}
            data_after = _PAYLOAD_JSON.encode(merge_patch(known, event.data))
            self._data[sid] = data_after
        if session_after is session_before and data_after is data_before:
            return None, None  # nothing known changed (custom events, unknown types)
        return (session_before, data_before), (session_after, data_after)

    def filtered(self, flt: EventFilter) -> list[LoggedEvent]:
        """The kept entries that pass ``flt``, oldest first."""
        if not flt.active:
            return list(self._entries)
        return [e for e in self._entries if flt.matches(e)]

    def types(self) -> list[str]:
        """The event types seen among the kept entries, sorted."""
        return sorted(self._type_counts)

    def session_ids(self) -> list[str]:
        """The sessions the kept entries are about, sorted."""
        return sorted(self._session_counts)


def changes(entry: LoggedEvent) -> list[Change]:
    """What ``entry`` changed against the session's previous known state (empty when unknown)."""
    states = entry.states()
    if states is None or entry.before is None or entry.after is None:
        return []
    before, after = states
    out: list[Change] = []
    old_s, new_s = before["session"], after["session"]
    if isinstance(new_s, dict):
        for key in SESSION_FIELDS:
            old = old_s.get(key) if isinstance(old_s, dict) else None
            new = new_s.get(key)
            if old_s is None or json.dumps(old, sort_keys=True) != json.dumps(new, sort_keys=True):
                out.append(Change(key, "(unknown)" if old_s is None else short_json(old), short_json(new)))
    old_d, new_d = before["data"], after["data"]
    # The same text is the same document: the event did not touch the data.
    if new_d is not None and entry.after[1] is not entry.before[1]:
        patch = merge_diff(old_d or {}, new_d)
        for path, value in (patch_leaves(patch) if patch else {}).items():
            old = get_at(old_d, path) if old_d is not None else None
            shown_old = "(unknown)" if old_d is None else "(none)" if old is None else short_json(old)
            shown_new = "(removed)" if value is None else short_json(value)
            out.append(Change(format_path(("data", *path)), shown_old, shown_new))
    return out


def write_log_file(path: Path, entries: Iterable[LoggedEvent]) -> int:
    """Write ``entries`` to ``path`` as JSON Lines, replacing it only when complete; returns the count.

    Blocking (run it off the GUI thread).
    """
    with replacing(path, newline="\n") as out:
        return write_jsonl(entries, out)


def write_jsonl(entries: Iterable[LoggedEvent], out: IO[str]) -> int:
    """Write each event's payload as one JSON line (the payload as received); returns the count."""
    count = 0
    for entry in entries:
        out.write(json.dumps(entry.raw, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        count += 1
    return count
