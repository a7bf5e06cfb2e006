"""SessionPages against the real sandbox: the next page asked for early, used once, dropped if not wanted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from skydesk.api import NO_RETRY, NotFound, ServerError, SessionPages, SignInRequired, SkylightClient
from skydesk.api.read_ahead import cursor_hint

from .conftest import sign_in

PAGE = 5


def record_list_requests(client: SkylightClient) -> list[str | None]:
    """The ``nextCursor`` of every list-of-sessions request the client sends from now on (None: page 1)."""
    sent: list[str | None] = []

    async def hook(request: httpx.Request) -> None:
        if request.method == "GET" and request.url.path.endswith("/sessions"):
            sent.append(request.url.params.get("nextCursor"))

    client._http.event_hooks["request"].append(hook)
    return sent


async def until(predicate: Callable[[], Any], within: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_every_page_once_each_asked_for_before_it_is_wanted(
    dispatch: SkylightClient, app_id: str
) -> None:
    expected = [s.session_id async for s in dispatch.iter_sessions(app_id, page_size=PAGE, sort="name")]
    assert len(expected) > 3 * PAGE
    sent = record_list_requests(dispatch)
    pages = SessionPages(dispatch, app_id, limit=PAGE, sort="name")
    ids: list[str] = []
    cursor: str | None = None
    count = 0
    while True:
        page = await pages.page(cursor)
        count += 1
        ids += [s.session_id for s in page.items]
        assert pages.ahead == page.next_cursor  # the next page was asked for before this one came back
        if page.next_cursor is None:
            break
        assert len(sent) == count + 1  # ... and left before this page was handed over
        assert sent[-1] == page.next_cursor
        cursor = page.next_cursor
    assert ids == expected  # in order, nothing skipped or repeated
    assert len(sent) == count  # each page requested exactly once: the read-ahead was used, not re-sent
    assert sent[0] is None and len(set(sent)) == count


async def test_the_next_request_is_written_before_this_page_is_decoded(
    dispatch: SkylightClient, app_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decoding and building a page is one long step: the next request must already be on the wire."""
    steps: list[str] = []  # httpcore's steps of every page request, and each decode, in order
    page_bytes = SkylightClient._session_page_bytes
    page_json = SkylightClient._session_page_json

    async def traced(self: Any, application_id: str, params: Any, trace: Any = None) -> bytes:
        async def spy(step: str, info: dict[str, Any]) -> None:
            steps.append(f"{params.get('nextCursor')} {step}")
            if trace is not None:
                await trace(step, info)

        return await page_bytes(self, application_id, params, spy)

    def decoded(self: Any, application_id: str, content: bytes) -> Any:
        body = page_json(self, application_id, content)
        steps.append(f"decode {body['page'].get('nextCursor')}")
        return body

    monkeypatch.setattr(SkylightClient, "_session_page_bytes", traced)
    monkeypatch.setattr(SkylightClient, "_session_page_json", decoded)
    pages = SessionPages(dispatch, app_id, limit=PAGE)
    cursor: str | None = None
    decodes = 0
    while True:
        page = await pages.page(cursor)
        decodes += 1
        if page.next_cursor is None:
            break
        written = steps.index(f"{page.next_cursor} http11.send_request_headers.complete")
        assert written < steps.index(f"decode {page.next_cursor}"), steps
        cursor = page.next_cursor
    assert decodes > 3


