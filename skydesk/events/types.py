"""Typed session events, the resync notice, stream states, and the payload parser.

Every MQTT payload (CONTRACT.md §3) becomes one immutable :class:`~skydesk.api.SessionEvent`
subclass chosen by its ``eventType``; a type this version does not know becomes
:class:`UnknownSessionEvent`, so new server events pass through instead of being dropped.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from skydesk.api import SessionEvent
from skydesk.api._json import loads
from skydesk.api.errors import BadResponse

__all__ = [
    "EVENT_TYPES",
    "Resync",
    "SessionClosed",
    "SessionCreated",
    "SessionDataUpdated",
    "SessionEventCreated",
    "SessionPropertiesUpdated",
    "SessionUpdated",
    "StreamState",
    "UnknownSessionEvent",
    "parse_event",
]


class StreamState(enum.Enum):
    """Where the event stream's connection stands; reported through ``on_state``."""

    CONNECTING = "connecting"  # first connection attempt(s) of this stream
    CONNECTED = "connected"  # CONNACK accepted, subscription in place
    RECONNECTING = "reconnecting"  # the link was lost or refused; a new attempt is under way or due
    OFFLINE = "offline"  # the broker cannot be reached (or no token could be had); waiting to retry
    AUTH_FAILED = "auth_failed"  # sign-in needed; no more attempts until ``reconnect()``
    STOPPED = "stopped"  # ``stop()`` finished; final


@dataclass(frozen=True, slots=True)
class Resync:
    """Events may have been missed (the broker lost our session): re-fetch what is shown."""

    reason: str
    at: datetime = dataclasses.field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class SessionCreated(SessionEvent):
    """``session_created``: ``session`` holds the new session."""


@dataclass(frozen=True, slots=True)
class SessionUpdated(SessionEvent):
    """``session_updated``: name, description, participants or version changed; ``session`` is current."""


@dataclass(frozen=True, slots=True)
class SessionPropertiesUpdated(SessionEvent):
    """``session_properties_updated``: read the new values from ``session.properties``."""


@dataclass(frozen=True, slots=True)
class SessionDataUpdated(SessionEvent):
    """``session_data_updated``: ``data`` is the merge patch that was applied to the session data."""


@dataclass(frozen=True, slots=True)
class SessionEventCreated(SessionEvent):
    """``session_event_created``: a custom event; ``data`` is its developer-defined content."""


@dataclass(frozen=True, slots=True)
class SessionClosed(SessionEvent):
    """``session_closed``: ``session`` is the closed session."""


@dataclass(frozen=True, slots=True)
class UnknownSessionEvent(SessionEvent):
    """An event type this version does not know; ``event_type`` and ``raw`` are as received."""


# eventType -> (class, the part of the payload that type must carry).
EVENT_TYPES: dict[str, tuple[type[SessionEvent], str | None]] = {
    "session_created": (SessionCreated, "session"),
    "session_updated": (SessionUpdated, "session"),
    "session_properties_updated": (SessionPropertiesUpdated, "session"),
    "session_data_updated": (SessionDataUpdated, "data"),
    "session_event_created": (SessionEventCreated, "data"),
    "session_closed": (SessionClosed, "session"),
}

_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(SessionEvent))


def parse_event(payload: bytes | bytearray | str) -> SessionEvent:
    """Parse one MQTT payload into its typed event; raises ``BadResponse`` naming what is wrong."""
    try:
        doc: Any = loads(payload)
    except ValueError as exc:  # bad JSON or UTF-8, or nested too deeply to read
        raise BadResponse(f"event payload is not valid JSON ({type(exc).__name__})") from None
    return event_from_json(doc)


def event_from_json(doc: Any) -> SessionEvent:
    """Build the typed event for an already decoded payload; raises ``BadResponse``."""
    if not isinstance(doc, dict):
        raise BadResponse(f"event payload must be a JSON object, not {type(doc).__name__}")
    event_type = doc.get("eventType")
    if not isinstance(event_type, str) or not event_type:
        raise BadResponse("event payload has no string field 'eventType'")
    cls, required = EVENT_TYPES.get(event_type, (UnknownSessionEvent, None))
    if required is not None and doc.get(required) is None:
        raise BadResponse(f"{event_type} event has no '{required}'")
    event = cls.from_json(doc)
    if type(event) is cls:
        return event
    # The base parser built a plain SessionEvent; re-wrap its (already validated) fields.
    return cls(**{name: getattr(event, name) for name in _FIELD_NAMES})
