"""Helpers for GUI tests: sign in through the form, wait for loads, read what the table shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.qt import wait_until


def no_keyring() -> Any:
    """A CredentialStore without a secure backend (the test machine's keyring is never touched)."""
    from keyring.backends import fail

    from skydesk.core.credentials import CredentialStore

    return CredentialStore(backend=fail.Keyring())


async def close_window(window: Any) -> None:
    """Shut a window down the way app.py does: save layout, await the services, then close."""
    window.save_layout()
    await window.services.shutdown()
    window.allow_close()
    window.close()
    window.closed_by_test = True


def fill_sign_in(
    window: Any, sb: Any, username: str, password: str | None = None, profile: str = "test"
) -> None:
    """Type a connection profile and credentials into the sign-in page, as a user would."""
    page = window.sign_in_page
    window.show_sign_in()
    info = sb.info
    page.profile_combo.setCurrentIndex(page.profile_combo.count() - 1)  # "New profile…"
    page.profile_name.setText(profile)
    page.api_url.setText(info.api_url)
    page.mqtt_host.setText(info.mqtt_host)
    page.mqtt_port.setValue(info.mqtt_port)
    page.realm.setText(info.realm)
    page.ca_file.setText(info.ca_file or "")
    page.username.setText(username)
    page.password.setText(password if password is not None else f"{username}-demo-pw")


async def wait_loaded(window: Any, limit: float = 20.0) -> None:
    """Wait until the workspace shows a finished first page of sessions, and the application box its list.

    A remembered application's page can be in before the list of applications (they are asked for
    together): until the list is in, the box says "Loading…".
    """
    from skydesk.ui.main_window import PAGE_WORKSPACE

    browser = window.services.browser
    model = browser.model

    def loaded() -> bool:
        return (
            window.pages.currentIndex() == PAGE_WORKSPACE
            and bool(browser.application_id)
            and model.state in ("none", "empty")
            and window.app_combo.currentData() == browser.application_id
        )

    await wait_until(loaded, limit, what="sessions to load")


async def signed_in_window(
    make_window: Callable[..., Any], sb: Any, username: str = "tech", **kw: Any
) -> Any:
    """A window signed in through the form, with the first application's sessions loaded."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window = make_window(**kw)
    fill_sign_in(window, sb, username)
    QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_loaded(window)
    return window


def visible_column(window: Any, column: int) -> list[str]:
    """The texts a user sees in one column of the session table (state row excluded)."""
    from skydesk.models.session_table import SessionIdRole

    model = window.services.browser.model
    return [
        str(model.index(row, column).data())
        for row in range(model.rowCount())
        if model.index(row, 0).data(SessionIdRole)
    ]
