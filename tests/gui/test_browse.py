"""Browsing: filters (status, name, property), server sort by header click, and paging to the end."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from skydesk.models.session_columns import COL_NAME, COL_STATUS, FIXED_HEADERS
from tests.gui.helpers import signed_in_window, visible_column, wait_loaded
from tests.support.qt import wait_until

SITE_COL = len(FIXED_HEADERS)  # the first property column is "site"


async def _reloaded(window: Any, action: Any) -> None:
    """Run ``action`` and wait for the list load it starts to finish."""
    model = window.services.browser.model
    starts: list[str] = []
    model.stateChanged.connect(starts.append)
    action()
    await wait_until(lambda: "loading" in starts, 5, what="a new load to start")
    await wait_loaded(window)


def _click_header(window: Any, column: int) -> None:
    header = window.workspace.sessions.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


async def test_filter_by_status_name_and_property(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    bar = window.workspace.sessions.filter_bar
    everything = visible_column(window, COL_NAME)
    assert len(everything) > 5

    await _reloaded(window, lambda: bar.status.setCurrentIndex(bar.status.findData("closed")))
    statuses = visible_column(window, COL_STATUS)
    assert statuses and set(statuses) == {"Closed"}
    await _reloaded(window, lambda: bar.status.setCurrentIndex(bar.status.findData(None)))

    # Typing is debounced: one load after the user stops, not one per keystroke.
    await _reloaded(window, lambda: QTest.keyClicks(bar.search, "pump"))
    names = visible_column(window, COL_NAME)
    assert names and all("pump" in n.lower() for n in names)
    assert len(names) < len(everything)
    await _reloaded(window, bar.search.clear)

    site = visible_column(window, SITE_COL)[0]
    bar.more.click()
    assert bar.property_filter.isVisible()
    await _reloaded(window, lambda: bar.property_filter.setText(f"site = {site}"))
    sites = visible_column(window, SITE_COL)
    assert sites and set(sites) == {site}
    shown = len(sites)

    bar.property_filter.setText("site")  # no '=': explained inline, and the list stays as it was
    assert bar.property_error.isVisible()
    assert "key = value" in bar.property_error.text()
    await asyncio.sleep(0.5)  # longer than the debounce
    assert len(visible_column(window, SITE_COL)) == shown


async def test_header_click_sorts_on_the_server(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")

    await _reloaded(window, lambda: _click_header(window, COL_NAME))
    names = visible_column(window, COL_NAME)
    assert window.services.browser.filters.sort == "name"
    assert names == sorted(names, key=str.casefold)

    await _reloaded(window, lambda: _click_header(window, COL_NAME))
    names = visible_column(window, COL_NAME)
    assert window.services.browser.filters.sort == "-name"
    assert names == sorted(names, key=str.casefold, reverse=True)
    header = window.workspace.sessions.table.horizontalHeader()
    assert header.sortIndicatorSection() == COL_NAME
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

    _click_header(window, COL_STATUS)  # not sortable on the server: nothing changes
    await asyncio.sleep(0.2)
    assert window.services.browser.filters.sort == "-name"
    assert header.sortIndicatorSection() == COL_NAME


async def test_scrolling_pages_to_the_end_of_1000_sessions(make_window: Any, make_sandbox: Any) -> None:
    sb = make_sandbox(seed=0)
    service = sb.service
    tech = service.actor_by_username("tech")
    app_id = next(a.application_id for a in sb.info.applications if a.name == "Field Inspection")
    for i in range(1000):
        service.create_session(
            tech, app_id, {"name": f"Bulk session {i:04d}", "version": 3, "participants": []}
        )

    window = await signed_in_window(make_window, sb, "tech")
    index = window.app_combo.findData(app_id)
    if window.app_combo.currentIndex() != index:
        await _reloaded(window, lambda: window.app_combo.setCurrentIndex(index))
    model = window.services.browser.model
    table = window.workspace.sessions.table
    assert model.total == 1000
    assert len(model.sessions()) < 1000, "the first page is not everything"

    async def scroll_to_end() -> bool:
        table.scrollToBottom()
        await asyncio.sleep(0.02)
        return not model.has_more and model.state == "none"

    for _ in range(2000):
        if await scroll_to_end():
            break
    assert len(model.sessions()) == 1000, (
        f"paging stopped at {len(model.sessions())}: has_more={model.has_more} state={model.state!r} "
        f"stale={window.services.browser.stale}"
    )
    assert len({s.session_id for s in model.sessions()}) == 1000, "no page was loaded twice"
    assert window.workspace.sessions.count_label.text() == "1000 sessions"
    assert model.rowCount() == 1000, "no loading row is left at the end"


async def test_participant_creator_and_date_filters_with_the_empty_state(
    make_window: Any, sandbox: Any
) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    bar = window.workspace.sessions.filter_bar
    model = window.services.browser.model
    bar.more.click()
    sam = sandbox.info.user("sam")

    await _reloaded(window, lambda: (bar.participant.setText(sam.id), bar._on_debounce_timeout()))
    assert model.sessions() and all(any(p.id == sam.id for p in s.participants) for s in model.sessions())
    await _reloaded(window, lambda: (bar.participant.clear(), bar._on_debounce_timeout()))

    creator = model.sessions()[0].created_by
    await _reloaded(window, lambda: (bar.created_by.setText(creator), bar._on_debounce_timeout()))
    assert model.sessions() and {s.created_by for s in model.sessions()} == {creator}

    def far_past() -> None:
        bar.created.start.setDate(bar.created.start.date().addYears(-60))
        bar.created.end.setDate(bar.created.start.date().addDays(1))
        bar.created.enabled.setChecked(True)

    await _reloaded(window, far_past)
    assert model.sessions() == []
    assert model.index(0, COL_NAME).data() == "No sessions match these filters"
    label = window.workspace.sessions.count_label
    # The count without filters is asked for after the page (a second, quiet request).
    await wait_until(lambda: label.text().endswith("(filtered)"), 10, what="the count without filters")
    assert label.text().startswith("0 of ") and label.text().endswith(" sessions (filtered)"), label.text()


async def test_the_list_keeps_its_rows_while_rest_is_down_and_reloads_by_itself_when_it_is_back(
    make_window: Any, make_sandbox: Any
) -> None:
    sb = make_sandbox(seed=6)
    window = await signed_in_window(make_window, sb, "tech")
    model = window.services.browser.model
    pane = window.workspace.sessions
    shown = visible_column(window, COL_NAME)
    sb.stop_api()
    try:
        window.refresh_action.trigger()  # F5
        await wait_until(pane.banner.isVisible, 30, what="the banner above the list")
        host = sb.info.api_url.split("://", 1)[1]
        text = pane.banner.text()
        assert text.startswith("The session list may be out of date") and text.count(host) == 1, text
        assert pane.banner.action_button.isVisible() and pane.banner.action_button.text() == "Retry"
        assert visible_column(window, COL_NAME) == shown  # the rows stay
        assert model.state == "none"
        await wait_until(lambda: window.status.api_label.text() == "API: problem", 5, what="the API state")
        resets: list[int] = []
        model.modelReset.connect(lambda: resets.append(1))
    finally:
        sb.start_api()  # the same port
    # Nobody clicks Retry: the app notices the API is back and reloads the list once.
    await wait_until(lambda: not pane.banner.isVisible(), 40, what="the banner to go")
    await wait_until(lambda: window.status.api_label.text() == "API: online", 10, what="API: online")
    assert len(resets) == 1
    assert visible_column(window, COL_NAME) == shown
