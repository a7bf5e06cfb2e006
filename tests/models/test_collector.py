"""The GUI-thread garbage collector: automatic collection is off, and the timer collects cycles it finds."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

from skydesk.models.collector import MainThreadCollector, due_generation, program_loaded
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


def test_a_full_collection_waits_until_a_quarter_of_the_heap_is_new(qapp: Any) -> None:
    """CPython's rule for the oldest generation: a big, stable heap (a loaded session list) is not scanned
    again on every tenth middle collection, only once enough new long-lived objects piled up."""
    enabled_before = gc.isenabled()
    collector = MainThreadCollector()
    try:
        collector.start()
        collector._timer.stop()  # driven by hand below
        heap = [{"id": i, "tags": [i]} for i in range(200_000)]  # long-lived
        gc.collect()
        collector.long_lived_total = len(gc.get_objects(2))
        collector.long_lived_pending = 0
        threshold = gc.get_threshold()
        rounds = 10  # CPython's counts alone would make this 10 full collections
        for _ in range(threshold[1] * threshold[2] * rounds):
            churn = [[j] for j in range(threshold[0] * 3)]  # short-lived, but alive when collected
            collector.collect_if_due()
            del churn
        # Counts alone would run a full collection every threshold[2] middle ones (8 here without the rule).
        assert collector.collections[1] >= threshold[2] * 5, "the young generations were collected"
        assert collector.collections[2] <= 1, "the stable heap was not scanned again and again"
        full_before = collector.collections[2]

        more = [{"id": i, "tags": [i]} for i in range(collector.long_lived_total // 3)]  # a quarter and more
        for _ in range(threshold[1] * (threshold[2] + 2)):
            churn = [[j] for j in range(threshold[0] * 3)]
            collector.collect_if_due()
            del churn
        assert collector.collections[2] > full_before, "once enough is new, the whole heap is collected"
        assert collector.long_lived_pending < collector.long_lived_total // 4
        del heap, more
    finally:
        collector.stop()
    assert gc.isenabled() == enabled_before


def test_the_loaded_program_is_left_out_of_later_collections(qapp: Any) -> None:
    """What exists when the main window has its workspace lives until exit: no collection scans it again."""
    program_loaded()  # no collector running (as in most tests): nothing is frozen
    assert gc.get_freeze_count() == 0
    collector = MainThreadCollector()
    try:
        collector.start()
        collector._timer.stop()
        loaded = [{"id": i, "tags": [i]} for i in range(50_000)]
        garbage = _Node()
        ref = weakref.ref(garbage)
        del garbage
        program_loaded()
        assert ref() is None, "what was garbage then was collected first, not frozen"
        # Frozen objects can still be freed (another thread of this worker may drop some): the count only
        # falls, unless something freezes again.
        assert collector.frozen >= gc.get_freeze_count() >= 100_000
        assert len(gc.get_objects()) < 10_000, "the loaded program is out of the collector's sight"
        frozen_then = gc.get_freeze_count()
        extra = [{"made": i} for i in range(1_000)]  # would be frozen too by a second freeze
        gc.collect()
        program_loaded()
        assert gc.get_freeze_count() <= frozen_then, "once only"
        del extra
        later = _Node()
        ref = weakref.ref(later)
        del later
        gc.collect()
        assert ref() is None, "what is made afterwards is still collected"
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0 and collector.frozen == 0, "stop() gives the frozen objects back"
    assert any(o is loaded for o in gc.get_objects())
    assert MainThreadCollector.running is None


async def test_held_collections_wait_for_the_release_or_the_limit(qapp: Any) -> None:
    from skydesk.models.collector import hold_collections, release_collections

    enabled_before = gc.isenabled()
    collector = MainThreadCollector(interval_ms=10)
    try:
        collector.start()
        hold_collections(5_000)
        assert collector.held
        ballast = [[] for _ in range(gc.get_threshold()[0] * 2)]  # generation 0 is due
        before = list(collector.collections)
        collector.collect_if_due()  # a tick while held collects nothing
        assert collector.collections == before
        release_collections()
        assert not collector.held
        collector.collect_if_due()
        assert collector.collections[0] > before[0]
        collector.hold(1)  # ms: the limit ends a hold nobody released
        await wait_until(lambda: not collector.held, 5, what="the hold's limit")
        del ballast
    finally:
        collector.stop()
    assert gc.isenabled() == enabled_before
