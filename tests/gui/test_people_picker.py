"""The people picker and the roles view, driven with the keyboard against the sandbox's directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu

from skydesk.core.settings import Settings
from skydesk.models.services import AppServices
from skydesk.ui.people_picker import PeoplePicker, PeoplePickerDialog
from tests.gui.helpers import no_keyring
from tests.models.helpers import sign_in
from tests.models.people import app_id_of, people_of, permissions_of
from tests.support.qt import SignalRecorder, wait_until


@pytest.fixture
async def services(sandbox: Any, tmp_path: Path, qapp: Any) -> AsyncIterator[AppServices]:
    from skydesk.app import sandbox_profile

    made = AppServices(Settings.load(tmp_path / "settings.json"), no_keyring())
    await sign_in(made, sandbox_profile(sandbox.info, "test"))
    yield made
    await made.shutdown()
    shiboken6.delete(made)


def shown(picker: PeoplePicker) -> list[str]:
    return [picker.results.item(i).text() for i in range(picker.results.count())]


async def type_into(qtbot: Any, picker: PeoplePicker, text: str) -> None:
    picker.search_edit.clear()
    qtbot.keyClicks(picker.search_edit, text)
    await wait_until(
        lambda: shown(picker) and picker.results.item(0).data(Qt.ItemDataRole.UserRole + 1), within=20
    )


@pytest.mark.parametrize("term", ["sam", "oka"])
async def test_picker_finds_sam_and_enter_chooses(qtbot: Any, services: AppServices, term: str) -> None:
    picker = PeoplePicker(people_of(services))
    qtbot.addWidget(picker)
    chosen = SignalRecorder(picker.chosen)
    await type_into(qtbot, picker, term)
    await wait_until(lambda: any("Sam Okafor" in t for t in shown(picker)), within=20)
    assert shown(picker)[0] == "Sam Okafor\nsam · Senior Field Technician"
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    person = chosen.args("chosen")[0][0]
    assert (person.name, person.kind, person.known) == ("Sam Okafor", "user", True)


async def test_keyboard_moves_to_a_group(qtbot: Any, services: AppServices) -> None:
    picker = PeoplePicker(people_of(services))
    qtbot.addWidget(picker)
    chosen = SignalRecorder(picker.chosen)
    await type_into(qtbot, picker, "a")  # every user and the group field-team
    await wait_until(lambda: any(t.startswith("field-team") for t in shown(picker)), within=20)
    while not picker.current_person().is_group:
        qtbot.keyClick(picker.search_edit, Qt.Key.Key_Down)
    assert picker.results.currentItem().text() == "field-team\nGroup · 2 members"
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Enter)
    assert chosen.args("chosen")[0][0].kind == "group"


async def test_unknown_id_warns_before_it_is_added(qtbot: Any, services: AppServices) -> None:
    picker = PeoplePicker(people_of(services))
    qtbot.addWidget(picker)
    picker.show()
    chosen = SignalRecorder(picker.chosen)
    await type_into(qtbot, picker, "contractor-17")
    assert shown(picker) == ["Add “contractor-17” as an id\nNot a known user or group"]
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    assert chosen.args("chosen") == []
    assert picker.warning.isVisible()
    assert "“contractor-17” is not a known user or group" in picker.warning.text()
    picker.kind_combo.setCurrentIndex(picker.kind_combo.findData("group"))
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    person = chosen.args("chosen")[0][0]
    assert (person.id, person.kind, person.known) == ("contractor-17", "group", False)


async def test_people_already_taking_part_cannot_be_chosen(
    qtbot: Any, sandbox: Any, services: AppServices
) -> None:
    dialog = PeoplePickerDialog(people_of(services), exclude={sandbox.info.user("sam").id})
    qtbot.addWidget(dialog)
    dialog.open()
    await type_into(qtbot, dialog.picker, "sam")
    await wait_until(lambda: any("Sam Okafor" in t for t in shown(dialog.picker)), within=20)
    assert shown(dialog.picker)[0] == "Sam Okafor\nAlready takes part"
    qtbot.keyClick(dialog.picker.search_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.person is None
    await type_into(qtbot, dialog.picker, "dana")
    await wait_until(lambda: any("Dana Brooks" in t for t in shown(dialog.picker)), within=20)
    dialog.guest_check.setChecked(True)
    qtbot.keyClick(dialog.picker.search_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible() and dialog.person.username == "dispatch" and dialog.is_guest


async def test_roles_view_names_holders_and_says_which_apply(
    qtbot: Any, sandbox: Any, services: AppServices
) -> None:
    from skydesk.models.roles import RolesTableModel
    from skydesk.ui.roles_view import RolesDialog

    people, permissions = people_of(services), permissions_of(services)
    model = RolesTableModel(permissions, people)
    dialog = RolesDialog(model, permissions)
    qtbot.addWidget(dialog)
    permissions.set_application(app_id_of(sandbox), "Field Inspection")
    await wait_until(lambda: model.rowCount() == 3, within=20, what="roles")

    def rows() -> list[list[str]]:
        return [[str(model.index(r, c).data()) for c in range(5)] for r in range(model.rowCount())]

    await wait_until(lambda: "Alex Rivera (you)" in rows()[1][3], within=20, what="names of the holders")
    by_role = {row[0]: row for row in rows()}
    assert by_role["technician"][3] == "Alex Rivera (you), Sam Okafor, field-team"
    assert by_role["technician"][4] == "Yes"
    assert by_role["dispatcher"][3] == "Dana Brooks" and by_role["dispatcher"][4] == "No"
    assert "session:create" in by_role["technician"][2]
    assert dialog.summary.text() == "Your roles in Field Inspection: technician."
    assert dialog.windowTitle() == "Roles of Field Inspection"

    technician = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "technician")
    dialog.table.selectRow(technician)
    dialog.copy_ids_action.trigger()  # the names are shown; the ids are what a script or Postman needs
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied and copied[:2] == [sandbox.info.user("tech").id, sandbox.info.user("sam").id]


async def test_person_field_shows_the_name_and_gives_the_id(
    qtbot: Any, sandbox: Any, services: AppServices
) -> None:
    from skydesk.ui.people_picker import PersonLineEdit

    field = PersonLineEdit()
    qtbot.addWidget(field)
    field.set_directory(people_of(services))
    sam = sandbox.info.user("sam").id
    field.setText(sam)
    await wait_until(lambda: field.displayText() == "Sam Okafor", within=20, what="the name shown")
    assert field.text() == sam and sam in field.toolTip()
    at = QPoint(5, 5)
    mouse = QContextMenuEvent.Reason.Mouse
    QApplication.sendEvent(field, QContextMenuEvent(mouse, at, field.mapToGlobal(at)))
    menu = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible())
    assert field.copy_id_action in menu.actions() and field.copy_id_action.isEnabled()
    menu.close()
    field.copy_id_action.trigger()
    assert QGuiApplication.clipboard().text() == sam, "the id, not the name shown"
    applied = SignalRecorder(field.returnPressed)
    field.choose_action.trigger()
    qtbot.keyClicks(field.dialog.picker.search_edit, "dana")
    await wait_until(lambda: any("Dana Brooks" in t for t in shown(field.dialog.picker)), within=20)
    qtbot.keyClick(field.dialog.picker.search_edit, Qt.Key.Key_Return)
    assert field.displayText() == "Dana Brooks" and field.text() == sandbox.info.user("dispatch").id
    assert applied.args("returnPressed") == [()]
    field.clear()
    qtbot.keyClicks(field, "someone-else")
    assert field.text() == "someone-else"  # typed text is taken as an id
