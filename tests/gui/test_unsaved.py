"""Never lose an unsaved edit: leaving a session with edits asks Save / Discard / Cancel, every way out."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from skydesk.api import SkylightClient
from skydesk.models.session_columns import COL_NAME
from skydesk.ui.main_window import PAGE_SIGN_IN, PAGE_WORKSPACE
from tests.gui.helpers import signed_in_window
from tests.support.qt import wait_until


def _click_row(window: Any, session_id: str) -> None:
    """Click a session's row in the table, as a user would."""
    table = window.workspace.sessions.table
    model = window.services.browser.model
    index = model.index(model.row_of(session_id), COL_NAME)
    table.scrollTo(index)
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())


async def _answer(window: Any, button: QMessageBox.StandardButton) -> str:
    """Wait for the unsaved-changes question, press ``button``, and return the question's text."""
    guard = window.workspace.guard
    box = await wait_until(lambda: guard.box, 5, what="the unsaved-changes question")
    text = box.text()
    QTest.mouseClick(box.button(button), Qt.MouseButton.LeftButton)
    await wait_until(lambda: guard.box is None, 5, what="the question to close")
    return str(text)


async def _open_with_edit(window: Any, session: Any, new_name: str) -> Any:
    """Select ``session`` and type a new name into the detail pane without saving."""
    pane = window.workspace.detail_pane
    _click_row(window, session.session_id)
    await wait_until(lambda: pane.session is not None and pane.session.session_id == session.session_id, 10)
    pane.name.editor.selectAll()
    QTest.keyClicks(pane.name.editor, new_name)
    assert pane.dirty_fields() == {"name"}
    return pane


async def _server_name(sb: Any, session: Any) -> str:
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as client:
        await client.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
        return (await client.get_session(session.application_id, session.session_id)).name


async def test_choosing_another_session_asks_and_cancel_or_save_keep_the_edit(
    make_window: Any, sandbox: Any
) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    workspace = window.workspace
    first, second = [s for s in window.services.browser.model.sessions() if s.is_open][:2]
    pane = await _open_with_edit(window, first, "Unsaved edit kept")

    _click_row(window, second.session_id)
    text = await _answer(window, QMessageBox.StandardButton.Cancel)
    assert "name" in text and first.name in text
    assert workspace.sessions.selected_session_id() == first.session_id, "the selection went back"
    assert pane.session.session_id == first.session_id
    assert pane.name.text() == "Unsaved edit kept"

    _click_row(window, second.session_id)
    await _answer(window, QMessageBox.StandardButton.Save)
    await wait_until(lambda: pane.session.session_id == second.session_id, 15, what="the second session")
    assert workspace.sessions.selected_session_id() == second.session_id
    assert await _server_name(sandbox, first) == "Unsaved edit kept", "saved before moving on"


async def test_a_reload_while_the_question_is_open_keeps_list_and_pane_agreeing(
    make_window: Any, sandbox: Any
) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    workspace, model = window.workspace, window.services.browser.model
    first, second = [s for s in model.sessions() if s.is_open][4:6]
    pane = await _open_with_edit(window, first, "Kept through a reload")
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))

    for answer, shown in (
        (QMessageBox.StandardButton.Cancel, first),
        (QMessageBox.StandardButton.Save, second),
    ):
        _click_row(window, second.session_id)
        await wait_until(lambda: workspace.guard.box, 5, what="the unsaved-changes question")
        # A resync (events may have been missed) reloads the list while the user reads the question.
        before = len(resets)
        window.services.browser.refresh()
        await wait_until(lambda b=before: len(resets) > b and model.row_of(second.session_id) >= 0, 15)
        assert workspace.guard.box is not None, "the reload neither answered nor asked again"
        await _answer(window, answer)
        await wait_until(lambda s=shown: pane.session.session_id == s.session_id, 15, what=shown.name)
        assert workspace.sessions.selected_session_id() == shown.session_id, "the list shows the pane's"
    assert await _server_name(sandbox, first) == "Kept through a reload"


async def test_discard_drops_the_edit_only_when_asked(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    first, second = [s for s in window.services.browser.model.sessions() if s.is_open][2:4]
    pane = await _open_with_edit(window, first, "Edit to throw away")

    _click_row(window, second.session_id)
    await _answer(window, QMessageBox.StandardButton.Discard)
    await wait_until(lambda: pane.session.session_id == second.session_id, 15, what="the second session")
    assert pane.name.text() == second.name
    assert await _server_name(sandbox, first) == first.name, "nothing was sent"


async def test_failed_save_stays_on_the_session_with_the_text(make_window: Any, make_sandbox: Any) -> None:
    sb = make_sandbox(seed=6)
    window = await signed_in_window(make_window, sb, "tech")
    first, second = [s for s in window.services.browser.model.sessions() if s.is_open][:2]
    pane = await _open_with_edit(window, first, "Typed while the server went away")
    sb.stop_api()

    _click_row(window, second.session_id)
    await _answer(window, QMessageBox.StandardButton.Save)
    await wait_until(lambda: pane.name.message.isVisible(), 30, what="the save failure next to the name")
    assert pane.session.session_id == first.session_id
    assert window.workspace.sessions.selected_session_id() == first.session_id
    assert pane.name.text() == "Typed while the server went away"
    assert "nothing was changed" in pane.name.message.text() or "may or may not" in pane.name.message.text()
    sb.start_api()


async def test_switching_application_signing_out_and_quitting_ask_first(
    make_window: Any, sandbox: Any
) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    session = next(s for s in window.services.browser.model.sessions() if s.is_open)
    pane = await _open_with_edit(window, session, "Edit that must survive")
    browser = window.services.browser
    shown_app = browser.application_id

    # Another application: Cancel puts the picker back and keeps the edit.
    combo = window.app_combo
    combo.setCurrentIndex((combo.currentIndex() + 1) % combo.count())
    await _answer(window, QMessageBox.StandardButton.Cancel)
    assert combo.currentData() == shown_app and browser.application_id == shown_app
    assert pane.name.text() == "Edit that must survive"

    # Sign out: Cancel keeps the user signed in with the edit.
    window.sign_out_action.trigger()
    text = await _answer(window, QMessageBox.StandardButton.Cancel)
    assert "signing out" in text
    assert window.pages.currentIndex() == PAGE_WORKSPACE and window.services.auth.is_signed_in

    # Quit (Ctrl+Q) and closing the window: nothing happens until the user decides.
    quits: list[bool] = []
    window.quit_requested.connect(lambda: quits.append(True))
    QTest.keySequence(window, QKeySequence("Ctrl+Q"))
    await _answer(window, QMessageBox.StandardButton.Cancel)
    window.close()
    await _answer(window, QMessageBox.StandardButton.Cancel)
    assert quits == [] and window.isVisible()
    assert pane.name.text() == "Edit that must survive"
    QTest.keySequence(window, QKeySequence("Ctrl+Q"))
    await _answer(window, QMessageBox.StandardButton.Discard)
    assert quits == [True]

    # Discard on sign-out really signs out.
    pane.name.editor.selectAll()
    QTest.keyClicks(pane.name.editor, "Another edit")
    window.sign_out_action.trigger()
    await _answer(window, QMessageBox.StandardButton.Discard)
    await wait_until(lambda: window.pages.currentIndex() == PAGE_SIGN_IN, 10, what="the sign-in page")
