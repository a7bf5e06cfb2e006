"""What the window says when settings or the keyring fail (real window offscreen, files, keyring)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from skydesk.core.credentials import CredentialStore
from tests.gui.helpers import fill_sign_in, wait_loaded
from tests.support.qt import wait_until
from tests.support.secret_service import running_secret_service, use_detected_keyring


def _box(window: Any, title: str) -> QMessageBox | None:
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible() and b.windowTitle() == title]
    return boxes[0] if boxes else None


async def test_a_corrupt_settings_file_is_said_at_start(make_window: Any, tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"profiles": [{"name": "work", "api_url": "https://', encoding="utf-8")
    window = make_window(settings_path=path)
    box = await wait_until(lambda: _box(window, "Settings could not be read"), 10, what="the notice")
    assert "default settings" in box.text() and "settings.json.bak" in box.text()
    assert (tmp_path / "settings.json.bak").exists()
    assert window.sign_in_page.isVisible()  # and the app goes on, with defaults


@pytest.mark.keyring_real
async def test_remember_me_with_a_locked_keyring_signs_in_and_says_it_is_not_remembered(
    make_window: Any, sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import secretstorage

    with running_secret_service(tmp_path / "run", monkeypatch):
        use_detected_keyring()
        secretstorage.get_default_collection(secretstorage.dbus_init()).lock()  # no prompt can unlock it
        window = make_window(credentials=CredentialStore())
        page = window.sign_in_page
        fill_sign_in(window, sandbox, "tech")
        assert page.remember.isEnabled()
        page.remember.setChecked(True)
        QTest.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
        await wait_loaded(window)
        box = await wait_until(lambda: _box(window, "Sign-in not remembered"), 15, what="the notice")
        assert "password next time" in box.text()
