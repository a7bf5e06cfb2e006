"""SessionBrowserController against the real sandbox: paging, server filters and sort, cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from skydesk.api import SkylightClient
from skydesk.models.browser import PAGE_KEY
from skydesk.models.filters import SessionFilters
from skydesk.models.session_columns import COL_CREATED, COL_NAME
from tests.models.helpers import open_app, settled, sign_in
from tests.support.qt import SignalRecorder, wait_until


async def _server_ids(sb: Any, app: str, user: str = "dispatch", **filters: Any) -> list[str]:
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as client:
        await client.login(sb.info.realm, user, f"{user}-demo-pw")
        return [s.session_id async for s in client.iter_sessions(app, **filters)]


async def test_page_to_the_end_of_1000_sessions(
    make_sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    sb = make_sandbox(seed=1000)
    svc = make_services()
    svc.browser.page_size = 100
    await sign_in(svc, profile_of(sb), user="dispatch")
    model = svc.browser.model
    svc.browser.load_applications()
    await wait_until(lambda: svc.browser.applications, what="applications")
    counts = {}
    for app in svc.browser.applications:
        counts[app.application_id] = len(await _server_ids(sb, app.application_id))
    assert sum(counts.values()) == 1000
    biggest = max(counts, key=lambda k: counts[k])
    svc.browser.set_application(biggest)
    await settled(svc)
    assert model.total == counts[biggest] > 100
    assert len(model.sessions()) == 100
    pages = 1
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        assert model.state == "loading" and model.state_text == "Loading more sessions…"
        await settled(svc)
        pages += 1
    ids = [s.session_id for s in model.sessions()]
    assert len(ids) == len(set(ids)) == counts[biggest] == model.total
    assert ids == await _server_ids(sb, biggest)  # creation order, nothing skipped or repeated
    assert pages == -(-counts[biggest] // 100)
    assert model.rowCount() == len(ids)  # no state row left at the end


async def test_filters_and_sort_reach_the_server(sandbox: Any, make_services: Any, profile_of: Any) -> None:
    svc = make_services()
    await sign_in(svc, profile_of(sandbox), user="dispatch")
    app = await open_app(svc, "Field Inspection")
    model = svc.browser.model
    everything = [s.session_id for s in model.sessions()]
    assert len(everything) == model.total > 5

    svc.browser.set_filters(
        SessionFilters(status="open", properties={"site": ["North Yard", "Harbor Terminal"]})
    )
    await settled(svc)
    shown = model.sessions()
    expected = await _server_ids(
        sandbox, app, status="open", properties={"site": ["North Yard", "Harbor Terminal"]}
    )
    assert [s.session_id for s in shown] == expected
    assert 0 < len(shown) < len(everything)
    assert all(
        s.status == "open" and s.properties["site"] in ("North Yard", "Harbor Terminal") for s in shown
    )
    assert model.total == len(expected)

    # A header click sorts on the server.
    svc.browser.set_filters(SessionFilters())
    await settled(svc)
    model.sort(COL_NAME, Qt.SortOrder.DescendingOrder)
    await settled(svc)
    assert svc.browser.filters.sort == "-name"
    assert [s.session_id for s in model.sessions()] == await _server_ids(sandbox, app, sort="-name")
    model.sort(COL_CREATED, Qt.SortOrder.AscendingOrder)
    await settled(svc)
    assert [s.session_id for s in model.sessions()] == everything

    # Nothing matches: the empty state has words.
    svc.browser.set_filters(SessionFilters(name="no session is called this"))
    await settled(svc)
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == "No sessions match these filters"
    assert svc.settings.filters["name"] == "no session is called this"  # remembered for next start


async def test_new_filter_cancels_the_superseded_load(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    svc = make_services()
    await sign_in(svc, profile_of(sandbox), user="dispatch")
    await open_app(svc, "Field Inspection")
    svc.browser.set_filters(SessionFilters(status="closed"))
    first = svc.tasks.get(f"op.read.{PAGE_KEY}")
    svc.browser.set_filters(SessionFilters(status="open"))
    await settled(svc)
    assert first is not None and first.cancelled()
    statuses = {s.status for s in svc.browser.model.sessions()}
    assert statuses == {"open"}


async def test_a_failed_refresh_keeps_the_rows_and_the_list_reloads_once_the_api_is_back(
    make_sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    sb = make_sandbox(seed=20)
    svc = make_services()
    await sign_in(svc, profile_of(sb), user="dispatch")
    await open_app(svc, "Field Inspection")
    model = svc.browser.model
    before = [s.session_id for s in model.sessions()]
    problems = SignalRecorder(svc.ops.problem_raised)
    sb.stop_api()
    try:
        svc.browser.refresh()
        problem = (await problems.wait("problem_raised", within=30))[0]
        await settled(svc)
        assert [s.session_id for s in model.sessions()] == before  # one failure never empties the list
        assert model.state == "none" and svc.browser.stale
        assert problem.scope == "list" and problem.kind == "offline" and problem.action_label == "Retry"
        assert problem.message.startswith("The session list may be out of date")
        assert problem.message.count("127.0.0.1") == 1
    finally:
        sb.start_api()
    # Another request succeeds (here: the applications): the stale list reloads by itself, once.
    loads = SignalRecorder(model.modelReset)
    svc.browser.load_applications()
    await wait_until(lambda: not svc.browser.stale, 30, what="the list to reload")
    await settled(svc)
    assert len(loads.args("modelReset")) == 1
    assert [s.session_id for s in model.sessions()] == before


async def test_the_last_page_done_does_not_free_the_guard_of_the_next_page(
    make_sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    """A view may ask for the next page as soon as one arrived, before that page's task has finished.

    The finished page's done-callback used to clear the fetchMore guard of the page then in flight, so the
    next scroll asked again and cancelled it mid-request (under load a cancelled request once left the
    list 'loading' for good).
    """
    sb = make_sandbox(seed=2000)
    svc = make_services()
    svc.browser.page_size = 100
    await sign_in(svc, profile_of(sb), user="dispatch")
    svc.browser.load_applications()
    await wait_until(lambda: svc.browser.applications, what="applications")
    model = svc.browser.model
    apps = svc.browser.applications
    counts = {a.application_id: len(await _server_ids(sb, a.application_id)) for a in apps}
    biggest = max(counts, key=lambda k: counts[k])
    assert counts[biggest] > 300
    svc.browser.set_application(biggest)
    await settled(svc)
    assert model.canFetchMore(QModelIndex())

    next_pages: list[Any] = []
    guard_cleared = model.fetch_finished

    def ask_at_once() -> None:  # like a view whose viewport is not full yet: asks as soon as it may
        guard_cleared()
        if model.canFetchMore(QModelIndex()) and not next_pages:
            model.fetchMore(QModelIndex())
            next_pages.append(svc.tasks.get(f"op.read.{PAGE_KEY}"))

    model.fetch_finished = ask_at_once  # type: ignore[method-assign]
    sb.faults.set_latency(rest=1.0)  # the next page stays in flight while the loop runs on
    try:
        model.fetchMore(QModelIndex())
        await wait_until(lambda: next_pages, what="the next page asked for as soon as one arrived")
        for _ in range(20):
            await asyncio.sleep(0.01)  # the arrived page's done-callbacks run
        assert not next_pages[0].done(), "the next page is still in flight"
        assert not model.canFetchMore(QModelIndex()), "no second request while one is in flight"
    finally:
        sb.faults.clear()
        del model.fetch_finished
    await settled(svc)
    assert not next_pages[0].cancelled()
    ids = [s.session_id for s in model.sessions()]
    assert len(ids) == len(set(ids)) == 300
