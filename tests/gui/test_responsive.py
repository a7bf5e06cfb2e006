"""The GUI thread never waits on I/O: a slow keyring and the network leave the window responsive.

The whole remember-me round trip runs against the real sandbox and a real gnome-keyring on a private D-Bus
bus, while a stall watchdog (a 10 ms timer on the GUI thread) records the longest freeze of the window.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import keyring.backend
import pytest
from keyring.backends import SecretService
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from skydesk.core.credentials import CredentialStore
from skydesk.models.session_columns import COL_NAME
from skydesk.ui.main_window import PAGE_SIGN_IN
from tests.gui.helpers import close_window, fill_sign_in, wait_loaded
from tests.gui.stall import StallWatchdog
from tests.support.qt import wait_until
from tests.support.secret_service import running_secret_service

KEYRING_DELAY = 0.5
# A freeze this long is what blocking on one keyring call looks like; the app's own work (painting, parsing
# a page of sessions) stays far below it even on a loaded two-core machine.
MAX_GAP = 0.4


class _PromptingSecretService(SecretService.Keyring):
    """The real Secret Service backend, but every call first waits half a second.

    A real keyring does that and worse: a locked GNOME Keyring or KWallet answers only after the user has
    dealt with its unlock prompt. The daemon cannot be made to prompt in a headless test, so this delay is
    the one simulated part; the token itself really goes to gnome-keyring over D-Bus.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []  # (method, name of the calling thread)

    def _prompt(self, method: str) -> None:
        self.calls.append((method, threading.current_thread().name))
        time.sleep(KEYRING_DELAY)

    def get_password(self, service: str, username: str) -> str | None:
        self._prompt("get")
        return super().get_password(service, username)  # type: ignore[no-any-return]

    def set_password(self, service: str, username: str, password: str) -> None:
        self._prompt("set")
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._prompt("delete")
        super().delete_password(service, username)


# Defining a backend class registers it for keyring's own detection; take it out again, so that no other
# test that lets keyring pick a backend ever gets this slow one.
keyring.backend.KeyringBackend._classes.discard(_PromptingSecretService)


def _stored_token(profile: str, username: str) -> str | None:
    """What the real daemon holds for this sign-in (read through an ordinary, prompt-free backend)."""
    return CredentialStore(backend=SecretService.Keyring()).load_refresh_token(profile, username)


@pytest.mark.keyring_real
async def test_window_stays_responsive_through_a_slow_keyring_and_the_network(
    make_window: Any, sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_secret_service(tmp_path / "run", monkeypatch):
        ring = _PromptingSecretService()
        settings_path = tmp_path / "settings.json"
        watchdog = StallWatchdog()
        window = make_window(settings_path=settings_path, credentials=CredentialStore(backend=ring))
        page = window.sign_in_page
        assert page.remember.isEnabled(), "the slow backend is a secure keyring"
        fill_sign_in(window, sandbox, "tech")
        page.remember.setChecked(True)

        watchdog.start("sign in with remember me")
        QTest.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
        await wait_loaded(window)
        await wait_until(lambda: "set" in [m for m, _ in ring.calls], 10, what="the keyring write")

        watchdog.mark("browse (sort by name)")
        model = window.services.browser.model
        header = window.workspace.sessions.table.horizontalHeader()
        x = header.sectionViewportPosition(COL_NAME) + header.sectionSize(COL_NAME) // 2
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
        await wait_until(lambda: window.services.browser.filters.sort == "name", 5, what="the sort")
        await wait_loaded(window)

        watchdog.mark("open a session")
        chosen = model.sessions()[0].session_id
        window.workspace.sessions.select_session(chosen)
        pane = window.workspace.detail_pane
        await wait_until(
            lambda: pane.session is not None and pane.session.session_id == chosen, 10, what="the detail"
        )

        watchdog.mark("quit")
        await close_window(window)
        with watchdog.paused():  # the test's own checks and a new window are not the app stalling
            assert _stored_token("test", "tech"), "the refresh token is in the real keyring"
            again = make_window(settings_path=settings_path, credentials=CredentialStore(backend=ring))

        watchdog.mark("restore the remembered sign-in")
        again.start(again.settings.profile(again.settings.last_profile))
        await wait_loaded(again)
        assert again.status.user_label.text() == "tech @ demo"

        watchdog.mark("sign out")
        again.sign_out_action.trigger()
        await wait_until(lambda: again.pages.currentIndex() == PAGE_SIGN_IN, 10, what="the sign-in page")
        await wait_until(lambda: "delete" in [m for m, _ in ring.calls], 10, what="the keyring to forget")
        await close_window(again)
        watchdog.stop()
        assert _stored_token("test", "tech") is None, "sign-out forgot the token in the real keyring"

    print(f"\nGUI stall watchdog: largest gap {watchdog.max_gap * 1000:.0f} ms ({watchdog.report()})")
    methods = {m for m, _ in ring.calls}
    assert {"get", "set", "delete"} <= methods, ring.calls
    on_gui_thread = [m for m, thread in ring.calls if thread == threading.main_thread().name]
    assert not on_gui_thread, f"keyring calls made on the GUI thread: {on_gui_thread}"
    assert watchdog.max_gap < MAX_GAP, f"the window froze: {watchdog.report()}"
