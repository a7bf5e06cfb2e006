"""The app as ``skydesk`` builds it (QApplication, qasync loop, GUI-thread collector, window), for benchmarks.

Everything here mirrors ``skydesk.app.main``: the same loop, the same executor, the same logging and the
same garbage-collection policy, so a figure measures the app as a user runs it, not a test set-up.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QObject
from PySide6.QtWidgets import QApplication

from skydesk.app import paint_on_the_gui_thread
from skydesk.core.logs import setup_logging, stop_logging
from skydesk.core.settings import ConnectionProfile, Settings
from skydesk.models.browser import PAGE_KEY
from skydesk.models.collector import MainThreadCollector
from skydesk.models.event_loop import QtEventLoop
from tests.benchmarks.harness import PASSWORD, USERNAME, SandboxInfo

T = TypeVar("T")
PAGE_TASK = f"op.read.{PAGE_KEY}"  # the name Operations gives the list's page reads
WINDOW_SIZE = (1280, 800)


class AppHarness:
    """One QApplication and qasync loop for a benchmark process; windows are built and closed per run."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        paint_on_the_gui_thread(os.environ)  # as skydesk.app.main does, before anything is painted
        self.app = QApplication.instance() or QApplication(["skydesk-bench"])
        assert isinstance(self.app, QApplication)
        self.app.setQuitOnLastWindowClosed(False)
        self.loop = QtEventLoop(self.app)
        asyncio.set_event_loop(self.loop)
        self.loop.set_default_executor(ThreadPoolExecutor(max_workers=4, thread_name_prefix="skydesk-worker"))
        setup_logging(False, workdir / "logs")
        self.collector = MainThreadCollector(self.app)
        self.collector.start()
        self._made = 0

    def run(self, main: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run one coroutine to completion on the app's loop."""
        return self.loop.run_until_complete(main())

    def close(self) -> None:
        """Stop the loop and logging."""
        self.collector.stop()
        self.loop.close()
        asyncio.set_event_loop(None)
        stop_logging()

    def window(self) -> Any:
        """A shown MainWindow with fresh settings and no keyring (nothing is remembered between runs)."""
        from keyring.backends import fail

        from skydesk.core.credentials import CredentialStore
        from skydesk.models.services import AppServices
        from skydesk.ui.main_window import MainWindow

        self._made += 1
        settings = Settings.load(self.workdir / f"settings-{self._made}.json")
        services = AppServices(settings, CredentialStore(backend=fail.Keyring()))
        window = MainWindow(services)
        window.set_size(*WINDOW_SIZE)
        window.show()
        return window

    async def close_window(self, window: Any) -> None:
        """Shut a window down as app.py does, and free its Qt objects on this thread."""
        window.save_layout()
        window.hide()
        await window.services.shutdown()
        window.allow_close()
        window.close()
        services = window.services
        shiboken6.delete(window)
        shiboken6.delete(services)


def profile(info: SandboxInfo) -> ConnectionProfile:
    """The connection profile of the benchmark sandbox."""
    return ConnectionProfile(
        name="bench",
        api_url=info.api_url,
        mqtt_host=info.mqtt_host,
        mqtt_port=info.mqtt_port,
        realm=info.realm,
        ca_file=info.ca_file,
        username=USERNAME,
    )


def sign_in(window: Any, info: SandboxInfo) -> None:
    """Start a sign-in as ``--demo`` does (the form's fields filled in, the button pressed)."""
    window.sign_in(profile(info), USERNAME, PASSWORD)


async def until(predicate: Callable[[], Any], within: float = 600.0, what: str = "") -> None:
    """Yield to the loop until ``predicate()`` holds (polled every millisecond), or fail naming ``what``."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {within:.0f}s waiting for {what}")
        await asyncio.sleep(0.001)


async def first_page_loaded(window: Any) -> None:
    """Wait until the first page of the first application is in the model and the live stream is up."""
    services = window.services
    model = services.browser.model
    await until(
        lambda: model.sessions() and model.state == "none" and services.bridge.state == "connected",
        what="the first page and the live stream",
    )


async def page_all(services: Any, application_id: str) -> None:
    """Reload ``application_id`` and page every session into the list model, as scrolling down does.

    Each next page is asked for through ``fetchMore``, the call the view makes when its last row shows.
    """
    model = services.browser.model
    services.browser.set_application(application_id)
    while True:
        task = services.tasks.get(PAGE_TASK)  # the page the model asked for, if one is on its way
        if task is not None:
            await asyncio.wait([task])  # its done-callbacks (fetch_finished) run before we resume
            continue
        if not model.has_more:
            break
        if not model.canFetchMore(QModelIndex()):
            raise RuntimeError(f"paging stopped: {model.state_text}")
        model.fetchMore(QModelIndex())
    if model.state == "error":
        raise RuntimeError(f"paging failed: {model.state_text}")


class PaintProbe(QObject):
    """Notes when a widget has finished painting while ``ready()`` holds (the paint itself included)."""

    def __init__(self, widget: Any, ready: Callable[[], bool]) -> None:
        super().__init__()
        self._widget = widget
        self._ready = ready
        self.painted: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Paint the widget ourselves when it is ready, so the time taken is after the paint."""
        if obj is self._widget and event.type() == QEvent.Type.Paint and not self.painted.done():
            if self._ready():
                self._widget.removeEventFilter(self)
                handled = bool(self._parent_paint(event))
                self.painted.set_result(time.perf_counter())
                return handled
        return False

    def _parent_paint(self, event: QEvent) -> bool:
        # A view's viewport is painted by its scroll area's viewportEvent (QAbstractItemView.paintEvent).
        view = self._widget.parent()
        if hasattr(view, "viewportEvent"):
            return bool(view.viewportEvent(event))
        return bool(self._widget.event(event))
