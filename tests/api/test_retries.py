"""Which requests are resent, how often, after how long: counted at a scripted server.

httpx.MockTransport stands in for the API because the sandbox cannot answer 429/502/503/504 or drop
a connection on demand; every assertion is on what that server received.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from skydesk.api import ApiError, NotFound, RateLimited, RetryPolicy, ServerError, SkylightClient
from skydesk.api.errors import TransportError, parse_retry_after

from .fakes import APP, FakeApi, json_response, session_json, signed_in

MEDIA = {
    "mediaId": "m-1",
    "sessionId": "s-1",
    "applicationId": APP,
    "filename": "f.bin",
    "totalBytes": 3,
    "uploadedBytes": 3,
    "createdAt": "2026-01-01T00:00:00Z",
    "modifiedAt": "2026-01-01T00:00:00Z",
}

Call = Callable[[SkylightClient], Awaitable[Any]]
# One public SDK call per HTTP method, and the answer a healthy server gives it.
CALLS: dict[str, tuple[Call, httpx.Response]] = {
    "GET": (lambda c: c.get_session(APP, "s-1"), json_response(200, session_json())),
    "PUT": (lambda c: c.upload_media_content(APP, "s-1", "m-1", b"abc"), json_response(200, MEDIA)),
    "DELETE": (lambda c: c.delete_session_media(APP, "s-1", "m-1"), httpx.Response(204)),
    "POST": (lambda c: c.create_session_event(APP, "s-1", "note", {}), json_response(201, {"eventId": "e"})),
    "PATCH": (lambda c: c.update_session_name(APP, "s-1", "n"), json_response(200, session_json())),
}


def _failure(kind: str, request: httpx.Request) -> httpx.Response:
    if kind == "reset":  # the request went out, then the connection died: the outcome is unknown
        raise httpx.ReadError("Connection reset by peer", request=request)
    return json_response(int(kind), {"error": "not now"}, {"Retry-After": "0"})


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("kind", ["429", "502", "503", "504", "reset"])
async def test_idempotent_requests_are_retried(method: str, kind: str) -> None:
    call, ok = CALLS[method]
    answers: list[str] = [kind, kind, "ok"]

    def handler(request: httpx.Request) -> httpx.Response:
        return ok if answers.pop(0) == "ok" else _failure(kind, request)

    api = FakeApi(handler)
    async with await signed_in(api) as client:
        await call(client)
    assert [r.method for r in api.api_requests()] == [method] * 3


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("kind", ["429", "502", "503", "504", "reset"])
async def test_post_and_patch_are_sent_once(method: str, kind: str) -> None:
    call, _ = CALLS[method]
    api = FakeApi(lambda r: _failure(kind, r))
    async with await signed_in(api) as client:
        with pytest.raises(ApiError) as err:
            await call(client)
    assert [r.method for r in api.api_requests()] == [method]
    if kind == "reset":
        assert isinstance(err.value, TransportError) and err.value.outcome_unknown


def test_backoff_is_exponential_capped_and_jittered() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0)
    for attempt, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)):
        delays = [policy.delay(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempt, min(delays), max(delays))
        assert max(delays) - min(delays) > ceiling / 10  # spread out, not one fixed value
    waits = [policy.delay(1, retry_after=7.0) for _ in range(50)]
    assert all(7.0 <= w <= 7.5 for w in waits)  # the server's Retry-After is a floor


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("-3") == 0.0
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (parse_retry_after(soon) or 0) <= 30
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


async def test_a_retry_after_beyond_the_time_budget_fails_at_once() -> None:
    api = FakeApi(lambda r: json_response(503, {"error": "maintenance"}, {"Retry-After": "3600"}))
    policy = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05, total_budget=10.0)
    async with await signed_in(api, retry=policy) as client:
        t0 = time.monotonic()
        with pytest.raises(ServerError, match="maintenance"):
            await client.get_session(APP, "s-1")
    assert time.monotonic() - t0 < 5  # did not sit out the hour
    assert len(api.api_requests()) == 1


async def test_retries_stop_when_the_time_budget_is_spent() -> None:
    api = FakeApi(lambda r: json_response(429, {"error": "slow down"}, {"Retry-After": "0.4"}))
    policy = RetryPolicy(max_attempts=100, base_delay=0.01, max_delay=0.05, total_budget=1.0)
    async with await signed_in(api, retry=policy) as client:
        t0 = time.monotonic()
        with pytest.raises(RateLimited) as err:
            await client.get_session(APP, "s-1")
        took = time.monotonic() - t0
    assert err.value.retry_after == pytest.approx(0.4)
    assert 2 <= len(api.api_requests()) <= 3  # ~0.4-0.41 s apart inside a 1 s budget
    assert took < 1.5


async def test_a_resent_delete_that_finds_nothing_has_done_its_job() -> None:
    # The first DELETE is applied, but the answer is lost; the resend then finds nothing to delete.
    deleted: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if deleted:
            return json_response(404, {"error": "No such media"})
        deleted.append(request.url.path)
        raise httpx.ReadError("Connection reset by peer", request=request)

    api = FakeApi(handler)
    async with await signed_in(api) as client:
        await client.delete_session_media(APP, "s-1", "m-1")  # no NotFound for a job done
    assert len(api.api_requests()) == 2


async def test_a_delete_of_something_missing_is_still_not_found() -> None:
    api = FakeApi(lambda r: json_response(404, {"error": "No such media"}))
    async with await signed_in(api) as client:
        with pytest.raises(NotFound, match="No such media"):
            await client.delete_session_media(APP, "s-1", "m-1")
    assert len(api.api_requests()) == 1
