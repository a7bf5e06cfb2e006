"""Dialogs opened from a slot never run a nested event loop: the click returns at once, the app goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk import __version__
from tests.support.qt import wait_until


async def test_about_box_opens_without_blocking(make_window: Any) -> None:
    window = make_window()
    window.about_action.trigger()  # with QMessageBox.about() this call would not return until closed
    box = window.about_box
    assert box.isVisible() and __version__ in box.text()
    box.button(box.StandardButton.Ok).click()
    await wait_until(lambda: not box.isVisible(), 5, what="the About box to close")


async def test_ca_file_browse_opens_without_blocking(make_window: Any, tmp_path: Path) -> None:
    pem = tmp_path / "company-ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n")
    window = make_window()
    page = window.sign_in_page
    window.show_sign_in()
    QTest.mouseClick(page.ca_browse, Qt.MouseButton.LeftButton)  # returns at once: the dialog is open()ed
    dialog = page.ca_dialog
    assert dialog.isVisible()
    dialog.selectFile(str(pem))
    dialog.accept()
    await wait_until(lambda: page.ca_file.text() == str(pem), 5, what="the chosen CA file in the form")
