"""One-line words for a session event ("set readings.pressure_bar 8.1 → 8.98"), and the custom-event rules.

Summaries are made oldest first over a run of events, so each can say what a value was before: the
previous session snapshot and the data built up from earlier patches. No Qt here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from skydesk.api.errors import BadResponse
from skydesk.api.merge import merge_patch
from skydesk.api.models import SessionEvent
from skydesk.api.validation import validate_data_keys, validate_event_type
from skydesk.events.types import (
    SessionClosed,
    SessionCreated,
    SessionDataUpdated,
    SessionEventCreated,
    SessionPropertiesUpdated,
    SessionUpdated,
    event_from_json,
)
from skydesk.models.json_doc import describe_patch, short_json

# CONTRACT.md "Custom events" (and the sandbox): 1-64 of A-Z a-z 0-9 . _ : -. The SDK's own check is looser
# (any 1-255 characters), so a type it accepts could still be refused; this is the rule the server applies.
CUSTOM_TYPE_RE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
SESSION_WORDS = {"name": "name", "description": "description", "status": "status", "version": "version"}


def custom_event_problems(event_type: str, data: object) -> list[str]:
    """Why the server would refuse a custom event ``{eventType, data}``, in words (empty: it is fine)."""
    problems: list[str] = []
    message = validate_event_type(event_type)
    if message is None and not CUSTOM_TYPE_RE.fullmatch(event_type):
        message = "The event type may use only letters, digits and . _ : - (at most 64 characters)"
    if message:
        problems.append(message)
    if not isinstance(data, Mapping):
        problems.append("The event data must be a JSON object ({ … })")
    else:
        # The sandbox checks custom event data with the session-data key rule too.
        problems += [f"{e.field.removeprefix('data.')}: {e.message}" for e in validate_data_keys(data)]
    return problems


class Summarizer:
    """Turns events, fed oldest first, into one line each, remembering each session's known state."""

    def __init__(self, label: Callable[[str], str] = str) -> None:
        self.label = label  # names a participant by id
        self._sessions: dict[str, dict[str, Any]] = {}
        self._data: dict[str, dict[str, Any]] = {}

    def summary(self, event: SessionEvent) -> str:
        """The line for ``event`` (call in the order the events happened)."""
        sid, raw = event.session_id, event.raw
        event = typed(event)
        before = self._sessions.get(sid)
        session = raw.get("session") if isinstance(raw.get("session"), dict) else None
        if session is not None:
            self._sessions[sid] = session
        if isinstance(event, SessionDataUpdated) and isinstance(event.data, dict):
            known = self._data.get(sid)
            self._data[sid] = merge_patch(known or {}, event.data)
            return describe_patch(event.data, known if known is not None else {})
        if isinstance(event, SessionEventCreated):
            custom = raw.get("customEventType") or "custom"
            data = event.data or {}
            return f"{custom}: {short_json(data, 60)}" if data else str(custom)
        if isinstance(event, SessionCreated):
            name = (session or {}).get("name", "")
            return f"created “{name}”" if name else "created the session"
        if isinstance(event, SessionClosed):
            return "closed the session"
        if session is not None and isinstance(event, SessionUpdated | SessionPropertiesUpdated):
            return _session_change(before, session, isinstance(event, SessionPropertiesUpdated), self.label)
        return event.event_type.replace("_", " ")

    def summaries(self, events: Iterable[SessionEvent]) -> list[str]:
        """One line per event, for events given oldest first."""
        return [self.summary(e) for e in events]


def typed(event: SessionEvent) -> SessionEvent:
    """The typed event (SessionDataUpdated, ...) for a plain one, as the timeline's REST pages give them."""
    if type(event) is not SessionEvent:
        return event
    try:
        return event_from_json(event.raw)
    except BadResponse:  # a malformed timeline entry is shown as it is
        return event


def _session_change(
    before: dict[str, Any] | None, after: dict[str, Any], properties: bool, label: Callable[[str], str]
) -> str:
    if properties:
        new = after.get("properties") or {}
        old = (before or {}).get("properties") or {}
        parts = [
            f"{k} {short_json(old[k], 20)} → {short_json(v, 20)}" if k in old else f"{k} {short_json(v, 20)}"
            for k, v in new.items()
            if before is None or k not in old or old[k] != v
        ]
        parts += [f"removed {k}" for k in old if k not in new]
        return "set properties " + ", ".join(parts) if parts else "set properties (no change)"
    if before is None:
        return "updated the session"
    parts = []
    for key, word in SESSION_WORDS.items():
        if before.get(key) != after.get(key):
            parts.append(f"{word} {short_json(before.get(key), 24)} → {short_json(after.get(key), 24)}")
    if before.get("participants") != after.get("participants"):
        old, new = before.get("participants") or [], after.get("participants") or []
        parts.append(_participants_change(old, new, label))
    return "changed " + "; ".join(parts) if parts else "updated the session"


def _participants_change(old: list[Any], new: list[Any], label: Callable[[str], str]) -> str:
    def ids(items: list[Any]) -> set[str]:
        return {str(p.get("id")) for p in items if isinstance(p, dict)}

    added, removed = ids(new) - ids(old), ids(old) - ids(new)
    words = [f"added {', '.join(sorted(map(label, added)))}"] if added else []
    words += [f"removed {', '.join(sorted(map(label, removed)))}"] if removed else []
    return "participants: " + ("; ".join(words) or "changed")
