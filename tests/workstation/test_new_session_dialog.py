"""The New session dialog by keyboard: focus in Name, Enter creates when valid, suggested property keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from skydesk.api import Application
from skydesk.api.validation import NAME_MAX
from skydesk.ui.new_session import NewSessionDialog

APP = Application("app-1", "Pump Maintenance", "", 1, 2, "admin", datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture
def dialog(qapp: QApplication) -> Iterator[NewSessionDialog]:
    box = NewSessionDialog(APP, property_keys=["site", "priority", "site"])
    requests: list[tuple[object, ...]] = []
    box.create_requested.connect(lambda *args: requests.append(args))
    box.requests = requests  # type: ignore[attr-defined]
    box.show()
    QTest.qWaitForWindowExposed(box)
    yield box
    box.close()
    box.deleteLater()


def test_focus_starts_in_name_and_enter_creates_only_when_valid(dialog: NewSessionDialog) -> None:
    assert QApplication.focusWidget() is dialog.name.editor
    dialog.name.set_text("x" * (NAME_MAX + 1))
    QTest.keyClick(dialog.name.editor, Qt.Key.Key_Return)  # too long: nothing is created
    assert dialog.requests == []  # type: ignore[attr-defined]
    assert dialog.participant_dialog is None  # and no other button was pressed instead
    dialog.name.set_text("")
    QTest.keyClicks(dialog.name.editor, "Pump 7 inspection")
    QTest.keyClick(dialog.name.editor, Qt.Key.Key_Return)
    assert len(dialog.requests) == 1  # type: ignore[attr-defined]
    request = dialog.requests[0]  # type: ignore[attr-defined]
    app_id, name, _description, version, participants, properties = request
    assert (app_id, name, version, participants) == ("app-1", "Pump 7 inspection", 2, [])
    assert properties == {}  # the suggested keys were left empty: not sent


def test_the_keys_used_in_the_application_are_offered(dialog: NewSessionDialog) -> None:
    table = dialog.properties.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["priority", "site"]
    table.item(1, 1).setText("North")
    QTest.keyClicks(dialog.name.editor, "With a site")
    QTest.keyClick(dialog.name.editor, Qt.Key.Key_Enter)
    assert dialog.requests[0][5] == {"site": "North"}  # type: ignore[attr-defined]


def test_tab_leaves_the_properties_table_and_the_table_grows(dialog: NewSessionDialog) -> None:
    table = dialog.properties.table
    before = table.height()
    table.setFocus()
    table.setCurrentCell(0, 0)
    QTest.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus()  # not the next cell: the next widget
    for _ in range(4):
        QTest.mouseClick(dialog.properties.add_button, Qt.MouseButton.LeftButton)
        dialog.properties.table.closePersistentEditor(dialog.properties.table.currentItem())
    QApplication.processEvents()
    assert table.height() > before
    assert table.verticalScrollBar().maximum() == 0  # every row shows without scrolling


def _title_room(box: QWidget) -> float:
    """Room for the title in a title bar's (bolder, larger) font, plus the window manager's buttons."""
    metrics = box.fontMetrics()
    return metrics.horizontalAdvance(box.windowTitle()) * 1.25 + metrics.horizontalAdvance("M") * 10


def test_the_title_is_not_cut(dialog: NewSessionDialog) -> None:
    assert dialog.width() >= _title_room(dialog)


def test_add_participant_title_is_not_cut(qapp: QApplication) -> None:
    from skydesk.ui.participants import AddParticipantDialog

    box = AddParticipantDialog(None, set())
    box.show()
    QTest.qWaitForWindowExposed(box)
    assert box.width() >= _title_room(box)
    box.close()
    box.deleteLater()
