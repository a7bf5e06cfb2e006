"""The GUI-thread garbage collector: automatic collection is off, and the timer collects cycles it finds."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

from skydesk.models.collector import MainThreadCollector, due_generation
from tests.support.qt import wait_until


class _Node:
    """An object in a reference cycle (only the cyclic collector can free it)."""

    def __init__(self) -> None:
        self.me = self


def test_the_due_generation_follows_the_thresholds() -> None:
    assert due_generation((10, 0, 0), (700, 10, 10)) == -1
    assert due_generation((701, 0, 0), (700, 10, 10)) == 0
    assert due_generation((701, 11, 0), (700, 10, 10)) == 1
    assert due_generation((5, 11, 11), (700, 10, 10)) == 2


async def test_a_cycle_is_collected_by_the_timer_on_the_gui_thread(qapp: Any) -> None:
    threads: list[str] = []

    def record(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            threads.append(threading.current_thread().name)

    enabled_before = gc.isenabled()
    collector = MainThreadCollector(interval_ms=20)
    gc.callbacks.append(record)
    try:
        collector.start()
        assert not gc.isenabled(), "automatic collection is off"
        node = _Node()
        ref = weakref.ref(node)
        del node
        ballast = [[] for _ in range(gc.get_threshold()[0] * 2)]  # pass generation 0's threshold
        assert ref() is not None, "nothing freed the cycle yet"
        await wait_until(lambda: ref() is None, 5, what="the timer to collect the cycle")
        assert collector.collections[0] >= 1
        assert threads and set(threads) == {threading.main_thread().name}
        del ballast
    finally:
        collector.stop()
        gc.callbacks.remove(record)
    assert gc.isenabled() == enabled_before, "stop() gives automatic collection back as it was"
