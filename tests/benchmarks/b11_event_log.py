"""B11: the event log holding 10,000 events, a free-text filter applied, against ``re.search`` over them.

The app's figure runs from setting the filter until the log's table has painted the matches, on a fresh log
each run (its first text search also builds each entry's search text, as a user's first filter does). The
heartbeat's longest gap meanwhile is the stall; the target needs both.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

from tests.benchmarks.app_harness import AppHarness, PaintProbe
from tests.benchmarks.b5_stall import Heartbeat
from tests.benchmarks.harness import RUNS, Samples, row
from tests.benchmarks.sandbox_proc import storm_payloads

EVENTS = 10_000
TEXT = "north yard"  # a site: a few percent of the events mention it
SITES = ["North Yard", "Harbor Terminal", "Depot 14", "East Reservoir", "Quarry Road Site"]


def payloads(count: int) -> list[bytes]:
    """``count`` session_updated payloads over 300 sessions shaped like the sandbox's."""
    user = str(uuid.uuid5(uuid.NAMESPACE_URL, "bench-user"))
    sessions = []
    for i in range(300):
        at = "2026-11-30T08:00:00.000Z"
        sessions.append(
            {
                "sessionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-session-{i}")),
                "applicationId": "83a330d32d2163ac868d5745",
                "version": 3,
                "name": f"Inspect pump PMP-{i:04d} at {SITES[i % len(SITES) if i % 7 == 0 else 1]}",
                "description": f"Work order WO-{100000 + i}",
                "participants": [{"id": user, "type": "user", "isGuest": False}],
                "status": "open",
                "properties": {"site": SITES[1 if i % 7 else i % len(SITES)], "orderId": f"WO-{100000 + i}"},
                "createdBy": user,
                "createdAt": at,
                "modifiedBy": user,
                "modifiedAt": at,
                "isDraft": False,
            }
        )
    messages, _final = storm_payloads(sessions, count, 0, user)
    return [body for _suffix, body in messages]


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """Alternate ``re.search`` over the payload texts and the app filtering a fresh, full log."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMainWindow

    from skydesk.events.types import parse_event
    from skydesk.models.event_log import EventFilter
    from skydesk.models.event_log_model import EventLogController
    from skydesk.ui.event_log_dock import EventLogDock

    count = 2_000 if quick else EVENTS
    bodies = payloads(count)
    texts = [b.decode() for b in bodies]
    harness = AppHarness(workdir)
    samples = Samples()
    matched = [0]

    def floor() -> float:
        started = time.perf_counter()
        pattern = re.compile(re.escape(TEXT), re.IGNORECASE)
        hits = [t for t in texts if pattern.search(t)]
        took = time.perf_counter() - started
        matched[0] = len(hits)
        return took

    async def skydesk() -> tuple[float, float]:
        controller = EventLogController(limit=count)
        window = QMainWindow()
        dock = EventLogDock(controller, window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        window.resize(1280, 800)
        dock.show()
        window.show()
        controller.add_events([parse_event(b) for b in bodies])
        await _settle()
        model = controller.model
        probe = PaintProbe(dock.table.viewport(), lambda: model.rowCount() == matched[0])
        heartbeat = Heartbeat()
        heartbeat.start("filter")
        started = time.perf_counter()
        controller.set_filter(EventFilter(text=TEXT))
        painted = await probe.painted
        heartbeat.stop()
        window.close()
        window.deleteLater()
        return painted - started, heartbeat.worst["filter"][0]

    try:
        floor()
        harness.run(skydesk)
        for _ in range(RUNS):
            samples.floor.append(floor())
            took, stall = harness.run(skydesk)
            samples.skydesk.append(took)
            samples.add_extra("stall_ms", stall)
    finally:
        harness.close()
    stalls = sorted(samples.extra["stall_ms"])
    stall = stalls[len(stalls) // 2]
    what = f"Event log of {count:,} events: text filter shown ({matched[0]:,} match); stall {stall:.0f} ms"
    result = row("B11", what, "s", samples, max_ratio=3.0, ok=stall <= 50.0)
    result["target"] = "<= 3x; stall <= 50 ms"
    return result


async def _settle() -> None:
    import asyncio

    await asyncio.sleep(0.2)  # let the log's first paint of 10,000 rows finish before timing
