"""Model and controller tests run their async tests on a qasync loop bound to the QApplication."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.qt import qasync_loop_factories


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Every async test in tests/models runs on qasync (controllers use Qt timers and signals)."""
    return qasync_loop_factories()
