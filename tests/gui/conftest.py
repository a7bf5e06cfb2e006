"""GUI tests: real offscreen windows on a qasync loop, signed in to a real sandbox over TLS."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import shiboken6

from tests.gui.helpers import close_window, no_keyring
from tests.support.qt import qasync_loop_factories


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Async GUI tests run on qasync, so controllers' tasks and Qt's events both progress."""
    return qasync_loop_factories()


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
        if shiboken6.isValid(window) and not getattr(window, "closed_by_test", False):
            await close_window(window)
