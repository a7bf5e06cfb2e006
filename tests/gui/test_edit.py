"""Creating and editing a session through the window; the server is checked for every change.

One story per test, so that an early failure never hides the checks after it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from skydesk.api import SkylightClient
from tests.gui.helpers import signed_in_window
from tests.support.qt import wait_until


def _press(button_box: QMessageBox, text: str) -> None:
    button = next(b for b in button_box.buttons() if b.text() == text)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


async def _server_session(sb: Any, app_id: str, session_id: str) -> Any:
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as client:
        await client.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
        return await client.get_session(app_id, session_id)


async def _open_own_session(window: Any, sb: Any, name: str) -> Any:
    """A session created (through the SDK, as tech) for this test only, opened in the detail pane."""
    app_id = window.services.browser.application_id
    created = await window.services.auth.client.create_session(app_id, name=name)
    workspace = window.workspace
    await wait_until(lambda: workspace.sessions.select_session(created.session_id), 20, what="its row")
    pane = workspace.detail_pane
    await wait_until(lambda: pane.session is not None and pane.session.session_id == created.session_id, 20)
    return created


async def test_create_a_session_validated_inline_and_shown_selected(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    workspace = window.workspace
    QTest.keySequence(window, QKeySequence("Ctrl+N"))
    dialog = await wait_until(lambda: workspace.new_session_dialog, 5, what="the New session dialog")
    assert dialog.name.text() == ""
    # Opened empty. The reference allows a session without a name, so Create is already possible; what
    # turns it off is a value the API would refuse (below).
    assert dialog.create_button.isEnabled()
    dialog.name.editor.setText("x" * 256)
    assert dialog.name.message.isVisible() and "255" in dialog.name.message.text()
    assert not dialog.create_button.isEnabled()
    dialog.name.editor.setText("GUI test: pump 9 inspection")
    assert dialog.create_button.isEnabled()
    table = dialog.properties.table
    site = next((r for r in range(table.rowCount()) if table.item(r, 0).text() == "site"), None)
    if site is None:  # not one of the keys the dialog offers: a new row
        dialog.properties.add_button.click()
        site = table.rowCount() - 1
        table.item(site, 0).setText("site")
    table.item(site, 1).setText("Depot 14")
    QTest.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: workspace.new_session_dialog is None, 15, what="the dialog to close")
    pane = workspace.detail_pane
    await wait_until(
        lambda: pane.session is not None and pane.session.name == "GUI test: pump 9 inspection",
        15,
        what="the new session in the detail pane",
    )
    session_id = pane.session.session_id
    await wait_until(lambda: workspace.sessions.selected_session_id() == session_id, 10, what="selection")
    assert pane.properties.properties() == {"site": "Depot 14"}
    server = await _server_session(sandbox, window.services.browser.application_id, session_id)
    assert server.name == "GUI test: pump 9 inspection" and server.properties == {"site": "Depot 14"}

    # The creator was added as a participant, and is named by the directory, with the job title, not by id.
    tech = sandbox.info.user("tech")
    listed = workspace.participants.model
    await wait_until(lambda: listed.row_of(tech.id) >= 0, 10, what="tech among the participants")
    await wait_until(
        lambda: listed.index(listed.row_of(tech.id), 0).data() == "Alex Rivera (you) · Field Technician",
        15,
        what="the creator named",
    )


async def test_edit_the_name_inline(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    created = await _open_own_session(window, sandbox, "GUI test: pump 9")
    pane = window.workspace.detail_pane
    pane.name.editor.selectAll()
    QTest.keyClicks(pane.name.editor, "GUI test: pump 9 inspected")
    assert pane.name.counter.text() == f"{len('GUI test: pump 9 inspected')} / 255"
    await wait_until(pane.save_button.isEnabled, 10, what="Save to be enabled")
    QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not pane.dirty_fields() and not pane.save_button.isEnabled(), 15, what="save")
    server = await _server_session(sandbox, created.application_id, created.session_id)
    assert server.name == "GUI test: pump 9 inspected"
    model = window.services.browser.model
    assert model.index(model.row_of(created.session_id), 0).data() == "GUI test: pump 9 inspected"


async def test_add_a_participant_then_remove_him_after_confirming(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    created = await _open_own_session(window, sandbox, "GUI test: participants")
    app_id, session_id = created.application_id, created.session_id
    # Add a participant through the people picker: a few letters of his name, then Enter.
    people = window.workspace.participants
    QTest.mouseClick(people.add_button, Qt.MouseButton.LeftButton)
    add = await wait_until(lambda: people.dialog, 5, what="the Add participant dialog")
    sam = sandbox.info.user("sam")
    add.guest_check.setChecked(True)
    QTest.keyClicks(add.picker.search_edit, "oka")
    await wait_until(lambda: (p := add.picker.current_person()) and p.id == sam.id, 20, what="Sam offered")
    QTest.keyClick(add.picker.search_edit, Qt.Key.Key_Return)
    model = people.model
    await wait_until(lambda: model.row_of(sam.id) >= 0, 15, what="sam in the participant list")
    server = await _server_session(sandbox, app_id, session_id)
    assert any(p.id == sam.id and p.is_guest for p in server.participants)

    people.list_view.setFocus()
    people.list_view.setCurrentIndex(model.index(model.row_of(sam.id), 0))
    QTest.keyClick(people.list_view, Qt.Key.Key_Delete)
    box = await wait_until(lambda: people.confirm_box, 5, what="the confirmation")
    assert box.windowTitle() == "Remove participant"
    assert "Sam Okafor" in box.text() and "lose access" not in box.text()
    _press(box, "Remove")
    await wait_until(lambda: model.row_of(sam.id) < 0, 15, what="sam to leave the list")
    server = await _server_session(sandbox, app_id, session_id)
    assert all(p.id != sam.id for p in server.participants)


async def test_close_the_session_after_confirming_and_it_turns_read_only(
    make_window: Any, sandbox: Any
) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    created = await _open_own_session(window, sandbox, "GUI test: to close")
    pane, people = window.workspace.detail_pane, window.workspace.participants
    assert not pane.notice.isVisible()
    QTest.mouseClick(pane.close_button, Qt.MouseButton.LeftButton)
    box = await wait_until(lambda: pane.close_box, 5, what="the close confirmation")
    _press(box, "Close session")
    await wait_until(lambda: pane.status_value.full_text() == "Closed", 15, what="status Closed")
    assert pane.notice.isVisible() and pane.notice.text().startswith("Closed")
    assert pane.name.editor.isReadOnly() and not pane.name.editor.isEnabled()  # looks disabled too
    assert not pane.description.isEnabled() and not pane.properties.isEnabled()
    assert not pane.close_button.isEnabled() and not pane.save_button.isEnabled()
    assert not people.add_button.isEnabled()
    assert (await _server_session(sandbox, created.application_id, created.session_id)).status == "closed"
