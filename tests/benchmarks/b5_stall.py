"""B5: the longest GUI stall during a B4 storm and while scrolling B3's list end to end (heartbeat timer).

The floor is one frame (16 ms); the target is absolute (50 ms), because a frame lasts 16 ms on any machine.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer

from tests.benchmarks.app_harness import AppHarness
from tests.benchmarks.b3_paging import realm_size
from tests.benchmarks.b4_storm import loaded_window
from tests.benchmarks.harness import RUNS, Samples, SandboxProcess, row
from tests.benchmarks.storm import BareSubscriber, ModelWatch, storm

FRAME_MS = 16.0
HEARTBEAT_MS = 5
STORM_ROWS = 1_000  # the storm of B4 changes this many of the listed sessions


class Heartbeat(QObject):
    """A GUI-thread timer: the longest gap between its ticks, and how much of that gap the thread ran.

    On a shared machine a gap can be the OS running someone else; the CPU time the GUI thread used during
    the gap tells that apart from the app blocking its own thread (it is reported, not subtracted).
    """

    def __init__(self, interval_ms: int = HEARTBEAT_MS) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.worst: dict[str, tuple[float, float]] = {}  # phase -> (gap ms, CPU ms during it)
        self.phase = ""

    def start(self, phase: str) -> None:
        """Measure from now on, under ``phase``."""
        self.phase = phase
        self.worst.setdefault(phase, (0.0, 0.0))
        self._last = (time.perf_counter(), time.thread_time())
        self._timer.start()

    def stop(self) -> None:
        """Stop measuring."""
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        now = (time.perf_counter(), time.thread_time())
        gap = ((now[0] - self._last[0]) * 1000, (now[1] - self._last[1]) * 1000)
        self._last = now
        if gap[0] > self.worst[self.phase][0]:
            self.worst[self.phase] = gap


async def scroll_end_to_end(window: Any) -> None:
    """Page down through the whole list, one step per frame, as holding Page Down does."""
    bar = window.workspace.sessions.table.verticalScrollBar()
    bar.setValue(0)
    await asyncio.sleep(0.05)
    value = 0
    while value < bar.maximum():
        value = min(bar.maximum(), value + bar.pageStep())
        bar.setValue(value)
        await asyncio.sleep(FRAME_MS / 1000)


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """Each run: a scroll through the whole list, then a storm; the longest heartbeat gap of either."""
    count = 1_000 if quick else 20_000
    with SandboxProcess(realm_size(quick), workdir) as sandbox:
        info = sandbox.info
        harness = AppHarness(workdir)
        subscriber = None
        try:
            window = harness.run(lambda: loaded_window(harness, info))
            services = window.services
            rows = len(services.browser.model.sessions())
            subscriber = BareSubscriber(info, services.auth.client.user_id, workdir)
            watch = ModelWatch(services)
            samples = Samples()
            app_id = info.field_inspection
            for n in range(RUNS + 1):  # the first run is the warm-up
                heartbeat = Heartbeat()
                heartbeat.start("scroll")
                harness.run(lambda: scroll_end_to_end(window))
                heartbeat.start("storm")
                harness.run(lambda n=n: storm(sandbox, subscriber, watch, app_id, STORM_ROWS, count, n))
                heartbeat.stop()
                if n:
                    (scroll, scroll_cpu), (stormy, storm_cpu) = (
                        heartbeat.worst["scroll"],
                        heartbeat.worst["storm"],
                    )
                    samples.floor.append(FRAME_MS)
                    samples.skydesk.append(max(scroll, stormy))
                    samples.add_extra("scroll_ms", scroll)
                    samples.add_extra("scroll_cpu_ms", scroll_cpu)
                    samples.add_extra("storm_ms", stormy)
                    samples.add_extra("storm_cpu_ms", storm_cpu)
            harness.run(lambda: harness.close_window(window))
        finally:
            if subscriber is not None:
                subscriber.close()
            harness.close()
    what = f"Longest GUI stall: scrolling {rows:,} rows end to end, and a storm of {count:,} events"
    return row("B5", what, "ms", samples, max_value=50.0)
