"""The real app's main coroutine (--demo): Ctrl+Q shuts down in order; start-up never waits on the keyring."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from skydesk import app as skydesk_app
from skydesk.events import StreamState
from skydesk.ui.main_window import MainWindow
from tests.support.qt import wait_until


class _SlowToFindKeyring(keyring.backend.KeyringBackend):
    """A secure keyring whose detection takes 0.5 s, as a Secret Service does while D-Bus starts it.

    Simulated because a real daemon cannot be made slow to activate on demand; every call is recorded.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []  # (what, name of the calling thread)

    @property  # type: ignore[override]
    def priority(self) -> float:
        self.calls.append(("priority", threading.current_thread().name))
        time.sleep(0.5)
        return 5.0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append(("get", threading.current_thread().name))
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append(("set", threading.current_thread().name))

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append(("delete", threading.current_thread().name))


# Backend classes register themselves for keyring's detection; this one must never be picked elsewhere.
keyring.backend.KeyringBackend._classes.discard(_SlowToFindKeyring)  # type: ignore[attr-defined]


@pytest.fixture
def slow_keyring() -> Iterator[_SlowToFindKeyring]:
    """Install the slow keyring as the one the app finds at start-up."""
    previous = keyring.get_keyring()
    ring = _SlowToFindKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def _shown_window(qapp: Any) -> MainWindow | None:
    """The visible main window once its services are attached (it is shown first, before they are)."""
    shown = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible() and w.attached]
    return shown[0] if shown else None


async def _start_demo(qapp: Any, tmp_path: Path) -> tuple[asyncio.Future[int], MainWindow]:
    """Run skydesk's main coroutine with --demo, as main() does, until the sessions are listed."""
    args = skydesk_app.build_parser().parse_args(["--demo", "--settings-file", str(tmp_path / "s.json")])
    run = asyncio.ensure_future(skydesk_app._run(qapp, args))
    window = await wait_until(lambda: _shown_window(qapp), 60, what="the main window")
    services = window.services
    await wait_until(lambda: services.browser.model.sessions(), 60, what="the demo's sessions")
    await wait_until(lambda: services.bridge.state == "connected", 30, what="live events")
    return run, window


@pytest.mark.timeout(120)
async def test_ctrl_q_stops_mqtt_http_and_the_sandbox_then_returns(qapp: Any, tmp_path: Path) -> None:
    # As main() does: a standard pool as the loop's executor, joined after the main coroutine returns.
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-worker")
    asyncio.get_running_loop().set_default_executor(executor)
    before = set(threading.enumerate())
    run, window = await _start_demo(qapp, tmp_path)
    stream, client = window.services.live.stream, window.services.auth.client
    assert stream is not None and client is not None

    QTest.keySequence(window, QKeySequence("Ctrl+Q"))
    assert await asyncio.wait_for(run, 60) == 0

    assert stream.state is StreamState.STOPPED, "MQTT was disconnected and its thread joined"
    assert client._http.is_closed, "the HTTP client (httpx) was closed"
    assert not [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    executor.shutdown(wait=True)  # main() closes the loop, which joins its pool
    left = [t.name for t in set(threading.enumerate()) - before if t.is_alive()]
    assert not left, f"threads left running: {left}"
    tasks = [t.get_name() for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert not tasks, f"tasks left running: {tasks}"


@pytest.mark.timeout(120)
async def test_start_up_finds_the_keyring_off_the_gui_thread_and_the_demo_never_uses_it(
    qapp: Any, tmp_path: Path, slow_keyring: _SlowToFindKeyring
) -> None:
    run, window = await _start_demo(qapp, tmp_path)
    assert window.sign_in_page.remember.isEnabled(), "the slow keyring was found and counts as secure"
    window.quit_action.trigger()
    assert await asyncio.wait_for(run, 60) == 0
    main = threading.main_thread().name
    assert slow_keyring.calls, "the app looked for a keyring"
    assert all(thread != main for _, thread in slow_keyring.calls), slow_keyring.calls
    # The demo signs in without "Remember me", so the keyring (maybe locked) is never asked for anything.
    assert {what for what, _ in slow_keyring.calls} == {"priority"}