async def test_a_page_is_not_held_back_by_a_next_request_that_cannot_leave(
    dispatch: SkylightClient, app_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A token refresh that hangs (a real server can be that slow; simulated here by holding the token)
    # keeps the read-ahead from leaving: the page already here is handed over all the same.
    release = asyncio.Event()
    calls = 0
    real_token = dispatch._auth.valid_token

    async def token(**kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > 1:  # the first page's own request passes; the read-ahead waits
            await release.wait()
        return await real_token(**kwargs)

    monkeypatch.setattr(dispatch._auth, "valid_token", token)
    pages = SessionPages(dispatch, app_id, limit=PAGE)
    try:
        first = await asyncio.wait_for(pages.page(), 30)
        assert first.items and pages.ahead == first.next_cursor and calls == 2
        release.set()
        second = await asyncio.wait_for(pages.page(first.next_cursor), 30)
        assert second.items and second.items[0].session_id != first.items[0].session_id
    finally:
        release.set()
        pages.close()


async def test_a_page_read_ahead_is_dropped_when_another_is_asked_for_or_it_is_discarded(
    dispatch: SkylightClient, app_id: str
) -> None:
    sent = record_list_requests(dispatch)
    pages = SessionPages(dispatch, app_id, limit=PAGE)
    first = await pages.page()
    second_cursor = first.next_cursor
    assert second_cursor is not None and pages.ahead == second_cursor
    # Starting over (a reload): the page read ahead is cancelled, the first page asked for again.
    again = await pages.page(None)
    assert [s.session_id for s in again.items] == [s.session_id for s in first.items]
    assert sent[:1] == [None] and sent.count(None) == 2
    # Discarded (it may be out of date): the next page is asked for afresh, and read ahead once more.
    pages.discard()
    assert pages.ahead is None
    before = len(sent)
    second = await pages.page(second_cursor)
    assert sent[before] == second_cursor
    assert pages.ahead == second.next_cursor
    pages.discard()


async def test_a_failed_read_ahead_fails_the_page_once_and_asking_again_resends_it(make_sandbox: Any) -> None:
    sb = make_sandbox(seed=30)
    app = next(a.application_id for a in sb.info.applications if a.name == "Field Inspection")
    client = await sign_in(sb, "dispatch")
    client.retry_policy = NO_RETRY
    async with client:
        sent = record_list_requests(client)
        pages = SessionPages(client, app, limit=PAGE)
        sb.faults.fail(500, path="/v1/application/applications/", methods=("GET",), times=1)
        try:
            # The first page itself fails: nothing is read ahead.
            with pytest.raises(ServerError):
                await pages.page()
            assert pages.ahead is None
            # The server holds every answer a second before judging it: the fault below is in place long
            # before the read-ahead, sent as soon as this page arrived, is judged.
            sb.faults.set_latency(rest=1.0)
            first = await pages.page()
            assert first.next_cursor is not None and pages.ahead == first.next_cursor
            sb.faults.fail(500, path="/v1/application/applications/", methods=("GET",), times=1)
            await until(lambda: len(sent) == 3)  # the read-ahead went out (and meets the fault)
            sb.faults.set_latency(rest=0)
            with pytest.raises(ServerError):
                await pages.page(first.next_cursor)  # its failure is this page's, as a request's would be
            second = await pages.page(first.next_cursor)  # asked again: sent again, and it succeeds
            assert sent.count(first.next_cursor) == 2 and second.items
        finally:
            sb.faults.clear()
            pages.discard()


def test_the_cursor_is_read_from_the_end_of_the_bytes_and_only_as_a_hint() -> None:
    tail = b',"page":{"count":5,"limit":5,"total":9,"prevCursor":null,"nextCursor":"c2-_=="}}'
    assert cursor_hint(b'{"data":[{"sessionId":"a"}]' + tail) == "c2-_=="
    assert cursor_hint(b'{"data":[],"page":{"nextCursor" : "spaced"}}') == "spaced"
    assert cursor_hint(b'{"data":[],"page":{"nextCursor":null}}') is None
    assert cursor_hint(b'{"data":[],"page":{"nextCursor":"esc\\"aped"}}') is None  # the decode will say
    # A property called nextCursor in the last session of the last page looks like a cursor: the decoded
    # reply then says there is none, and the page asked for on that hint is dropped (next test).
    assert cursor_hint(b'{"data":[{"properties":{"nextCursor":"x"}}],"page":{"nextCursor":null}}') == "x"


async def test_a_wrong_hint_is_dropped_and_paging_ends_as_the_reply_says(make_sandbox: Any) -> None:
    sb = make_sandbox(seed=30)
    app = next(a.application_id for a in sb.info.applications if a.name == "Site Survey")
    client = await sign_in(sb, "dispatch")
    async with client:
        odd = {"nextCursor": "not-a-cursor"}
        await client.create_session(app, name="Looks like a cursor", properties=odd)
        expected = [s.session_id async for s in client.iter_sessions(app, page_size=50)]
        pages = SessionPages(client, app, limit=50)
        ids: list[str] = []
        cursor: str | None = None
        while True:
            page = await pages.page(cursor)
            ids += [s.session_id for s in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert ids == expected and page.items[-1].properties == odd
        assert pages.ahead is None, "the request made on the wrong hint was dropped"


async def test_closed_pages_read_nothing_ahead_not_even_for_a_page_on_its_way(make_sandbox: Any) -> None:
    sb = make_sandbox(seed=30)
    app = next(a.application_id for a in sb.info.applications if a.name == "Field Inspection")
    client = await sign_in(sb, "dispatch")
    async with client:
        sent = record_list_requests(client)
        pages = SessionPages(client, app, limit=PAGE)
        sb.faults.set_latency(rest=0.5)  # the page is still on its way when its owner is done with it
        try:
            on_its_way = asyncio.ensure_future(pages.page())
            await until(lambda: len(sent) == 1)
            pages.close()
            first = await on_its_way
        finally:
            sb.faults.set_latency(rest=0)
        assert first.next_cursor is not None and first.items  # the page itself still comes
        assert pages.ahead is None and len(sent) == 1, "nothing was asked for after it"


async def test_a_first_page_alone_says_when_its_request_left_and_reads_nothing_ahead(
    dispatch: SkylightClient, app_id: str
) -> None:
    sent = record_list_requests(dispatch)
    pages = SessionPages(dispatch, app_id, limit=PAGE)
    left = asyncio.get_running_loop().create_future()
    answered: list[bool] = []
    left.add_done_callback(lambda _f: answered.append(page_task.done()))
    page_task = asyncio.ensure_future(pages.page(left=left, ahead=False))
    page = await page_task
    assert answered == [False], "told while the page was still on its way"
    assert page.items and page.next_cursor is not None
    assert pages.ahead is None and sent == [None], "the next page was not asked for"

    # A page that failed says so too, whether its request left (not found) or never could (not signed in).
    for client, application, error in (
        (dispatch, "no-such-app", NotFound),
        (SkylightClient(dispatch.api_url, ca_file=dispatch.ca_file), app_id, SignInRequired),
    ):
        ended = asyncio.get_running_loop().create_future()
        with pytest.raises(error):
            await SessionPages(client, application, limit=PAGE).page(left=ended, ahead=False)
        assert ended.done()
        if client is not dispatch:
            await client.aclose()
