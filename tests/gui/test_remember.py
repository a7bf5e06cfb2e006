""" "Remember me": the refresh token goes to a secure keyring, the next start signs in silently,
and "Sign out" forgets it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.core.credentials import CredentialStore
from skydesk.ui.main_window import PAGE_SIGN_IN
from tests.gui.helpers import close_window, fill_sign_in, wait_loaded
from tests.support.memory_keyring import MemoryKeyring
from tests.support.qt import wait_until


async def _sign_in_remembered(
    make_window: Any, sb: Any, backend: MemoryKeyring, settings_path: Path, profile: str = "test"
) -> Any:
    """Sign in as tech (on `profile`) with "Remember me" ticked; returns once the token is stored."""
    window = make_window(settings_path=settings_path, credentials=CredentialStore(backend=backend))
    page = window.sign_in_page
    assert page.remember.isEnabled()
    fill_sign_in(window, sb, "tech", profile=profile)
    page.remember.setChecked(True)
    QTest.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_loaded(window)
    await wait_until(lambda: backend.items, 10, what="the refresh token in the keyring")
    return window


async def test_remembered_sign_in_is_restored_silently_and_sign_out_forgets_it(
    make_window: Any, sandbox: Any, tmp_path: Path
) -> None:
    backend = MemoryKeyring()
    settings_path = tmp_path / "remember.json"
    window = await _sign_in_remembered(make_window, sandbox, backend, settings_path)
    stored = list(backend.items.values())
    assert all("tech-demo-pw" not in value for value in stored), "the password is never stored"
    await close_window(window)
    assert "tech-demo-pw" not in settings_path.read_text()

    again = make_window(settings_path=settings_path, credentials=CredentialStore(backend=backend))
    again.start(again.settings.profile(again.settings.last_profile))
    await wait_loaded(again)  # no password typed
    assert again.status.user_label.text() == "tech @ demo"

    again.sign_out_action.trigger()
    await wait_until(lambda: again.pages.currentIndex() == PAGE_SIGN_IN, 10, what="the sign-in page")
    await wait_until(lambda: not backend.items, 10, what="the keyring entry to be forgotten")


async def test_a_remembered_sign_in_is_not_sent_to_a_host_the_command_line_changed(
    make_window: Any, sandbox: Any, tmp_path: Path
) -> None:
    from skydesk.app import build_parser, profile_from_args

    backend = MemoryKeyring()
    settings_path = tmp_path / "remember.json"
    await close_window(await _sign_in_remembered(make_window, sandbox, backend, settings_path))

    again = make_window(settings_path=settings_path, credentials=CredentialStore(backend=backend))
    args = build_parser().parse_args(["--profile", "test", "--api-url", "https://api.elsewhere.test"])
    again.start(profile_from_args(args, again.settings.profile("test")))
    # The form asks for the password instead of restoring the sign-in against the other host.
    assert again.pages.currentIndex() == PAGE_SIGN_IN
    assert again.sign_in_page.api_url.text() == "https://api.elsewhere.test"
    assert again.sign_in_page.username.text() == "tech" and not again.sign_in_page.password.text()
    assert not again.services.auth.is_signed_in
    assert backend.items, "the remembered token stays for the profile as saved"


async def test_a_remembered_profile_is_restored_after_a_plain_sign_in_on_another(
    make_window: Any, sandbox: Any, tmp_path: Path
) -> None:
    from skydesk.app import build_parser, profile_from_args

    backend = MemoryKeyring()
    settings_path = tmp_path / "remember.json"
    await close_window(
        await _sign_in_remembered(make_window, sandbox, backend, settings_path, profile="EU production")
    )
    plain = make_window(settings_path=settings_path, credentials=CredentialStore(backend=backend))
    fill_sign_in(plain, sandbox, "tech", profile="Sandbox")
    assert not plain.sign_in_page.remember.isChecked()
    QTest.mouseClick(plain.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_loaded(plain)
    await close_window(plain)

    # skydesk --profile "EU production": signed in without a password, although "Sandbox" was the last one.
    again = make_window(settings_path=settings_path, credentials=CredentialStore(backend=backend))
    assert again.settings.last_profile == "Sandbox"
    args = build_parser().parse_args(["--profile", "EU production"])
    again.start(profile_from_args(args, again.settings.profile("EU production")))
    await wait_loaded(again)
    assert again.status.user_label.text() == "tech @ demo"
    await close_window(again)

    # skydesk --profile Sandbox: that sign-in was not remembered, so the form asks for the password.
    other = make_window(settings_path=settings_path, credentials=CredentialStore(backend=backend))
    args = build_parser().parse_args(["--profile", "Sandbox"])
    other.start(profile_from_args(args, other.settings.profile("Sandbox")))
    assert other.pages.currentIndex() == PAGE_SIGN_IN
    assert other.sign_in_page.username.text() == "tech" and not other.sign_in_page.password.text()
    assert not other.services.auth.is_signed_in
