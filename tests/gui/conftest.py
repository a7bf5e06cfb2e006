"""GUI tests: real offscreen windows on a qasync loop, signed in to a real sandbox over TLS."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6

from tests.gui.helpers import close_window, no_keyring
from tests.support.leaks import no_leftovers
from tests.support.qt import qasync_loop_factories


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Async GUI tests run on qasync, so controllers' tasks and Qt's events both progress."""
    return qasync_loop_factories()


@pytest.fixture(autouse=True)
async def _no_leftovers() -> AsyncIterator[None]:
    """Fail a test that leaves a thread, an asyncio task or a running QTimer behind."""
    async with no_leftovers():
        yield


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_gui_thread() -> Iterator[None]:
    """Collect each test's garbage (closed qasync loops, their QObjects with timers) on this thread.

    Left to chance, Python's cyclic collector may run on a sandbox server thread; a QObject with a live
    timer destroyed there crashes Qt's timer dispatch on the GUI thread later (seen as a segfault).
    """
    gc.collect()
    yield
    gc.collect()


@pytest.fixture
async def make_window(tmp_path: Path, qapp: Any) -> AsyncIterator[Callable[..., Any]]:
    """Factory for a shown MainWindow with settings in ``tmp_path``; every window is shut down after."""
    from skydesk.core.settings import Settings
    from skydesk.models.services import AppServices
    from skydesk.ui.main_window import MainWindow

    made: list[Any] = []
    # As in app.py: closing a window must not quit the application (and with it the qasync loop).
    qapp.setQuitOnLastWindowClosed(False)

    def build(settings_path: Path | None = None, credentials: Any = None) -> Any:
        settings = Settings.load(settings_path or tmp_path / "settings.json")
        services = AppServices(settings, credentials if credentials is not None else no_keyring())
        window = MainWindow(services)
        window.show()
        made.append(window)
        return window

    yield build
    for window in made:
        if not shiboken6.isValid(window):
            continue
        if not getattr(window, "closed_by_test", False):
            await close_window(window)
        # Delete the Qt objects now, on this (the GUI) thread. Left to Python's cyclic garbage collector
        # they may be freed on a sandbox server thread, and a QTimer destroyed off its own thread
        # crashes Qt's timer dispatch later.
        services = window.services
        shiboken6.delete(window)
        shiboken6.delete(services)
