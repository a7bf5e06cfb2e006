"""Switching profiles without restarting, each keeping its own remembered sign-in; Cancel while signing in."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.core.credentials import CredentialStore
from skydesk.ui.main_window import PAGE_SIGN_IN, PAGE_WORKSPACE
from tests.gui.helpers import fill_sign_in, wait_loaded
from tests.support.memory_keyring import MemoryKeyring
from tests.support.qt import wait_until


async def _sign_in(window: Any, sb: Any, user: str, profile: str, remember: bool) -> None:
    fill_sign_in(window, sb, user, profile=profile)
    window.sign_in_page.remember.setChecked(remember)
    QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_loaded(window)


async def test_switch_profiles_without_restarting(make_window: Any, sandbox: Any) -> None:
    keyring = MemoryKeyring()
    window = make_window(credentials=CredentialStore(backend=keyring))
    realm = sandbox.info.realm
    await _sign_in(window, sandbox, "tech", "Production", remember=True)
    assert window.windowTitle() == f"skydesk — Production ({realm})"
    production_token = keyring.items[("skydesk", "refresh-token:Production:tech")]

    # A second profile, not remembered: its sign-in asks for the password.
    window.workstation.switch_profile("Production")  # already in use: nothing happens
    assert window.pages.currentIndex() == PAGE_WORKSPACE
    window.services.auth.sign_out(forget=False)
    await wait_until(lambda: window.pages.currentIndex() == PAGE_SIGN_IN, 10, what="the sign-in page")
    await _sign_in(window, sandbox, "dispatch", "Staging", remember=False)
    assert window.windowTitle() == f"skydesk — Staging ({realm})"
    assert window.services.auth.username == "dispatch"

    # File > Switch profile > Production: signed in again at once, from its own remembered sign-in.
    menu = window.workstation.switch_menu
    menu.aboutToShow.emit()
    entries = {a.text(): a for a in menu.actions()}
    assert entries["Staging"].isChecked() and not entries["Production"].isChecked()
    entries["Production"].trigger()
    await wait_until(
        lambda: window.services.auth.is_signed_in and window.services.auth.username == "tech",
        20,
        what="the Production sign-in restored",
    )
    await wait_loaded(window)
    assert window.windowTitle() == f"skydesk — Production ({realm})"
    assert window.services.settings.remembered == {"Production": "tech"}
    # Switching away did not forget (or revoke) it: the entry is still there, and it still works.
    assert ("skydesk", "refresh-token:Production:tech") in keyring.items
    assert window.services.auth.client is not None and production_token


async def test_cancel_while_signing_in_unlocks_the_form(make_window: Any, make_sandbox: Any) -> None:
    slow = make_sandbox(seed=0)
    slow.faults.set_latency(rest=30.0)  # every request waits half a minute
    window = make_window()
    fill_sign_in(window, slow, "tech")
    page = window.sign_in_page
    QTest.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_until(page.cancel_button.isVisible, 10, what="Cancel while signing in")
    assert not page.api_url.isEnabled() and not page.username.isEnabled()
    QTest.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    await wait_until(page.sign_in_button.isEnabled, 10, what="the form unlocked")
    assert page.api_url.isEnabled() and not page.cancel_button.isVisible()
    assert not page.error.isVisible()  # cancelled by the user: no error to read
    assert not window.services.auth.is_signed_in and window.pages.currentIndex() == PAGE_SIGN_IN
    slow.faults.clear()
