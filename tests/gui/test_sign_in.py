"""Signing in through the form: success, a wrong password, and a server that is down then back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.ui import main_window
from skydesk.ui.main_window import PAGE_SIGN_IN, PAGE_WORKSPACE
from tests.gui.helpers import fill_sign_in, signed_in_window, visible_column, wait_loaded
from tests.support.qt import wait_until


async def test_sign_in_shows_the_sessions_and_who_is_signed_in(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")

    assert window.pages.currentIndex() == PAGE_WORKSPACE
    assert window.status.user_label.text() == "tech @ demo"
    names = [window.app_combo.itemText(i) for i in range(window.app_combo.count())]
    assert names == sorted(a.name for a in sandbox.info.applications)
    assert visible_column(window, 0), "the first application lists the technician's sessions"
    total = window.services.browser.model.total
    assert window.workspace.sessions.count_label.text() == f"{total} sessions"
    # "Remember me" is offered only with a secure keyring; the tests have none, and the page says why.
    assert not window.sign_in_page.remember.isEnabled()
    assert window.sign_in_page.remember_reason.text()
    await wait_until(lambda: window.status.live_state == "connected", 20, what="live events to connect")
    assert window.status.live_label.text() == "Live events: connected"


async def test_wrong_password_is_refused_with_a_message_naming_the_host(
    make_window: Any, sandbox: Any
) -> None:
    window = make_window()
    fill_sign_in(window, sandbox, "tech", password="not-the-password")
    QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)

    error = window.sign_in_page.error
    await wait_until(error.isVisible, 15, what="the sign-in error")
    host = urlsplit(sandbox.info.api_url).hostname
    assert host and host in error.text()
    assert "password" in error.text().lower()
    assert window.pages.currentIndex() == PAGE_SIGN_IN
    assert window.sign_in_page.sign_in_button.isEnabled(), "the user can try again"
    assert window.sign_in_page.username.text() == "tech", "nothing the user typed is lost"


async def test_server_down_then_back_signs_in_on_retry(make_window: Any, make_sandbox: Any) -> None:
    sb = make_sandbox(seed=6)
    sb.stop_api()
    window = make_window()
    fill_sign_in(window, sb, "tech")
    QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)

    error = window.sign_in_page.error
    await wait_until(error.isVisible, 30, what="the unreachable-host error")
    assert urlsplit(sb.info.api_url).netloc in error.text() or "127.0.0.1" in error.text()
    assert "reach" in error.text().lower()

    sb.start_api()
    QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_loaded(window)
    assert not error.isVisible()
    # The first page may be shown while a follow-up request (the selected session) is still in flight.
    await wait_until(lambda: window.status.api_label.text() == "API: online", 10, what="API: online")


async def test_the_workspace_replaces_the_locked_form_once_the_first_page_is_in(
    make_window: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not shown earlier however slow the page is on a busy machine (after 250 ms it would be, loading).
    monkeypatch.setattr(main_window, "WORKSPACE_WAIT_MS", 60_000)
    window = make_window()
    model = window.services.browser.model
    at_sign_in: list[tuple[int, bool]] = []  # (page shown, Sign in button enabled) when signed in
    shown: list[tuple[int, bool]] = []  # (page shown, rows in the model) at each change of page
    window.services.auth.signed_in.connect(
        lambda _label: at_sign_in.append(
            (window.pages.currentIndex(), window.sign_in_page.sign_in_button.isEnabled())
        )
    )
    window.pages.currentChanged.connect(lambda index: shown.append((index, bool(model.sessions()))))
    fill_sign_in(window, sandbox, "tech")
    QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_loaded(window)
    assert at_sign_in == [(PAGE_SIGN_IN, False)], "signed in, the form stays locked until the rows are in"
    assert shown == [(PAGE_WORKSPACE, True)], "the workspace is shown once, with its rows"
    assert window.sign_in_page.password.text() == "", "the password is not kept once signed in"
    assert window.sign_in_page.sign_in_button.isEnabled(), "the form is ready again for after a sign-out"
