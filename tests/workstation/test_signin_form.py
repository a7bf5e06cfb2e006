"""The sign-in form: regions fill the hosts, the MQTT host follows the API URL, errors, locking, Cancel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from skydesk.core.settings import ConnectionProfile
from skydesk.ui.signin import SignInPage


@pytest.fixture
def page(qapp: QApplication) -> Iterator[SignInPage]:
    widget = SignInPage()
    widget.resize(1024, 700)
    widget.set_profiles([], None)
    widget.show()
    QTest.qWaitForWindowExposed(widget)
    yield widget
    widget.close()
    widget.deleteLater()


def _choose_region(page: SignInPage, name: str) -> None:
    combo = page.region
    combo.setFocus()
    combo.setCurrentIndex(combo.findData(name))
    combo.activated.emit(combo.currentIndex())  # what a click in the popup sends


def test_region_choice_fills_the_hosts(page: SignInPage) -> None:
    _choose_region(page, "EU")
    assert page.api_url.text() == "https://api.skylight.eu.upskill.io"
    assert page.mqtt_host.text() == "mqtt.skylight.eu.upskill.io"
    assert page.mqtt_port.value() == 8883
    _choose_region(page, "Default")
    assert (page.api_url.text(), page.mqtt_host.text()) == (
        "https://api.skylight.upskill.io",
        "mqtt.skylight.upskill.io",
    )
    _choose_region(page, "Custom")
    assert page.api_url.hasFocus()  # ready for the deployment's own URL


def test_mqtt_host_follows_the_typed_api_url_until_edited(page: SignInPage) -> None:
    QTest.keyClicks(page.api_url, "https://api.acme.example")
    assert page.mqtt_host.text() == "mqtt.acme.example"
    assert page.region.currentData() == "Custom"
    QTest.keyClicks(page.mqtt_host, "2")
    page.api_url.clear()
    QTest.keyClicks(page.api_url, "https://api.other.example")
    assert page.mqtt_host.text() == "mqtt.acme.example2"  # the user's own host is kept
    page.mqtt_host.selectAll()
    QTest.keyClick(page.mqtt_host, Qt.Key.Key_Delete)  # emptied: it follows again
    QTest.keyClicks(page.api_url, "/")
    assert page.mqtt_host.text() == "mqtt.other.example"
    page.api_url.selectAll()
    QTest.keyClicks(page.api_url, "https://api.skylight.eu.upskill.io")
    assert page.region.currentData() == "EU"  # a typed region URL selects its region


def test_a_saved_profile_shows_its_region_and_keeps_its_own_mqtt_host(page: SignInPage) -> None:
    saved = ConnectionProfile("eu", "https://api.skylight.eu.upskill.io", "broker.acme.test", realm="acme")
    page.set_profiles([saved], "eu")
    assert page.region.currentData() == "EU" and page.mqtt_host.text() == "broker.acme.test"
    QTest.keyClicks(page.api_url, "x")
    assert page.mqtt_host.text() == "broker.acme.test"


def test_connection_and_account_fields_are_aligned(page: SignInPage) -> None:
    xs = {page.api_url.mapTo(page, page.api_url.rect().topLeft()).x()}
    xs.add(page.username.mapTo(page, page.username.rect().topLeft()).x())
    xs.add(page.password.mapTo(page, page.password.rect().topLeft()).x())
    assert len(xs) == 1, xs


def _top(widget: QWidget, page: SignInPage) -> int:
    return widget.mapTo(page, widget.rect().topLeft()).y()


def test_an_error_does_not_move_the_form_and_goes_when_a_field_changes(page: SignInPage) -> None:
    QApplication.processEvents()
    before = (_top(page.username, page), _top(page.sign_in_button, page))
    QTest.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)  # nothing filled in
    QApplication.processEvents()
    assert page.error.isVisible() and "Please fill in the API URL" in page.error.text()
    assert (_top(page.username, page), _top(page.sign_in_button, page)) == before
    # Set when the first error shows (not when the page is built, see show_error): selectable, top-left.
    assert page.error.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert page.error.alignment() == Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
    QTest.keyClicks(page.username, "t")
    assert not page.error.isVisible()
    page.show_error("Could not reach api.acme.example: the name is unknown (DNS)")
    QTest.keyClicks(page.realm, "x")
    assert not page.error.isVisible()


def test_signing_in_locks_every_field_and_offers_cancel(page: SignInPage) -> None:
    fields: list[QWidget] = [page.profile_combo, page.profile_name, page.username, page.password]
    fields += page.connection.widgets()
    cancelled: list[bool] = []
    page.cancel_requested.connect(lambda: cancelled.append(True))
    assert not page.cancel_button.isVisible()
    page.set_busy(True, "api.acme.example")
    assert not any(w.isEnabled() for w in fields)
    assert page.cancel_button.isVisible() and page.cancel_button.hasFocus()
    assert not page.sign_in_button.isEnabled()
    QTest.keyClick(page.cancel_button, Qt.Key.Key_Space)
    assert cancelled == [True]
    page.set_busy(False)
    assert all(w.isEnabled() for w in fields) and not page.cancel_button.isVisible()


def test_the_busy_bar_repaints_itself_alone(page: SignInPage, qtbot: Any) -> None:
    # An indeterminate bar animates at ~60 frames a second; each frame must not repaint the form behind it.
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QFrame, QProgressBar

    painted: dict[str, int] = {}

    class Count(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and isinstance(obj, (QFrame, QProgressBar)):
                kind = "bar" if isinstance(obj, QProgressBar) else "card"
                painted[kind] = painted.get(kind, 0) + 1
            return False

    count = Count()
    card = page.progress.parentWidget()
    assert isinstance(card, QFrame)
    QApplication.processEvents()
    for widget in (card, page.progress):
        widget.installEventFilter(count)
    page.set_busy(True, "api.example.test")
    qtbot.waitUntil(lambda: painted.get("bar", 0) >= 10, timeout=10_000)
    page.set_busy(False)
    assert painted.get("card", 0) <= 2, painted  # shown and laid out once, not once per frame
