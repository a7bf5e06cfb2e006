"""Event payloads shaped like CONTRACT.md §3 (camelCase JSON), for the tests to publish."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

_counter = itertools.count(1)
APP_ID = "app-field-inspection"
NOW = "2025-01-02T03:04:05.678Z"


def session_json(
    session_id: str, *, status: str = "open", name: str = "Pump 7", version: int = 1
) -> dict[str, Any]:
    """A full session object, as REST returns it."""
    return {
        "sessionId": session_id,
        "applicationId": APP_ID,
        "version": version,
        "name": name,
        "description": "",
        "participants": [{"id": "u1", "type": "user", "isGuest": False}],
        "status": status,
        "properties": {"site": "north"},
        "createdBy": "u1",
        "createdAt": NOW,
        "modifiedBy": "u1",
        "modifiedAt": NOW,
        "isDraft": False,
    }


def event(
    event_type: str, *, session_id: str | None = None, event_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    """One event payload; ``session`` or ``data`` is added as the type requires (override via ``extra``)."""
    sid = session_id or f"s-{next(_counter)}"
    body: dict[str, Any] = {
        "eventId": event_id or str(uuid.uuid4()),
        "eventType": event_type,
        "applicationId": APP_ID,
        "sessionId": sid,
        "source": "skylight",
        "userId": "u1",
        "createdAt": NOW,
        "timestamp": NOW,
        "version": 3,
    }
    if event_type in ("session_created", "session_updated", "session_properties_updated", "session_closed"):
        body["session"] = session_json(sid, status="closed" if event_type == "session_closed" else "open")
    elif event_type in ("session_data_updated", "session_event_created"):
        body["data"] = {"step": 2, "notes": {"ok": True}}
    body.update(extra)
    return body
