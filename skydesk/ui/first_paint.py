"""Notices a window's first paint: start-up shows the sign-in page, then loads the rest once it is seen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class FirstPaint(QObject):
    """Notes when ``window`` has finished painting for the first time, and then calls ``then`` if set."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.painted = False
        self.then: Callable[[], None] | None = None
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """On the window's first Paint event, report once that paint pass has finished (a zero timer)."""
        if obj is self._window and event.type() == QEvent.Type.Paint and not self.painted:
            QTimer.singleShot(0, self._finished)
        return False

    def _finished(self) -> None:
        if self.painted:
            return
        self.painted = True
        self._window.removeEventFilter(self)
        if self.then is not None:
            self.then()
