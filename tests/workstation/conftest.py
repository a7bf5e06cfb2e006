"""Workstation tests (issue 14): real offscreen widgets on a qasync loop, a real sandbox for data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.qt import qasync_loop_factories


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Async tests run on qasync, so controllers' tasks and Qt's events both progress."""
    return qasync_loop_factories()


# The GUI tests' window factory (a shown MainWindow on tmp_path settings, shut down in order after the test)
# and their garbage-collection guard, shared rather than copied.
from tests.gui.conftest import _collect_garbage_on_the_gui_thread, make_window  # noqa: E402, F401
from tests.models.conftest import make_services, profile_of  # noqa: E402, F401
