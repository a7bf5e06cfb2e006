"""Brief highlights of rows changed by live events: when each started, and a timer that ends them."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

HIGHLIGHT_SECONDS = 1.5


class RowHighlights(QObject):
    """Remembers which sessions changed live and when; `expired` names those whose highlight is over."""

    expired = Signal(list)  # session ids whose highlight just ended

    def __init__(self, parent: QObject | None = None, seconds: float = HIGHLIGHT_SECONDS) -> None:
        super().__init__(parent)
        self._seconds = seconds
        self._started: dict[str, float] = {}
        # One timer for all rows, re-armed for the oldest highlight, so a burst costs no extra objects.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)

    def mark(self, session_id: str) -> None:
        """Start (or restart) the highlight of a session's row."""
        self._started[session_id] = time.monotonic()
        if not self._timer.isActive():
            self._timer.start(int(self._seconds * 1000))

    def since(self, session_id: str) -> float | None:
        """`time.monotonic()` when the row's highlight started, or None when it is not highlighted."""
        return self._started.get(session_id)

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._started

    def forget(self, session_id: str) -> None:
        """Drop a row's highlight without announcing it (the row is gone)."""
        self._started.pop(session_id, None)

    def clear(self) -> None:
        """Drop every highlight (a new load)."""
        self._started.clear()

    def _on_timer_timeout(self) -> None:
        now = time.monotonic()
        done = [sid for sid, t in self._started.items() if now - t >= self._seconds - 0.05]
        for sid in done:
            del self._started[sid]
        if self._started:
            oldest = min(self._started.values())
            self._timer.start(int(max(0.05, self._seconds - (now - oldest)) * 1000))
        if done:
            self.expired.emit(done)
