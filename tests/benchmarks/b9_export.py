"""B9: exporting sessions to CSV, against bare httpx plus ``csv.writer``; and its peak memory.

Time: alternate runs of the floor and of the app's ExportController (the code behind File > Export) over the
same ~100,000 sessions. Memory: tracemalloc's peak of the app's export of all of them, against its peak for
a tenth of them (a created-before filter): a writer that keeps nothing stays flat (target 1.2x).
"""

from __future__ import annotations

import asyncio
import csv
import gc
import time
import tracemalloc
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.benchmarks.app_harness import AppHarness, first_page_loaded, sign_in
from tests.benchmarks.harness import (
    BareClient,
    SandboxProcess,
    alternate,
    row,
)

COLUMNS = ("Name", "Status", "Participants", "Modified", "site", "priority")
PAGE = 200


def floor_seconds(bare: BareClient, app_id: str, path: Path) -> float:
    """Page through with bare httpx and write the same columns with csv.writer."""
    started = time.perf_counter()
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("Id", *COLUMNS))
        for doc, _size in bare.pages(app_id, PAGE):
            for s in doc["data"]:
                props = s["properties"]
                people = ";".join(p["id"] for p in s["participants"])
                site, priority = props.get("site", ""), props.get("priority", "")
                writer.writerow(
                    (s["sessionId"], s["name"], s["status"], people, s["modifiedAt"], site, priority)
                )
    return time.perf_counter() - started


async def export(services: Any, app: Any, path: Path, filters: Any) -> int:
    """Run one export through the app's controller; the number of sessions written."""
    from skydesk.models.export import ExportController
    from skydesk.models.export_format import CSV, ExportSpec

    controller = ExportController(services.ops, services)
    controller.page_size = PAGE
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    controller.finished.connect(lambda _path, count: done.done() or done.set_result(count))
    controller.failed.connect(lambda message: done.done() or done.set_exception(RuntimeError(message)))
    controller.export_sessions(path, app, filters, ExportSpec(COLUMNS, CSV, bom=False))
    try:
        return await asyncio.wait_for(done, 1800)
    finally:
        controller.deleteLater()


async def peak_megabytes(services: Any, app: Any, path: Path, filters: Any) -> tuple[float, int]:
    """tracemalloc's peak during one export (the app's GUI-thread collector keeps running), and the count."""
    gc.collect()
    tracemalloc.start()
    try:
        count = await export(services, app, path, filters)
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024, count
    finally:
        tracemalloc.stop()


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """Time against the floor, then the two peaks."""
    from skydesk.models.filters import SessionFilters

    realm = 4_000 if quick else 200_000
    with SandboxProcess(realm, workdir) as sandbox:
        info = sandbox.info
        app_id = info.field_inspection
        bare = BareClient(info)
        bare.login()
        harness = AppHarness(workdir)
        try:
            window = harness.run(lambda: _signed_in(harness, info))
            services = window.services
            app = next(a for a in services.browser.applications if a.application_id == app_id)
            counts: list[int] = []

            def skydesk() -> float:
                started = time.perf_counter()
                counts.append(
                    harness.run(lambda: export(services, app, workdir / "app.csv", SessionFilters()))
                )
                return time.perf_counter() - started

            samples = alternate(lambda: floor_seconds(bare, app_id, workdir / "floor.csv"), skydesk)
            tenth = SessionFilters(created_to=_tenth_created_at(bare, app_id))
            small, small_count = harness.run(lambda: peak_megabytes(services, app, workdir / "s.csv", tenth))
            big, big_count = harness.run(
                lambda: peak_megabytes(services, app, workdir / "b.csv", SessionFilters())
            )
            harness.run(lambda: harness.close_window(window))
        finally:
            bare.close()
            harness.close()
    samples.extra["peak_mb"] = [small, big]
    samples.extra["peak_counts"] = [small_count, big_count]
    flat = big <= 1.2 * small
    what = f"Export of {counts[-1]:,} sessions to CSV; peak {big:.1f} MB, {small:.1f} MB for {small_count:,}"
    result = row("B9", what, "s", samples, max_ratio=1.3, ok=flat)
    result["target"] = "<= 1.3x; peak within 1.2x of a tenth's"
    return result


async def _signed_in(harness: AppHarness, info: Any) -> Any:
    window = harness.window()
    sign_in(window, info)
    await first_page_loaded(window)
    return window


def _tenth_created_at(bare: BareClient, app_id: str) -> datetime:
    """A creation time with about a tenth of the application's sessions before it."""
    first = bare.page(app_id, {"limit": "1", "sort": "createdAt"})[0]["data"][0]["createdAt"]
    last = bare.page(app_id, {"limit": "1", "sort": "-createdAt"})[0]["data"][0]["createdAt"]
    start, end = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (first, last))
    return start + (end - start) / 10
