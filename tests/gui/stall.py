"""A GUI stall watchdog: how long did the GUI thread go without running its event loop?

A 10 ms ``QTimer`` on the GUI thread notes the time at every tick. Anything that blocks the thread (a keyring
call, a socket read, a thread join) delays the next tick, so the largest gap between ticks is the longest
the window was frozen. Phases name the user steps, so a failure says which step froze the window.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, Qt, QTimer


class StallWatchdog(QObject):
    """Records the largest gap between ticks of a GUI-thread timer, per named phase."""

    def __init__(self, interval_ms: int = 10) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last = 0.0
        self.phase = ""
        self.gaps: dict[str, float] = {}  # phase -> largest gap seen while it was current
        self.ticks = 0

    def start(self, phase: str) -> None:
        """Start (or resume) measuring, in `phase`."""
        self.phase = phase
        self.gaps.setdefault(phase, 0.0)
        self._last = time.monotonic()
        self._timer.start()

    def stop(self) -> None:
        """Stop measuring (the time until the next start() is not counted)."""
        self._timer.stop()

    def mark(self, phase: str) -> None:
        """Name the user step that starts now."""
        self.phase = phase
        self.gaps.setdefault(phase, 0.0)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Leave out the test's own synchronous set-up (building a window is not the app stalling)."""
        phase = self.phase
        self.stop()
        try:
            yield
        finally:
            self.start(phase)

    @property
    def max_gap(self) -> float:
        """The longest the GUI thread was blocked, in seconds (over every phase)."""
        return max(self.gaps.values(), default=0.0)

    def report(self) -> str:
        """One line per phase: its largest gap in milliseconds."""
        return ", ".join(f"{phase}: {gap * 1000:.0f} ms" for phase, gap in self.gaps.items())

    def _on_timer_timeout(self) -> None:
        now = time.monotonic()
        gap, self._last = now - self._last, now
        self.ticks += 1
        if gap > self.gaps[self.phase]:
            self.gaps[self.phase] = gap
