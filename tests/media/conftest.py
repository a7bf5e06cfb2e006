"""Media tab tests: controllers and widgets on a qasync loop, against the real sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.qt import qasync_loop_factories


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Async media tests run on qasync: thumbnails and transfers use Qt signals and worker threads."""
    return qasync_loop_factories()


async def _client(sandbox: Any, username: str) -> Any:
    from skydesk.api import SkylightClient

    info = sandbox.info
    client = SkylightClient(info.api_url, ca_file=info.ca_file, device_id=f"tests-media-{username}")
    await client.login(info.realm, username, info.user(username).password)
    return client


@pytest.fixture
async def dispatch(sandbox: Any) -> Any:
    """An SDK client signed in as the dispatcher (reads every session), for arranging and checking."""
    client = await _client(sandbox, "dispatch")
    yield client
    await client.aclose()


async def annotated_media(client: Any) -> Any:
    """A seeded photo that carries an SVG annotation."""
    for app in await client.get_applications():
        for session in (await client.get_sessions(app.application_id))[:40]:
            page = await client.list_session_media(app.application_id, session.session_id, archived="include")
            for media in page.items:
                if media.annotations:
                    return media
    raise AssertionError("the seed has no annotated photo")


@pytest.fixture
async def make_services(tmp_path: Any) -> Any:
    """Factory for AppServices with settings in tmp_path and no keyring; shut down after the test."""
    import gc

    from keyring.backends import fail

    from skydesk.core.credentials import CredentialStore
    from skydesk.core.settings import Settings
    from skydesk.models.services import AppServices

    made: list[Any] = []

    def build() -> Any:
        made.append(
            AppServices(Settings.load(tmp_path / "settings.json"), CredentialStore(backend=fail.Keyring()))
        )
        return made[-1]

    yield build
    for built in made:
        await built.shutdown()
    made.clear()
    gc.collect()  # free Qt objects here, on the GUI thread


async def sign_in(services: Any, sandbox: Any, username: str = "tech") -> None:
    """Sign in through the AuthController, as the sign-in page does."""
    from skydesk.app import sandbox_profile
    from tests.support.qt import SignalRecorder

    rec = SignalRecorder(services.auth.signed_in, services.auth.sign_in_failed)
    services.auth.sign_in(
        sandbox_profile(sandbox.info, "media-tests"), username, f"{username}-demo-pw", False
    )
    await rec.wait_any(("signed_in", "sign_in_failed"), within=30)
    assert not rec.args("sign_in_failed"), rec.args("sign_in_failed")


@pytest.fixture
async def services(make_services: Any, sandbox: Any) -> Any:
    """AppServices signed in to the shared sandbox as the technician."""
    from tests.support.qt import wait_until

    built = make_services()
    await sign_in(built, sandbox)
    # Let the sign-in's own loads (applications, sessions, rights, names) finish before the test starts.
    await wait_until(lambda: not any(t.get_name().startswith("op.") for t in built.tasks.tasks), 60)
    return built


@pytest.fixture
async def tech(sandbox: Any) -> Any:
    """An SDK client signed in as the technician, who arranges test sessions and checks the server."""
    client = await _client(sandbox, "tech")
    yield client
    await client.aclose()


@pytest.fixture
def app_id(sandbox: Any) -> str:
    """The "Field Inspection" application."""
    return next(a.application_id for a in sandbox.info.applications if a.name == "Field Inspection")
