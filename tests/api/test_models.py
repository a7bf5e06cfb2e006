"""Typed models: parsing, tolerance of extra fields, errors that name the field, memory use."""

from __future__ import annotations

import dataclasses
import sys
from datetime import UTC, datetime

import pytest

from skydesk.api import Application, BadResponse, Media, Page, Participant, Role, Session, SessionEvent

from .fakes import session_json


def test_session_from_json_reads_every_field_and_ignores_extras() -> None:
    s = Session.from_json(session_json(properties={"orderId": 123456}, futureField={"x": 1}, isDraft=True))
    assert s.session_id == "s-1" and s.version == 1 and s.is_draft and s.is_open
    assert s.participants == (Participant("u-123", "user", False),)
    assert s.created_at == datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert s.created_at.tzinfo is not None
    assert s.properties == {"orderId": 123456}
    assert not Session.from_json(session_json(status="closed")).is_open


def test_models_are_frozen_and_slotted() -> None:
    s = Session.from_json(session_json())
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.name = "x"  # type: ignore[misc]
    assert not hasattr(s, "__dict__")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (session_json(sessionId=None), "sessionId"),
        ({k: v for k, v in session_json().items() if k != "createdAt"}, "createdAt"),
        (session_json(createdAt="yesterday"), "createdAt"),
        (session_json(participants={"id": "x"}), "participants"),
        (session_json(participants=[{"type": "user"}]), "id"),
        (session_json(isDraft="no"), "isDraft"),
        (session_json(properties=[1]), "properties"),
    ],
)
def test_session_errors_name_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(BadResponse, match=f"'{field}'"):
        Session.from_json(body)


def test_not_an_object_is_a_bad_response() -> None:
    with pytest.raises(BadResponse, match="expected an object"):
        Session.from_json(["not", "a", "session"])


def test_sessions_share_repeated_strings_and_participants() -> None:
    a = Session.from_json(session_json(sessionId="a"))
    b = Session.from_json(session_json(sessionId="b"))
    assert a.participants[0] is b.participants[0]
    assert a.created_by is b.created_by is sys.intern("u-123")
    # One tuple for every session with the same participants (the collector tracks each tuple it keeps),
    # by the fast reader and the careful one alike.
    careful = Session.from_json(session_json(sessionId="c", description=None))
    assert a.participants is b.participants is careful.participants
    two = [{"id": "u-123", "type": "user"}, {"id": "g-1", "type": "group", "isGuest": True}]
    c = Session.from_json(session_json(sessionId="d", participants=two))
    d = Session.from_json(session_json(sessionId="e", participants=[*two]))
    assert c.participants is d.participants
    assert c.participants == (Participant("u-123", "user", False), Participant("g-1", "group", True))
    assert (
        Session.from_json(session_json(sessionId="f", participants=two[::-1])).participants
        == (c.participants[::-1])
    )


def test_application_role_media_event_and_page() -> None:
    app = Application.from_json(
        {
            "applicationId": "a",
            "name": "Site Survey",
            "draftVersion": 1,
            "publishedVersion": -1,
            "createdBy": "u",
            "createdAt": "2026-01-01T00:00:00Z",
        }
    )
    assert (app.draft_version, app.published_version) == (1, -1)
    role = Role.from_json({"name": "technician", "permissions": ["session:create"], "participants": []})
    assert role.permissions == ("session:create",) and role.created_at.tzinfo is not None
    media = Media.from_json(
        {
            "mediaId": "m",
            "sessionId": "s",
            "applicationId": "a",
            "filename": "f.jpg",
            "contentType": "image/jpeg",
            "labels": ["one"],
            "totalBytes": 10,
            "uploadedBytes": 4,
            "createdAt": "2026-01-01T00:00:00Z",
            "modifiedAt": "2026-01-01T00:00:00+02:00",
            "annotations": [],
        }
    )
    assert media.labels == ("one",) and not media.is_complete and media.modified_at.utcoffset() is not None
    event = SessionEvent.from_json(
        {
            "eventId": "e",
            "eventType": "session_created",
            "applicationId": "a",
            "sessionId": "s",
            "source": "skylight",
            "userId": "u",
            "createdAt": "2026-01-01T00:00:00Z",
            "version": 1,
            "session": session_json(),
        }
    )
    assert event.session is not None and event.timestamp is None and event.raw["eventId"] == "e"
    page = Page.from_json(
        {
            "data": [session_json()],
            "page": {"count": 1, "limit": 50, "total": 9, "nextCursor": "c2", "prevCursor": None},
        },
        Session.from_json,
    )
    assert page.total == 9 and page.next_cursor == "c2" and page.prev_cursor is None
    with pytest.raises(BadResponse, match="'version'"):
        SessionEvent.from_json({**event.raw, "version": "1"})


