"""B1's child process: start the app (or an empty PySide6 window) and print when its window first painted.

``python -m tests.benchmarks.probe_start skydesk SETTINGS`` runs ``skydesk.app.main`` unchanged; ``... floor``
shows an empty QWidget. Both print ``time.monotonic()`` (one clock for every process on the machine) once
the first paint of their window has finished, then leave at once: shutting down is not part of a start.
The QApplication is created here rather than in ``main`` only so the probe can watch its events; ``main``
uses an existing instance and does the same work either way. A skydesk start imports ``skydesk.app`` before
PySide6, as the ``skydesk`` command does (``from skydesk.app import main``): PySide's import hook, loaded with
PySide6, reads the source of every module imported after it, so importing PySide6 first would make this
start read files (argparse, logging, typing, ...) that a real one does not.
"""

from __future__ import annotations

import os
import sys
import time

if __name__ == "__main__" and sys.argv[1:2] == ["skydesk"]:
    from skydesk.app import main as skydesk_main

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


class FirstPaint(QObject):
    """Reports the end of the first paint of a top-level window that ``accepts`` once it is ``ready``.

    It watches the whole application only until that window gets its first event, then the window alone.
    An application-wide Python event filter makes PySide wrap every object that receives any event, and the
    first wrap of a Qt class builds its Python type and enums: a QComboBox's hidden popup, list view and
    scroll bars cost ~40 ms of enum building that way, which the app itself never pays (nothing in it
    touches them before the first paint). Watching only the window measures the start, not the probe.
    """

    def __init__(self, app: QApplication, accepts: object, ready: object) -> None:
        super().__init__()
        self._app = app
        self._accepts = accepts
        self._ready = ready
        self._window = 0  # the C++ address: a widget's first events may come with a provisional wrapper
        self._seen = False
        app.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Find the window; on its first Paint, report when that paint pass (it and its children) is done."""
        if not self._window:
            if isinstance(obj, QWidget) and obj.isWindow() and self._accepts(obj):  # type: ignore[operator]
                self._window = shiboken6.getCppPointer(obj)[0]
                self._app.removeEventFilter(self)
                obj.installEventFilter(self)
            else:
                return False
        if self._seen or event.type() != QEvent.Type.Paint or shiboken6.getCppPointer(obj)[0] != self._window:
            return False
        assert isinstance(obj, QWidget)
        if obj.isVisible() and self._ready(obj):  # type: ignore[operator]
            self._seen = True
            # A zero timer fires after the paint pass that delivered this event has finished (the window is
            # painted before its children, in the same pass).
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
        _probe = FirstPaint(app, lambda window: True, lambda window: True)
        widget = QWidget()
        widget.resize(1280, 800)
        widget.show()
        app.exec()
        return
    _probe = FirstPaint(
        app, lambda window: hasattr(window, "showing_sign_in"), lambda window: window.showing_sign_in()
    )
    skydesk_main(["--settings-file", sys.argv[2], "--window-size", "1280x800"])
    print("skydesk exited before its sign-in window was painted", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
