"""Reliability tests of the app's controllers and window: on qasync, with the models suite's fixtures."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gui.conftest import _collect_garbage_on_the_gui_thread, make_window
from tests.models.conftest import make_services, profile_of
from tests.support.qt import qasync_loop_factories

__all__ = ["_collect_garbage_on_the_gui_thread", "make_services", "make_window", "profile_of"]


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Controllers use Qt timers and signals: their async tests run on qasync."""
    return qasync_loop_factories()
