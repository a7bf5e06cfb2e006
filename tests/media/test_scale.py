"""500 items: paging by cursor, scrolling end to end, thumbnails only for what was in view."""

from __future__ import annotations

import time
from typing import Any

from skydesk.ui.media_tab import MediaTab
from tests.media.helpers import fill_with_images, new_session
from tests.support.qt import wait_until


async def test_500_items_scroll_with_thumbnails_for_the_rows_seen(
    services: Any, tech: Any, app_id: str, sandbox: Any, qtbot: Any
) -> None:
    sid = await new_session(tech, app_id)
    ids = fill_with_images(sandbox, app_id, sid, 500)
    tab = MediaTab(services.media)
    qtbot.addWidget(tab)
    tab.resize(900, 600)
    tab.show()
    services.media.open(app_id, sid)
    model = services.media.model
    await wait_until(lambda: model.rowCount() == 100, 60, what="first page")
    bar = tab.table.verticalScrollBar()
    steps: list[float] = []
    # Scroll a screenful at a time to the end; the view asks for the next pages as it nears the bottom.
    while bar.value() < bar.maximum() or model.canFetchMore() or model._fetching:
        bar.setValue(bar.value() + bar.pageStep())
        started = time.perf_counter()
        tab.table.viewport().repaint()
        steps.append(time.perf_counter() - started)
        await wait_until(lambda: not model._fetching, 60, what="next page")
    assert model.rowCount() == 500 and [m.media_id for m in model.items] == ids
    last = model.items[-1]
    table = tab.table

    def last_row_in_view() -> bool:
        # The last page's rows are laid out on a later loop pass than the one that appended them: until
        # then the scroll bar's maximum is the old one, and the loop above can stop short of the end.
        bar.setValue(bar.maximum())
        return table.viewport().rect().intersects(table.visualRect(model.index(model.rowCount() - 1, 0)))

    await wait_until(last_row_in_view, 60, what="the last row scrolled into view")
    table.viewport().repaint()  # the rows of the last page, now in view, ask for theirs
    await wait_until(lambda: services.thumbnails.ready_for(last), 60, what="the rows in view at the end")
    await wait_until(lambda: services.thumbnails.pending == 0, 60, what="thumbnails settled")
    fetched = sum(1 for i in ids if sandbox.service.content_downloads[i])
    # Rows scrolled past quickly are dropped from the queue: far fewer than 500 are fetched.
    assert 0 < fetched < 250, fetched
    steps.sort()
    print(
        f"\n500 items: {len(steps)} scroll steps, repaint median {steps[len(steps) // 2] * 1000:.1f} ms, "
        f"max {steps[-1] * 1000:.1f} ms; {fetched} thumbnails fetched"
    )
