"""The browser reads a page ahead while the view pages: each page asked for once, shown once, never stale."""

from __future__ import annotations

from typing import Any

import httpx
from PySide6.QtCore import QModelIndex

from skydesk.api import SkylightClient
from skydesk.models.filters import SessionFilters
from tests.models.helpers import settled, sign_in
from tests.support.qt import SignalRecorder, wait_until


async def _server_ids(sb: Any, app: str, **filters: Any) -> list[str]:
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as client:
        await client.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
        return [s.session_id async for s in client.iter_sessions(app, **filters)]


def _list_requests(svc: Any) -> list[str | None]:
    """The ``nextCursor`` of every list-of-sessions request the app sends from now on."""
    sent: list[str | None] = []

    async def hook(request: httpx.Request) -> None:
        if request.method == "GET" and request.url.path.endswith("/sessions"):
            sent.append(request.url.params.get("nextCursor"))

    svc.auth.client._http.event_hooks["request"].append(hook)
    return sent


async def _biggest_app(sb: Any, svc: Any, profile_of: Any) -> tuple[str, list[str]]:
    """Sign in and open the application with the most sessions (pages of 100); its ids as the server lists."""
    svc.browser.page_size = 100
    await sign_in(svc, profile_of(sb), user="dispatch")
    svc.browser.load_applications()
    await wait_until(lambda: svc.browser.applications, what="applications")
    ids = {a.application_id: await _server_ids(sb, a.application_id) for a in svc.browser.applications}
    biggest = max(ids, key=lambda k: len(ids[k]))
    assert len(ids[biggest]) > 300
    svc.browser.set_application(biggest)
    await settled(svc)
    return biggest, ids[biggest]


async def test_paging_asks_for_each_page_once_and_the_next_before_the_view_does(
    make_sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    sb = make_sandbox(seed=1000)
    svc = make_services()
    _app, expected = await _biggest_app(sb, svc, profile_of)
    model = svc.browser.model
    sent = _list_requests(svc)
    model.fetchMore(QModelIndex())
    await settled(svc)
    assert model.session_count() == 200
    # The third page went out while the second was shown, before anything asked for it ...
    await wait_until(lambda: len(sent) == 2, what="the page after the one shown, read ahead")
    assert model.session_count() == 200, "a page read ahead is not shown until the view asks"
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        await settled(svc)
    ids = [s.session_id for s in model.sessions()]
    assert ids == expected  # in order, nothing skipped or shown twice
    assert model.rowCount() == len(ids) == model.total
    # ... and no page was asked for twice: each read-ahead was what the view got.
    assert len(sent) == len(set(sent)) == -(-len(expected) // 100) - 1


async def test_a_new_filter_cancels_the_page_read_ahead_and_its_rows_never_show(
    make_sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    sb = make_sandbox(seed=1000)
    svc = make_services()
    app, _ids = await _biggest_app(sb, svc, profile_of)
    model = svc.browser.model
    sb.faults.set_latency(rest=0.5)  # the page read ahead is still on its way when the filter changes
    try:
        model.fetchMore(QModelIndex())
        await settled(svc)
        ahead = svc.browser._pages._ahead
        assert ahead is not None and not ahead[1].done()
        svc.browser.set_filters(SessionFilters(status="closed"))
    finally:
        sb.faults.set_latency(rest=0)
    await settled(svc)
    await wait_until(lambda: ahead[1].done(), what="the read-ahead to end")
    assert ahead[1].cancelled()
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        await settled(svc)
    ids = [s.session_id for s in model.sessions()]
    assert ids == await _server_ids(sb, app, status="closed")
    assert {s.status for s in model.sessions()} == {"closed"}


async def test_a_live_change_beyond_the_loaded_rows_is_not_lost_to_the_page_read_ahead(
    make_sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    sb = make_sandbox(seed=1000)
    svc = make_services()
    app, _ids = await _biggest_app(sb, svc, profile_of)
    await wait_until(lambda: svc.bridge.state == "connected", 30, what="the live stream")
    model = svc.browser.model
    model.fetchMore(QModelIndex())
    await settled(svc)
    pages = svc.browser._pages
    await wait_until(lambda: pages._ahead is not None and pages._ahead[1].done(), what="page 3 read ahead")
    batches = SignalRecorder(svc.bridge.events_batch)
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file, device_id="another-desk") as other:
        await other.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
        # On page 3, which has just been read and is not shown yet; one of dispatch's own, so that its
        # events reach dispatch's stream.
        page3 = [s async for s in other.iter_sessions(app)][200:300]
        target = next(s.session_id for s in page3 if other.user_id in {p.id for p in s.participants})
        assert model.row_of(target) == -1
        renamed = await other.patch_session(app, target, {"name": "Renamed while read ahead"})
    await wait_until(
        lambda: any(e.session_id == target for (batch,) in batches.args("events_batch") for e in batch),
        30,
        what="the rename's event",
    )
    model.fetchMore(QModelIndex())
    await settled(svc)
    row = model.row_of(target)
    assert row >= 0 and model.session_at(row) == renamed  # not the copy read before the rename
