"""Faults the real sandbox cannot produce on demand, scripted with httpx.MockTransport.

Every test here asserts on what the fake server received (how often, with which token), because
"never resend a POST blindly" is only provable by counting what arrived.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from skydesk.api import (
    NO_RETRY,
    AuthError,
    BadResponse,
    RateLimited,
    ServerError,
    SignInRequired,
    Timeout,
    TransportError,
)
from skydesk.api.models import Session

from .fakes import APP, FakeApi, json_response, session_json, signed_in

SESSIONS = f"/v1/application/applications/{APP}/sessions"


async def test_truncated_json_is_a_bad_response_naming_the_host() -> None:
    api = FakeApi(lambda r: httpx.Response(200, content=b'{"sessionId": "s-1", "appl'))
    async with await signed_in(api) as client:
        with pytest.raises(BadResponse) as err:
            await client.get_session(APP, "s-1")
    assert "api.test.invalid" in str(err.value)
    assert "not valid JSON" in str(err.value)


async def test_wrong_field_type_names_the_field() -> None:
    api = FakeApi(lambda r: json_response(200, session_json(version="7")))
    async with await signed_in(api) as client:
        with pytest.raises(BadResponse) as err:
            await client.get_session(APP, "s-1")
    assert err.value.message == (
        "api.test.invalid sent a malformed session: field 'version' is str instead of a whole number."
    )
    assert err.value.host == "api.test.invalid"


async def test_page_without_data_list_is_a_bad_response() -> None:
    api = FakeApi(lambda r: json_response(200, {"items": []}))
    async with await signed_in(api) as client:
        with pytest.raises(
            BadResponse, match=r"^api\.test\.invalid sent a malformed list of sessions: .*'data'"
        ):
            await client.list_sessions(APP)


async def test_get_honours_retry_after_on_503_then_succeeds() -> None:
    answers = [
        json_response(503, {"error": "busy"}, {"Retry-After": "1"}),
        json_response(200, session_json()),
    ]
    api = FakeApi(lambda r: answers.pop(0))
    async with await signed_in(api) as client:
        t0 = time.monotonic()
        session = await client.get_session(APP, "s-1")
        waited = time.monotonic() - t0
    assert isinstance(session, Session)
    assert len(api.api_requests()) == 2
    assert waited >= 0.95  # the server said 1 s; we must not come back sooner


async def test_get_gives_up_after_bounded_attempts() -> None:
    api = FakeApi(lambda r: json_response(502, {"error": "bad gateway"}))
    async with await signed_in(api) as client:
        with pytest.raises(ServerError, match=r"api\.test\.invalid"):
            await client.get_session(APP, "s-1")
    assert len(api.api_requests()) == client.retry_policy.max_attempts


async def test_post_is_not_resent_on_503() -> None:
    api = FakeApi(lambda r: json_response(503, {"error": "busy"}, {"Retry-After": "0"}))
    async with await signed_in(api) as client:
        with pytest.raises(ServerError):
            await client.create_session(APP, name="x", version=1)
    assert [r.method for r in api.api_requests()] == ["POST"]


async def test_post_rate_limited_reports_retry_after_without_resending() -> None:
    api = FakeApi(lambda r: json_response(429, {"error": "slow down"}, {"Retry-After": "7"}))
    async with await signed_in(api) as client:
        with pytest.raises(RateLimited) as err:
            await client.create_session_event(APP, "s-1", "note", {"a": 1})
    assert err.value.retry_after == 7
    assert "7 s" in err.value.message
    assert len(api.api_requests()) == 1


def _reset_after_send(request: httpx.Request) -> httpx.Response:
    # What the client sees when the server (or a proxy) dies after reading the request.
    raise httpx.ReadError("Connection reset by peer", request=request)


async def test_post_reset_after_send_is_not_resent_and_says_outcome_unknown() -> None:
    api = FakeApi(_reset_after_send)
    async with await signed_in(api) as client:
        with pytest.raises(TransportError) as err:
            await client.create_session(APP, name="x", version=1)
    assert len(api.api_requests()) == 1
    assert err.value.outcome_unknown
    assert "may or may not have been saved" in err.value.message
    assert "api.test.invalid" in err.value.message


async def test_patch_read_timeout_is_not_resent() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    api = FakeApi(hang)
    async with await signed_in(api) as client:
        with pytest.raises(Timeout) as err:
            await client.update_session_name(APP, "s-1", "new")
    assert err.value.outcome_unknown
    assert len(api.api_requests()) == 1


async def test_get_reset_after_send_is_retried() -> None:
    answers: list[object] = ["reset", json_response(200, session_json())]

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if answer == "reset":
            return _reset_after_send(request)
        assert isinstance(answer, httpx.Response)
        return answer

    api = FakeApi(handler)
    async with await signed_in(api) as client:
        assert (await client.get_session(APP, "s-1")).session_id == "s-1"
    assert len(api.api_requests()) == 2


async def test_post_is_resent_when_the_connection_never_opened() -> None:
    answers: list[object] = ["refused", json_response(201, session_json())]

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if answer == "refused":
            raise httpx.ConnectError("Connection refused", request=request)
        assert isinstance(answer, httpx.Response)
        return answer

    api = FakeApi(handler)
    async with await signed_in(api) as client:
        created = await client.create_session(APP, name="Pump 7", version=1)
    assert created.name == "Pump 7"
    assert [r.method for r in api.api_requests()] == ["POST", "POST"]


async def test_401_refreshes_once_and_resends_once() -> None:
    api = FakeApi()
    api.handler = lambda r: (
        json_response(200, session_json())
        if r.headers["Authorization"] == f"Bearer {api.issued[-1]}" and api.refreshes
        else json_response(401, {"error": "Token revoked"})
    )
    async with await signed_in(api) as client:
        assert (await client.get_session(APP, "s-1")).session_id == "s-1"
    assert api.refreshes == 1
    assert len(api.api_requests()) == 2


async def test_second_401_after_refresh_is_an_auth_error_not_a_loop() -> None:
    api = FakeApi(lambda r: json_response(401, {"error": "No authorization token found"}))
    async with await signed_in(api) as client:
        with pytest.raises(AuthError) as err:
            await client.get_session(APP, "s-1")
    assert not isinstance(err.value, SignInRequired)
    assert api.refreshes == 1
    assert len(api.api_requests()) == 2


async def test_concurrent_401s_share_one_refresh() -> None:
    api = FakeApi()
    api.refresh_delay = 0.2  # keep the refresh in flight while every request hits its 401
    first_token: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == f"Bearer {first_token[0]}":
            return json_response(401, {"error": "expired"})
        return json_response(200, session_json())

    api.handler = handler
    async with await signed_in(api) as client:
        first_token.append(api.issued[0])
        results = await asyncio.gather(*(client.get_session(APP, "s-1") for _ in range(10)))
    assert len(results) == 10
    assert api.refreshes == 1
    assert len(api.api_requests()) == 20  # each request: one 401 and one successful resend


async def test_proactive_refresh_before_expiry() -> None:
    api = FakeApi(lambda r: json_response(200, session_json()), ttl=1)
    async with await signed_in(api) as client:
        await asyncio.sleep(1.0)  # the 1 s token is now inside (or past) its refresh margin
        await client.get_session(APP, "s-1")
    paths = [r.url.path.rsplit("/", 1)[-1] for r in api.requests]
    assert paths == ["demo", "refresh", "s-1"]
    assert api.api_requests()[0].headers["Authorization"] == f"Bearer {api.issued[-1]}"


async def test_rejected_refresh_raises_sign_in_required_and_keeps_identity() -> None:
    api = FakeApi(lambda r: json_response(401, {"error": "expired"}))
    async with await signed_in(api) as client:
        seen: list[str | None] = []
        client.add_token_listener(lambda: seen.append(client.refresh_token))
        api.refresh_status = 401
        with pytest.raises(SignInRequired) as err:
            await client.get_session(APP, "s-1")
        assert "password" in err.value.message
        assert not client.is_signed_in
        assert client.user_id == "u-123" and client.realm == "demo" and client.username == "tech"
        assert seen == [None]  # the app learns the stored refresh token must go


async def test_cancelled_waiter_does_not_cancel_the_shared_refresh() -> None:
    api = FakeApi(lambda r: json_response(200, session_json()))
    api.refresh_delay = 0.3
    async with await signed_in(api) as client:
        before = client.refresh_token
        waiter = asyncio.create_task(client.refresh())
        await asyncio.sleep(0.05)
        waiter.cancel()
        await client.refresh()  # joins the same refresh, which must complete
    assert api.refreshes == 1
    assert client.refresh_token != before


async def test_no_retry_policy_sends_once() -> None:
    api = FakeApi(lambda r: json_response(503, {"error": "busy"}))
    client = await signed_in(api, retry=NO_RETRY)
    async with client:
        with pytest.raises(ServerError):
            await client.get_session(APP, "s-1")
    assert len(api.api_requests()) == 1


class _BreaksMidBody(httpx.AsyncByteStream):
    """Headers arrive, then the connection drops half-way through the body."""

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield b'{"sessionId": "s-1", '
        raise httpx.ReadError("Connection reset by peer")


async def test_get_whose_body_breaks_is_retried() -> None:
    answers = [httpx.Response(200, stream=_BreaksMidBody()), json_response(200, session_json())]
    api = FakeApi(lambda r: answers.pop(0))
    async with await signed_in(api) as client:
        assert (await client.get_session(APP, "s-1")).session_id == "s-1"
    assert len(api.api_requests()) == 2


async def test_post_whose_answer_breaks_is_not_resent() -> None:
    api = FakeApi(lambda r: httpx.Response(201, stream=_BreaksMidBody()))
    async with await signed_in(api) as client:
        with pytest.raises(TransportError) as err:
            await client.create_session(APP, name="x", version=1)
    assert err.value.outcome_unknown and len(api.api_requests()) == 1
