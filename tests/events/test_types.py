"""parse_event: every CONTRACT §3 type, unknown types, and malformed payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from skydesk.api import SessionEvent
from skydesk.api.errors import BadResponse
from skydesk.events import (
    SessionClosed,
    SessionCreated,
    SessionDataUpdated,
    SessionEventCreated,
    SessionPropertiesUpdated,
    SessionUpdated,
    UnknownSessionEvent,
    parse_event,
)

from . import payloads


@pytest.mark.parametrize(
    ("event_type", "cls"),
    [
        ("session_created", SessionCreated),
        ("session_updated", SessionUpdated),
        ("session_properties_updated", SessionPropertiesUpdated),
        ("session_data_updated", SessionDataUpdated),
        ("session_event_created", SessionEventCreated),
        ("session_closed", SessionClosed),
        ("session_archived_in_2031", UnknownSessionEvent),
    ],
)
def test_each_type_parses_into_its_class(event_type: str, cls: type[SessionEvent]) -> None:
    body = payloads.event(event_type, session_id="s-42", event_id="e-1")
    event = parse_event(json.dumps(body).encode())
    assert type(event) is cls and isinstance(event, SessionEvent)
    assert (event.event_id, event.event_type, event.session_id) == ("e-1", event_type, "s-42")
    assert event.created_at == datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert event.version == 3 and event.source == "skylight" and event.user_id == "u1"
    assert event.raw == body
    with pytest.raises(AttributeError):
        event.event_id = "changed"  # type: ignore[misc]


def test_session_and_data_are_typed() -> None:
    created = parse_event(json.dumps(payloads.event("session_created", session_id="s-1")))
    assert created.session is not None
    assert created.session.session_id == "s-1" and created.session.properties == {"site": "north"}
    data = parse_event(json.dumps(payloads.event("session_data_updated")))
    assert data.session is None and data.data == {"step": 2, "notes": {"ok": True}}


def test_unknown_type_without_session_or_data_is_kept() -> None:
    body = payloads.event("something_new")
    body.pop("version")
    event = parse_event(json.dumps(body))
    assert isinstance(event, UnknownSessionEvent) and event.version is None and event.data is None


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        (b"", "JSON"),
        (b"{oops", "JSON"),
        (b"\xff\xfe\x00", "JSON"),
        (b"42", "JSON object"),
        (json.dumps({"eventId": "e"}).encode(), "eventType"),
        (json.dumps({**payloads.event("session_updated"), "eventType": 7}).encode(), "eventType"),
        (
            json.dumps({k: v for k, v in payloads.event("session_closed").items() if k != "eventId"}),
            "eventId",
        ),
        (
            json.dumps({k: v for k, v in payloads.event("session_created").items() if k != "session"}),
            "session",
        ),
        (
            json.dumps({k: v for k, v in payloads.event("session_event_created").items() if k != "data"}),
            "data",
        ),
        (json.dumps(payloads.event("session_updated", createdAt="yesterday")), "createdAt"),
        (json.dumps(payloads.event("session_updated", version="3")), "'version' is str"),
        (json.dumps(payloads.event("session_updated", session={"sessionId": "s"})), "malformed session:"),
    ],
)
def test_malformed_payloads_raise_bad_response_naming_the_problem(payload: bytes | str, names: str) -> None:
    with pytest.raises(BadResponse) as info:
        parse_event(payload)
    assert names in info.value.message
