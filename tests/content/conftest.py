"""Content tests: async tests run on qasync; GUI tests reuse the window factory of tests/gui."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gui.conftest import _collect_garbage_on_the_gui_thread, make_window  # noqa: F401
from tests.support.qt import qasync_loop_factories


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Controllers use Qt timers and signals: every async test runs on a qasync loop."""
    return qasync_loop_factories()
