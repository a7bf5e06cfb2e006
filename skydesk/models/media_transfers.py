"""One upload or download the user started: progress, transfer rate, Cancel, and how it ended."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from skydesk.models.media import human_size

RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"
_EMIT_EVERY = 0.05  # seconds between progress signals: the bar moves smoothly, the GUI is not flooded
_RATE_WINDOW = 3.0  # seconds of samples the rate is measured over


class Transfer(QObject):
    """Progress of one transfer, fed by the SDK's ``progress(done, total)`` callback on the event loop."""

    progressed = Signal(int, int)  # done, total (-1 unknown)
    state_changed = Signal(str)  # running / done / failed / cancelled
    finished = Signal(object)  # Media (upload) or Path (download), once it is done

    def __init__(
        self,
        kind: str,
        filename: str,
        media_id: str = "",
        path: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind  # "upload" or "download"
        self.filename = filename
        self.media_id = media_id
        self.path = path
        self.done = 0
        self.total = -1
        self.state = RUNNING
        self.message = ""
        self.result: Any = None
        self._task: asyncio.Future[Any] | None = None
        self._samples: deque[tuple[float, int]] = deque()
        self._last_emit = 0.0

    # ------------------------------------------------------------------ fed by the controller
    def report(self, done: int, total: int) -> None:
        """The SDK's progress callback."""
        now = time.monotonic()
        self.done, self.total = done, total
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > _RATE_WINDOW:
            self._samples.popleft()
        if now - self._last_emit >= _EMIT_EVERY or done == total:
            self._last_emit = now
            self.progressed.emit(done, total)

    def attach(self, task: asyncio.Future[Any], *, cancellable: bool = True) -> None:
        """The task doing the work: Cancel cancels it (if ``cancellable``), and its end sets the state.

        A task that is not cancellable (creating the item: a write is never cut off mid-request) is
        left to finish; Cancel then only marks the transfer, and the controller sends no bytes.
        """
        self._task = task if cancellable else None
        self._set_state(RUNNING)
        task.add_done_callback(self._on_task_done)

    def succeed(self, result: Any) -> None:
        """It worked (called by the operation's success callback)."""
        self.result = result
        if self.total >= 0:
            self.report(self.total, self.total)
        self._set_state(DONE)
        self.finished.emit(result)

    def fail(self, message: str) -> None:
        """It did not work (the operation's failure callback)."""
        self.message = message
        self._set_state(FAILED)

    # ------------------------------------------------------------------ for the view
    def cancel(self) -> None:
        """Stop the transfer now (a download leaves no file; an upload keeps its finished chunks)."""
        if self.state != RUNNING:
            return
        if self._task is not None and not self._task.done():
            self._task.cancel()
        else:
            self._set_state(CANCELLED)

    @property
    def rate(self) -> float:
        """Bytes per second over the last few seconds (0 until two samples exist)."""
        if len(self._samples) < 2:
            return 0.0
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0

    @property
    def fraction(self) -> float:
        """0..1, or 0 while the size is unknown."""
        return self.done / self.total if self.total > 0 else (1.0 if self.state == DONE else 0.0)

    def summary(self) -> str:
        """``Uploading pump.jpg: 1.5 MB of 4.0 MB, 2.1 MB/s`` and the like."""
        verb = {"upload": "Uploading", "download": "Downloading"}.get(self.kind, self.kind)
        if self.state == DONE:
            return f"{self.filename}: {'uploaded' if self.kind == 'upload' else 'downloaded'}"
        if self.state == CANCELLED:
            return f"{self.filename}: cancelled" + (
                " (the finished part is kept; Resume sends the rest)" if self.kind == "upload" else ""
            )
        if self.state == FAILED:
            return f"{self.filename}: {self.message}"
        size = f" of {human_size(self.total)}" if self.total >= 0 else ""
        return f"{verb} {self.filename}: {human_size(self.done)}{size}, {human_size(int(self.rate))}/s"

    def _on_task_done(self, task: asyncio.Future[Any]) -> None:
        if task.cancelled() and self.state == RUNNING:
            self._set_state(CANCELLED)

    def _set_state(self, state: str) -> None:
        if state != self.state or state == RUNNING:
            self.state = state
            self.state_changed.emit(state)
