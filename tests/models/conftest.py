"""Model and controller tests run their async tests on a qasync loop bound to the QApplication."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.leaks import no_leftovers
from tests.support.qt import qasync_loop_factories


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Every async test in tests/models runs on qasync (controllers use Qt timers and signals)."""
    return qasync_loop_factories()


@pytest.fixture(autouse=True)
async def _no_leftovers() -> AsyncIterator[None]:
    """Fail a test that leaves a thread, an asyncio task or a running QTimer behind."""
    async with no_leftovers():
        yield


@pytest.fixture
def profile_of() -> Any:
    """Build the ConnectionProfile a user would enter for a sandbox (as the demo mode does)."""
    from skydesk.app import sandbox_profile

    def build(sb: Any, name: str = "test") -> Any:
        return sandbox_profile(sb.info, name)

    return build


@pytest.fixture
async def make_services(tmp_path: Any) -> Any:
    """Factory for AppServices with settings in tmp_path and no keyring; all shut down afterwards."""
    from keyring.backends import fail

    from skydesk.core.credentials import CredentialStore
    from skydesk.core.settings import Settings
    from skydesk.models.services import AppServices

    made: list[Any] = []

    def build(credentials: Any = None, settings_name: str = "settings.json", **options: Any) -> AppServices:
        settings = Settings.load(tmp_path / settings_name)
        store = credentials if credentials is not None else CredentialStore(backend=fail.Keyring())
        services = AppServices(settings, store, **options)
        made.append(services)
        return services

    yield build
    for services in made:
        await services.shutdown()
    # Free the controllers' reference cycles here, on the main thread: left to the cyclic GC they could be
    # collected later from a sandbox or MQTT thread, and deleting QObjects off their thread crashes Qt.
    made.clear()
    gc.collect()
