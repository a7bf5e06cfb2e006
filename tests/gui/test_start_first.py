"""Start-up shows the sign-in window first, then loads the rest: nothing the user does meanwhile is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.core.settings import Settings
from skydesk.models.services import AppServices
from skydesk.ui.main_window import PAGE_SIGN_IN, MainWindow
from tests.gui.helpers import close_window, fill_sign_in, no_keyring, wait_loaded

# Runs ``skydesk.app.main`` as ``skydesk`` does; notes which modules were loaded when the sign-in window
# first painted, then waits for the services to be attached and reports.
_CHILD = r"""
import json, os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

WATCHED = ["asyncio", "qasync", "httpx", "keyring", "jwt", "paho", "skydesk.api", "skydesk.models.services",
           "skydesk.ui.workspace", "skydesk.ui.reauth", "skydesk.sandbox", "uuid", "importlib.resources",
           "platformdirs"]
app = QApplication([sys.argv[0]])
report = {}
TASKS = "/proc/self/task"  # this process's threads (Linux)
import threading
started = []  # the names of the threads started, in order
thread_start = threading.Thread.start
def start(thread):
    started.append(thread.name)
    thread_start(thread)
threading.Thread.start = start

def attached(window):
    if not window.attached:
        QTimer.singleShot(20, lambda: attached(window))
        return
    report["remember_enabled"] = window.sign_in_page.remember.isEnabled()
    report["keyring_secure"] = window.services.credentials.available
    report["menus"] = [a.text() for a in window.menuBar().actions()]
    report["has_workspace"] = window.pages.count()
    print(json.dumps(report), flush=True)
    os._exit(0)

class Watch(QObject):
    def eventFilter(self, obj, event):
        if not report and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
            window = obj.window()
            if window.isVisible() and getattr(window, "showing_sign_in", lambda: False)():
                report["loaded"] = {name: name in sys.modules for name in WATCHED}
                report["first_menus"] = [a.text() for a in window.menuBar().actions()]
                report["serial_painting"] = os.environ.get("QT_NO_GUI_THREADPOOL")
                report["threads_before_paint"] = list(started)
                # Once this paint pass is done (before anything after it starts a thread of its own).
                QTimer.singleShot(0, lambda: report.update(threads_after_paint=len(os.listdir(TASKS))))
                report["attached_at_paint"] = window.attached
                QTimer.singleShot(0, lambda: attached(window))
        return False

watch = Watch()
app.installEventFilter(watch)
from skydesk.app import main
main(["--settings-file", sys.argv[1]])
print("skydesk exited before its sign-in window was attached", file=sys.stderr)
sys.exit(1)
"""


def test_the_sign_in_window_paints_before_asyncio_the_sdk_and_the_keyring_load(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / var.lower())
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path / "settings.json")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    loaded = [name for name, present in report["loaded"].items() if present]
    assert not loaded, f"imported before the sign-in window was first painted: {loaded}"
    assert not report["attached_at_paint"]
    # Painted on the GUI thread alone: Qt's raster engine started no threads of its own for the form.
    assert report["serial_painting"] == "1"
    assert report["threads_after_paint"] == 1
    # One thread ran before it: the font database was read beside the building of the window (B1).
    assert report["threads_before_paint"] == ["skydesk-fonts"]
    assert report["first_menus"] == ["&File", "&Edit", "&View", "&Help"], "the menu bar is whole at once"
    assert report["menus"] == report["first_menus"]
    assert report["has_workspace"] == 3, "sign-in, progress and, once attached, the workspace"
    # Once attached, "Remember me" says what the keyring found, as when everything is built at once.
    assert report["remember_enabled"] == report["keyring_secure"]


async def test_a_sign_in_pressed_before_the_services_are_attached_goes_out_once_they_are(
    qapp: Any, sandbox: Any, tmp_path: Path
) -> None:
    qapp.setQuitOnLastWindowClosed(False)
    settings = Settings.load(tmp_path / "settings.json")
    window = MainWindow(settings=settings)
    window.show()
    services = None
    try:
        fill_sign_in(window, sandbox, "tech")
        QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
        assert window.pages.currentIndex() == PAGE_SIGN_IN and not window.attached
        services = AppServices(settings, no_keyring())
        window.attach(services)
        await wait_loaded(window)
        assert window.services.auth.username == "tech"
    finally:
        if services is not None:
            await close_window(window)
            shiboken6.delete(services)
        shiboken6.delete(window)
