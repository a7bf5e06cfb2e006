"""Python's cyclic garbage collector, run only on the GUI thread from a timer.

Why: with automatic collection, a collection starts on whichever thread happens to allocate when a
threshold is crossed: paho's network thread, the demo sandbox's server threads, executor workers. If that
collection frees a cycle holding Qt objects (a QObject with a live timer, a widget), Qt destroys them off
their own thread, and Qt crashes later (seen as segfaults). So automatic collection is switched off and
this timer, on the GUI thread, does the same work CPython would: it compares the generation counts with
their thresholds and collects the oldest generation that is due (a full collection only every
``threshold[2]`` middle-generation collections, as CPython does).
"""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

COLLECT_INTERVAL_MS = 500


def due_generation(counts: tuple[int, int, int], thresholds: tuple[int, int, int]) -> int:
    """The oldest generation whose count passed its threshold, or -1 when nothing is due."""
    due = -1
    for generation in range(3):
        threshold = thresholds[generation]
        if threshold > 0 and counts[generation] > threshold:
            due = generation
    return due


class MainThreadCollector(QObject):
    """Disables automatic garbage collection and collects from a GUI-thread timer instead."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = COLLECT_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self.collections = [0, 0, 0]  # collections run per generation (for tests and the debug log)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)

    def start(self) -> None:
        """Turn automatic collection off and start the timer (call on the GUI thread)."""
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Stop the timer, collect once more here, and give automatic collection back as it was."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def collect_if_due(self) -> None:
        """Collect the generation that automatic collection would have collected by now."""
        counts = gc.get_count()
        generation = due_generation(counts, gc.get_threshold())
        if generation >= 0:
            gc.collect(generation)
            self.collections[generation] += 1
