"""Python's cyclic garbage collector, run only on the GUI thread from a timer.

Why: with automatic collection, a collection starts on whichever thread happens to allocate when a
threshold is crossed: paho's network thread, the demo sandbox's server threads, executor workers. If that
collection frees a cycle holding Qt objects (a QObject with a live timer, a widget), Qt destroys them off
their own thread, and Qt crashes later (seen as segfaults). So automatic collection is switched off and
this timer, on the GUI thread, does the same work CPython would: it compares the generation counts with
their thresholds and collects the oldest generation that is due. Like CPython, a full collection also waits
until the objects moved to the oldest generation since the last one are a quarter of those that stayed
there: without that rule, a list of 20,000 sessions made every tenth collection scan the whole heap
(120-190 ms of frozen window each, seen in the B5 benchmark during an event storm).

Once the program is loaded (``program_loaded``, when the main window has its workspace), what exists then is
moved out of the collector's sight with ``gc.freeze()``: the program's own modules, classes, functions and
widgets, ~69,000 tracked objects that live until exit and were more than half of every full collection's
work (B5). ``stop()`` gives them back to the collector.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import ClassVar

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

COLLECT_INTERVAL_MS = 100  # small young generations: a collection of what 100 ms allocated is short
HOLD_LIMIT_MS = 1000  # hold_collections() lasts at most this long, whatever happens to its release
LONG_LIVED_SHARE = 4  # CPython's: full collection when pending > long-lived total / 4


def due_generation(counts: tuple[int, int, int], thresholds: tuple[int, int, int]) -> int:
    """The oldest generation whose count passed its threshold, or -1 when nothing is due."""
    due = -1
    for generation in range(3):
        threshold = thresholds[generation]
        if threshold > 0 and counts[generation] > threshold:
            due = generation
    return due


def program_loaded() -> None:
    """The program is imported and its main window built: the running collector stops scanning it."""
    if MainThreadCollector.running is not None:
        MainThreadCollector.running.freeze_program()


def hold_collections(limit_ms: int = HOLD_LIMIT_MS) -> None:
    """No collection until release_collections(), or for at most ``limit_ms``: the user waits for a page.

    Signing in, one collection (1.5-3 ms, sometimes 6-7 ms) fell between the click and the first painted
    page in about every sign-in (benchmark B2); what it would have freed is freed a moment later instead.
    """
    if MainThreadCollector.running is not None:
        MainThreadCollector.running.hold(limit_ms)


def release_collections() -> None:
    """End hold_collections(): the next tick collects what is due."""
    if MainThreadCollector.running is not None:
        MainThreadCollector.running.release()


class MainThreadCollector(QObject):
    """Disables automatic garbage collection and collects from a GUI-thread timer instead."""

    running: ClassVar[MainThreadCollector | None] = None  # the started one (one per process)

    def __init__(self, parent: QObject | None = None, interval_ms: int = COLLECT_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self.collections = [0, 0, 0]  # collections run per generation (for tests and the debug log)
        self.long_lived_total = 0  # objects in the oldest generation after the last full collection
        self.long_lived_pending = 0  # objects moved there since (survivors of middle collections)
        self.frozen = 0  # objects moved out of the collector's sight by freeze_program()
        self._held_until = 0.0  # time.monotonic() until which nothing is collected (hold), or 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)

    def start(self) -> None:
        """Turn automatic collection off and start the timer (call on the GUI thread)."""
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.long_lived_total = len(gc.get_objects(2))  # once, at start (a small heap yet)
        self.long_lived_pending = 0
        self._timer.start()
        MainThreadCollector.running = self

    def freeze_program(self) -> None:
        """Collect, then leave everything alive now out of later collections (once; undone by stop)."""
        if self.frozen:
            return
        gc.collect()
        gc.freeze()
        self.frozen = gc.get_freeze_count()
        self.long_lived_total = len(gc.get_objects(2))
        self.long_lived_pending = 0
        log.debug("collector: %d objects of the loaded program frozen", self.frozen)

    def stop(self) -> None:
        """Stop the timer, collect once more here, and give automatic collection back as it was."""
        self._timer.stop()
        if MainThreadCollector.running is self:
            MainThreadCollector.running = None
        if self.frozen:
            gc.unfreeze()
            self.frozen = 0
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def hold(self, limit_ms: int = HOLD_LIMIT_MS) -> None:
        """Collect nothing until release(), or for at most ``limit_ms``."""
        self._held_until = time.monotonic() + limit_ms / 1000

    def release(self) -> None:
        """Collect again from the next tick."""
        self._held_until = 0.0

    @property
    def held(self) -> bool:
        """Whether collections are held now."""
        return self._held_until > 0 and time.monotonic() < self._held_until

    def collect_if_due(self) -> None:
        """Collect the generation that automatic collection would have collected by now (unless held)."""
        if self._held_until:
            if self.held:
                return
            self._held_until = 0.0
        counts = gc.get_count()
        generation = due_generation(counts, gc.get_threshold())
        if generation == 2 and self.long_lived_pending * LONG_LIVED_SHARE <= self.long_lived_total:
            # Not worth scanning the whole heap yet: collect what is due among the young generations.
            generation = due_generation((counts[0], counts[1], 0), gc.get_threshold())
        if generation < 0:
            return
        if generation == 0:
            gc.collect(0)
        elif generation == 1:
            young = len(gc.get_objects(0)) + len(gc.get_objects(1))
            found = gc.collect(1)
            self.long_lived_pending += max(0, young - found)  # the survivors moved to the oldest generation
        else:
            gc.collect(2)
            # Counted, not estimated: survivors counted as pending may have died since. Listing costs
            # about a fifth of the collection itself, and full collections are rare.
            self.long_lived_total = len(gc.get_objects(2))
            self.long_lived_pending = 0
        self.collections[generation] += 1
