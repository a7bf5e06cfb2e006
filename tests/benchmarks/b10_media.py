"""B10: a session's media tab with 500 items, until the visible rows show their thumbnails; and the stall.

The app's figure runs from bringing the Media tab into view (which lists the first page and asks for the
thumbnails of the rows in view) until every visible row's thumbnail is in memory and painted, with empty
memory and disk caches each run. The floor is the least that job needs over HTTP: the same first page and
one download after another of the same visible items' content. The stall is the longest heartbeat gap
while scrolling the tab from the first item to the 500th (pages and thumbnails load as it goes).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.app_harness import AppHarness, PaintProbe, first_page_loaded, sign_in, until
from tests.benchmarks.b5_stall import FRAME_MS, Heartbeat
from tests.benchmarks.harness import RUNS, BareClient, Samples, SandboxProcess, row

ITEMS = 500


def visible_rows(table: Any) -> list[int]:
    """The rows the media table shows now."""
    model = table.model()
    first = max(0, table.rowAt(0))
    last = table.rowAt(table.viewport().height() - 1)
    last = model.rowCount() - 1 if last < 0 else last
    return list(range(first, last + 1))


async def open_session(window: Any, session_id: str) -> None:
    """Select the session in the list and wait for its details."""
    window.workspace.sessions.select_session(session_id)
    detail = window.services.detail
    await until(lambda: detail.session is not None and detail.session.session_id == session_id, what="detail")


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """Alternate the bare downloads and the app's tab; then scroll to the end once per run for the stall."""
    count = 150 if quick else ITEMS
    with SandboxProcess(200, workdir) as sandbox:
        info = sandbox.info
        app_id = info.field_inspection
        filled = sandbox.request(
            {"cmd": "fill_media", "username": "dispatch", "application_id": app_id, "count": count}
        )
        session_id = filled["session_id"]
        bare = BareClient(info)
        bare.login()
        harness = AppHarness(workdir)
        samples = Samples()
        try:
            harness.run(lambda: _measure(harness, info, bare, session_id, count, samples))
        finally:
            bare.close()
            harness.close()
    stalls = sorted(samples.extra["stall_ms"])
    stall = stalls[len(stalls) // 2]
    what = f"Media tab of {count} items: thumbnails of the visible rows shown; scrolling stall {stall:.0f} ms"
    result = row("B10", what, "s", samples, max_ratio=1.5, ok=stall <= 50.0)
    result["target"] = "<= 1.5x; stall <= 50 ms"
    return result


async def _measure(
    harness: AppHarness, info: Any, bare: BareClient, session_id: str, count: int, samples: Samples
) -> None:
    """Everything on one run of the loop (the media tab's HTTP needs its tasks to stay on one run)."""
    from PySide6.QtCore import QModelIndex

    from skydesk.models.media import MediaRole

    app_id = info.field_inspection
    window = harness.window()
    sign_in(window, info)
    await first_page_loaded(window)
    await open_session(window, session_id)
    services, tab, tabs = window.services, window.media_tab, window.workspace.detail_pane.tabs
    model, thumbnails = services.media.model, services.thumbnails
    shown: list[list[str]] = []

    def floor() -> float:
        base = f"/v1/application/applications/{app_id}/sessions/{session_id}/media"
        started = time.perf_counter()
        response = bare.http.get(base, params={"limit": "100", "archived": "exclude"})
        response.raise_for_status()
        ids = [m["mediaId"] for m in response.json()["data"]][: len(shown[-1])]
        for media_id in ids:
            bare.http.get(f"{base}/{media_id}/content").raise_for_status()
        return time.perf_counter() - started

    async def skydesk() -> float:
        tabs.setCurrentIndex(0)
        thumbnails.forget()
        if thumbnails.cache is not None:
            thumbnails.cache.clear()
        tab.set_session(app_id, session_id)
        await asyncio.sleep(0.1)

        def all_shown() -> bool:
            rows = visible_rows(tab.table)
            items = [model.index(r, 0).data(MediaRole) for r in rows] if model.rowCount() else []
            return bool(items) and all(m is not None and thumbnails.ready_for(m) for m in items)

        probe = PaintProbe(tab.table.viewport(), all_shown)
        started = time.perf_counter()
        tabs.setCurrentWidget(tab)
        painted = await asyncio.wait_for(probe.painted, 300)
        shown.append([str(r) for r in visible_rows(tab.table)])
        return painted - started

    async def scroll_to_end() -> float:
        heartbeat = Heartbeat()
        bar = tab.table.verticalScrollBar()
        bar.setValue(0)
        heartbeat.start("scroll")
        deadline = time.monotonic() + 300
        while bar.value() < bar.maximum() or model.rowCount() < count:
            if time.monotonic() > deadline:
                break
            if bar.value() == bar.maximum() and model.canFetchMore(QModelIndex()):
                model.fetchMore(QModelIndex())  # what the view does when its last row shows
            bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
            await asyncio.sleep(FRAME_MS / 1000)
        await until(lambda: thumbnails.pending == 0, what="the last thumbnails")
        heartbeat.stop()
        if model.rowCount() < count:
            raise RuntimeError(f"scrolled to the end with {model.rowCount()} of {count} items")
        return heartbeat.worst["scroll"][0]

    await skydesk()  # the warm-up pair; it also tells the floor how many rows are in view
    floor()
    for _ in range(RUNS):
        samples.floor.append(floor())
        samples.skydesk.append(await skydesk())
        samples.add_extra("stall_ms", await scroll_to_end())
    samples.extra["visible_rows"] = [float(len(s)) for s in shown]
    await harness.close_window(window)
