"""The SDK never crashes on a response (issue 13): whatever a server answers (any shape, size or depth,
any status) ends in a result or in an error from ``skydesk.api``'s tree, never RecursionError,
KeyError, TypeError or a raw httpx exception. MQTT payloads are counted and dropped, never raised.

A scripted transport is needed here: the real sandbox cannot be made to answer arbitrary bodies.
"""

from __future__ import annotations

import asyncio
import io
import json
import math
from collections.abc import Awaitable, Callable

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skydesk.api import NO_RETRY, SkydeskError, SkylightClient
from skydesk.events._dispatch import Dispatcher

from .fakes import APP, json_response, session_json, token_body

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=40,
)
# Canonical objects with one field replaced by anything: the shape readers see most often.
SESSION_KEYS = list(session_json())
BENT_SESSION = st.builds(
    lambda key, value: {**session_json(), key: value}, st.sampled_from(SESSION_KEYS), JSON
)
BENT_PAGE = st.builds(
    lambda items, page: {"data": items, "page": page},
    st.lists(BENT_SESSION | JSON, max_size=3),
    JSON | st.fixed_dictionaries({"nextCursor": JSON, "count": JSON, "total": JSON}),
)


def _nested(levels: int, opener: bytes, closer: bytes) -> bytes:
    return opener * levels + closer * levels


CRAFTED = [
    _nested(5_000, b"[", b"]"),
    _nested(100_000, b"[", b"]"),
    b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
    b'{"data": ' + _nested(50_000, b"[", b"]") + b', "page": {}}',
    json.dumps({**session_json(), "properties": {"deep": json.loads(_nested(900, b"[", b"]"))}}).encode(),
    b'{"error": "x", "details": [{"field": ' + _nested(3_000, b"[", b"]") + b', "message": {"m": 1}}]}',
    b"9" * 5_000,  # more digits than Python parses
    b"NaN",
    b'{"version": Infinity, "sessionId": "s"}',
    b"\xff\xfe\x00garbage",
    b"\xef\xbb\xbf{}",  # a byte-order mark
    b"",
    b"null",
    json.dumps({"data": [session_json(sessionId=str(i)) for i in range(20_000)], "page": {}}).encode(),
    json.dumps({"data": "x" * 3_000_000}).encode(),
]
BODIES = (
    st.sampled_from(CRAFTED)
    | JSON.map(lambda v: json.dumps(v).encode())
    | BENT_SESSION.map(lambda v: json.dumps(v).encode())
    | BENT_PAGE.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=64)
)
STATUSES = st.sampled_from([200, 200, 200, 201, 204, 400, 401, 404, 409, 429, 500, 503])

Call = Callable[[SkylightClient], Awaitable[object]]
CALLS: list[Call] = [
    lambda c: c.get_applications(),
    lambda c: c.get_application(APP),
    lambda c: c.get_roles(APP),
    lambda c: c.list_sessions(APP),
    lambda c: c.get_sessions(APP),
    lambda c: c.get_session(APP, "s"),
    lambda c: c.create_session(APP, name="n"),
    lambda c: c.patch_session(APP, "s", {"name": "n"}),
    lambda c: c.close_session(APP, "s"),
    lambda c: c.get_session_data(APP, "s"),
    lambda c: c.patch_session_data(APP, "s", {"a": 1}),
    lambda c: c.get_participants(APP, "s"),
    lambda c: c.add_participant(APP, "s", "u"),
    lambda c: c.list_session_events(APP, "s"),
    lambda c: c.create_session_event(APP, "s", "note", {}),
    lambda c: c.list_session_media(APP, "s"),
    lambda c: c.get_session_media(APP, "s", "m"),
    lambda c: c.create_session_media(APP, "s", filename="f", content_type="image/png", total_bytes=1),
    lambda c: c.download_media_content(APP, "s", "m", io.BytesIO()),
    lambda c: c.upload_media_content(APP, "s", "m", b"x"),
    lambda c: c.get_users("a"),
    lambda c: c.get_groups("a"),
]


def _run(status: int, body: bytes, *, fuzz_login: bool) -> list[str]:
    """Every SDK call against a server that answers ``status``/``body``; the escapes it finds."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/v1/authentication/") and not fuzz_login:
            return json_response(200, token_body())
        return httpx.Response(status, content=body, headers={"Content-Type": "application/json"})

    async def scenario() -> list[str]:
        escapes: list[str] = []
        client = SkylightClient(
            "https://api.test.invalid", transport=httpx.MockTransport(answer), device_id="d", retry=NO_RETRY
        )
        try:
            calls: list[Call] = [lambda c: c.login("demo", "tech", "pw")]
            if not fuzz_login:
                await client.login("demo", "tech", "pw")
                calls = CALLS
            for call in calls:
                try:
                    await call(client)
                except SkydeskError:
                    pass
                except Exception as exc:  # anything else is the bug this test looks for
                    escapes.append(f"{type(exc).__name__}: {str(exc)[:120]}")
        finally:
            await client.aclose()
        return escapes

    return asyncio.run(scenario())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=STATUSES, body=BODIES)
def test_no_response_escapes_the_sdk_error_tree(status: int, body: bytes) -> None:
    assert _run(status, body, fuzz_login=False) == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    status=STATUSES,
    body=BODIES
    | st.fixed_dictionaries(
        {"access_token": JSON | st.just(token_body()["access_token"]), "expires_in": JSON},
        optional={"refresh_token": JSON, "refresh_expires_in": JSON},
    ).map(lambda v: json.dumps(v).encode()),
)
def test_no_sign_in_answer_escapes_the_sdk_error_tree(status: int, body: bytes) -> None:
    assert _run(status, body, fuzz_login=True) == []


def test_every_crafted_body_is_survived_with_every_status() -> None:
    # Hypothesis draws from CRAFTED at random; each one is also checked for sure here.
    for body in CRAFTED:
        for status in (200, 400, 500):
            assert _run(status, body, fuzz_login=False) == [], (status, body[:40])


def _created_event(session: object) -> bytes:
    head = {"eventType": "session_created", "eventId": "e", "applicationId": "a", "sessionId": "s"}
    return json.dumps({**head, "session": session, "createdAt": "2026-01-01T00:00:00Z"}).encode()


@settings(max_examples=200, deadline=None)
@given(payload=BODIES | BENT_SESSION.map(_created_event))
def test_mqtt_payloads_are_counted_never_raised(payload: bytes) -> None:
    dispatcher = Dispatcher()
    delivered: list[object] = []
    dispatcher.add_sink(delivered.append)
    dispatcher.handle_payload(payload)  # must not raise, whatever the payload
    assert dispatcher.received == 1
    assert dispatcher.malformed + dispatcher.delivered == 1
    assert len(delivered) == dispatcher.delivered


def test_json_parser_limits_that_the_sdk_relies_on() -> None:
    # The cases above lean on these facts of the standard library; if they change, so must the SDK.
    assert math.isnan(json.loads("NaN"))
    for bad in (b"9" * 5_000, _nested(100_000, b"[", b"]")):
        try:
            json.loads(bad)
        except (ValueError, RecursionError):
            pass
        else:  # pragma: no cover - would mean the crafted bodies no longer test anything
            raise AssertionError("the standard parser accepted a body the tests rely on it refusing")