def test_a_list_of_text_with_another_item_names_the_field_and_the_item_type() -> None:
    with pytest.raises(BadResponse, match="role: field 'permissions' holds int instead of text"):
        Role.from_json({"name": "technician", "permissions": ["session:create", 7]})
    media = {"mediaId": "m", "sessionId": "s", "applicationId": "a", "filename": "f", "totalBytes": 1}
    stamps = {"createdAt": "2026-01-01T00:00:00Z", "modifiedAt": "2026-01-01T00:00:00Z"}
    with pytest.raises(BadResponse, match="media item: field 'labels' holds NoneType instead of text"):
        Media.from_json({**media, **stamps, "labels": ["ok", None]})
    assert Media.from_json({**media, **stamps, "labels": None}).labels == ()


def test_sessions_stay_small_enough_to_hold_100k() -> None:
    import gc
    import json
    import tracemalloc

    raw = json.dumps(
        [
            session_json(
                sessionId=f"{i:08d}-0000-4000-8000-000000000000",
                name=f"Work order {i}",
                properties={"site": "North", "order": str(i)},
            )
            for i in range(5000)
        ]
    )
    tracemalloc.start()
    try:
        parsed = json.loads(raw)
        sessions = [Session.from_json(d) for d in parsed]
        del parsed
        gc.collect()
        per_session = tracemalloc.get_traced_memory()[0] / len(sessions)
    finally:
        tracemalloc.stop()
    # About 0.75 kB today (100,000 sessions ~ 75 MB); fail loudly if a change doubles it.
    assert per_session < 1500


_EVENT = {
    "eventId": "e-1",
    "eventType": "session_created",
    "applicationId": "a",
    "sessionId": "s-1",
    "source": "skylight",
    "userId": "u",
    "createdAt": "2026-01-01T00:00:00Z",
    "timestamp": "2026-01-01T00:00:00.123+01:00",
    "version": 2,
    "session": session_json(),
}
_OPTIONAL_SESSION_KEYS = (
    "name",
    "description",
    "properties",
    "participants",
    "createdBy",
    "modifiedBy",
    "isDraft",
)


@pytest.mark.parametrize(
    ("body", "canonical"),
    [
        (session_json(), True),
        (session_json(properties={"n": 1}, futureField=[1], participants=[]), True),
        (session_json(participants=[{"id": "g", "type": "group"}, {"id": "u", "isGuest": True}]), True),
        (session_json(createdAt="2026-01-02T03:04:05+02:00", modifiedAt="2026-01-02T03:04:05"), True),
        ({k: v for k, v in session_json().items() if k not in _OPTIONAL_SESSION_KEYS}, True),
        (session_json(**dict.fromkeys(_OPTIONAL_SESSION_KEYS)), False),  # nulls: the careful defaults
        (session_json(participants=[{"id": "x", "type": None, "isGuest": None}]), False),
    ],
)
def test_fast_and_careful_session_parsing_agree(body: dict[str, object], canonical: bool) -> None:
    careful = Session._from_any(body)
    fast = Session._from_canonical(body)
    assert (fast is not None) == canonical  # the common shape really takes the fast path
    assert Session.from_json(body) == careful
    if fast is not None:
        assert dataclasses.astuple(fast) == dataclasses.astuple(careful)


@pytest.mark.parametrize(
    ("body", "canonical"),
    [
        (_EVENT, True),
        ({**_EVENT, "eventType": "session_data_updated", "session": None, "data": {"a": [1]}}, True),
        ({k: v for k, v in _EVENT.items() if k not in ("timestamp", "version", "source", "userId")}, True),
        ({**_EVENT, "userId": None, "source": None}, False),
        ({**_EVENT, "session": {**session_json(), "name": None}}, False),
    ],
)
def test_fast_and_careful_event_parsing_agree(body: dict[str, object], canonical: bool) -> None:
    careful = SessionEvent._from_any(body)
    fast = SessionEvent._from_canonical(body)
    assert (fast is not None) == canonical
    assert SessionEvent.from_json(body) == careful
    if fast is not None:
        assert dataclasses.astuple(fast) == dataclasses.astuple(careful) and fast.raw == careful.raw == body
