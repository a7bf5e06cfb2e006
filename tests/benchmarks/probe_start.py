"""B1's child process: start the app (or an empty PySide6 window) and print when its window first painted.

``python -m tests.benchmarks.probe_start skydesk SETTINGS`` runs ``skydesk.app.main`` unchanged; ``... floor``
shows an empty QWidget. Both print ``time.monotonic()`` (one clock for every process on the machine) once
the first paint of their window has finished, then leave at once: shutting down is not part of a start.
The QApplication is created here rather than in ``main`` only so the probe can watch its events; ``main``
uses an existing instance and does the same work either way.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


class FirstPaint(QObject):
    """Reports the end of the first paint of a top-level window that ``ready(window)`` accepts."""

    def __init__(self, ready: object) -> None:
        super().__init__()
        self._ready = ready
        self._seen = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """On the window's first Paint, report once the paint pass (this window and its children) is done."""
        if not self._seen and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
            window = obj.window()
            if window.isVisible() and self._ready(window):  # type: ignore[operator]
                self._seen = True
                # A zero timer fires after the paint pass that delivered this event has finished.
                QTimer.singleShot(0, _report)
        return False


def _report() -> None:
    print(f"{time.monotonic():.6f}", flush=True)
    os._exit(0)


def main() -> None:
    """Run the chosen start and report its first paint."""
    mode = sys.argv[1]
    app = QApplication([sys.argv[0]])
    if mode == "floor":
        probe = FirstPaint(lambda window: True)
        app.installEventFilter(probe)
        widget = QWidget()
        widget.resize(1280, 800)
        widget.show()
        app.exec()
        return
    from skydesk.app import main as skydesk_main

    probe = FirstPaint(lambda window: getattr(window, "showing_sign_in", lambda: False)())
    app.installEventFilter(probe)
    skydesk_main(["--settings-file", sys.argv[2], "--window-size", "1280x800"])
    print("skydesk exited before its sign-in window was painted", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
