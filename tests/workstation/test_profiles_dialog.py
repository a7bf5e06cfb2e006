"""The Profiles dialog driven as a user would: add, edit, rename, duplicate, default, delete, files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from skydesk.core.credentials import CredentialStore
from skydesk.core.settings import ConnectionProfile, Settings
from skydesk.core.tasks import TaskRegistry
from skydesk.models.profiles import ProfilesController
from skydesk.ui.profiles_dialog import ProfilesDialog
from tests.support.memory_keyring import MemoryKeyring
from tests.support.qt import wait_until

ACCOUNT = "refresh-token:{}:{}"


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def dialog(tmp_path: Path, keyring: MemoryKeyring, qapp: QApplication) -> Iterator[ProfilesDialog]:
    settings = Settings.load(tmp_path / "settings.json")
    staging = ConnectionProfile("staging", "https://api.staging.test", "mqtt.staging.test", realm="acme")
    settings.profiles.append(replace(staging, username="tech"))
    settings.remembered["staging"] = "tech"
    settings.save()
    keyring.set_password("skydesk", ACCOUNT.format("staging", "tech"), "refresh-staging")
    controller = ProfilesController(settings, CredentialStore(backend=keyring), TaskRegistry())
    box = ProfilesDialog(controller)
    box.show()
    yield box
    box.close()
    box.deleteLater()


def _type(widget: Any, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    QTest.keyClicks(widget, text)


async def _saved(dialog: ProfilesDialog) -> Settings:
    await dialog.controller.saver.flush()  # the file is written on a worker thread
    return Settings.load(dialog.controller.settings.path)


async def test_profile_round_trip_through_the_dialog(dialog: ProfilesDialog, keyring: MemoryKeyring) -> None:
    # Add: a new profile on the Default region, then choose EU and type a realm.
    QTest.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.names() == ["staging", "New profile"]
    assert dialog.name.hasFocus()
    QTest.keyClicks(dialog.name, "EU production")  # the name was selected: typing replaces it
    dialog.connection.region.setCurrentIndex(dialog.connection.region.findData("EU"))
    dialog.connection.region.activated.emit(dialog.connection.region.currentIndex())
    _type(dialog.connection.realm, "acme")
    dialog.color.setCurrentIndex(dialog.color.findText("Blue"))
    dialog.color.activated.emit(dialog.color.currentIndex())
    dialog.default.setChecked(True)
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = await _saved(dialog)
    eu = saved.profile("EU production")
    assert eu is not None and saved.default_profile == "EU production"
    assert (eu.api_url, eu.mqtt_host, eu.realm, eu.color) == (
        "https://api.skylight.eu.upskill.io",
        "mqtt.skylight.eu.upskill.io",
        "acme",
        "#1565c0",
    )
    assert dialog.list.currentItem().text() == "EU production  (default)"

    # Duplicate, then rename the copy.
    QTest.mouseClick(dialog.duplicate_button, Qt.MouseButton.LeftButton)
    assert dialog.names() == ["staging", "EU production", "EU production (2)"]
    QTest.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(dialog.name, "EU test")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in (await _saved(dialog)).profiles] == ["staging", "EU production", "EU test"]
    assert (await _saved(dialog)).default_profile == "EU production"  # the copy is not the default

    # Rename the profile with a remembered sign-in: its keyring entry follows the new name.
    dialog.select("staging")
    _type(dialog.name, "Staging")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not dialog.controller.keyring_busy, 10, what="the keyring move")
    assert keyring.items == {("skydesk", ACCOUNT.format("Staging", "tech")): "refresh-staging"}
    assert (await _saved(dialog)).remembered == {"Staging": "tech"}

    # Delete it, confirming: the profile and its keyring entry are gone.
    QTest.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None and "keyring" in box.text()
    delete = next(b for b in box.buttons() if b.text() == "Delete")
    QTest.mouseClick(delete, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not dialog.controller.keyring_busy, 10, what="the keyring delete")
    assert keyring.items == {}
    assert [p.name for p in (await _saved(dialog)).profiles] == ["EU production", "EU test"]
    assert (await _saved(dialog)).remembered == {}


async def test_cancelled_delete_keeps_everything(dialog: ProfilesDialog, keyring: MemoryKeyring) -> None:
    QTest.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None
    box.reject()
    assert dialog.names() == ["staging"] and len(keyring.items) == 1


async def test_invalid_edits_are_not_saved_and_say_why(dialog: ProfilesDialog) -> None:
    _type(dialog.connection.api_url, "ftp://nowhere")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible() and "https://" in dialog.error.text()
    assert (await _saved(dialog)).profile("staging").api_url == "https://api.staging.test"  # type: ignore[union-attr]
    QTest.keyClick(dialog.connection.api_url, Qt.Key.Key_Backspace)
    assert not dialog.error.isVisible()  # the old error goes as soon as the field changes


async def test_export_then_import_through_file_dialogs(dialog: ProfilesDialog, tmp_path: Path) -> None:
    target = tmp_path / "shared.json"
    QTest.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    files = dialog.file_dialog
    assert files is not None
    files.selectFile(str(target))
    files.accept()
    document = json.loads(target.read_text(encoding="utf-8"))
    assert [p["name"] for p in document["profiles"]] == ["staging"]
    assert "tech" not in target.read_text(encoding="utf-8")  # neither usernames nor tokens leave

    # Import into a dialog on empty settings, as a colleague would.
    other = ProfilesController(
        Settings.load(tmp_path / "other.json"), CredentialStore(backend=MemoryKeyring()), TaskRegistry()
    )
    second = ProfilesDialog(other)
    second.show()
    QTest.mouseClick(second.import_button, Qt.MouseButton.LeftButton)
    files = second.file_dialog
    assert files is not None
    files.selectFile(str(target))
    files.accept()
    assert second.names() == ["staging"]
    assert second.connection.api_url.text() == "https://api.staging.test" and second.username.text() == ""
    await other.saver.flush()
    assert Settings.load(tmp_path / "other.json").profile("staging") is not None
    second.close()
    second.deleteLater()


async def test_plain_http_is_allowed_per_profile_only_when_ticked(dialog: ProfilesDialog) -> None:
    assert not dialog.plain_http.isChecked()
    _type(dialog.connection.api_url, "http://api.site-lan.test")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert (await _saved(dialog)).profile("staging").allow_plain_http is False  # type: ignore[union-attr]

    dialog.plain_http.click()
    assert dialog.save_button.isEnabled(), "ticking it is an edit"
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = (await _saved(dialog)).profile("staging")
    assert saved is not None and saved.allow_plain_http and saved.api_url == "http://api.site-lan.test"
    dialog.select("staging")
    assert dialog.plain_http.isChecked(), "shown again as saved"
