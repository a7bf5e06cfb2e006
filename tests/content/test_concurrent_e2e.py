"""Someone else changes the data during an edit: untouched keys merge in, a clash asks, nothing is lost."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.models.data_edit_model import COL_VALUE
from tests.content.helpers import newest_data_event, open_fresh_session
from tests.content.test_data_editor_e2e import type_into
from tests.support.qt import wait_until

DATA = {"readings": {"pressure_bar": 8.1, "temp_c": 20}, "notes": "first visit"}


async def save_through_review(editor: Any, ctl: Any) -> None:
    QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.review is not None
    QTest.mouseClick(editor.review.send_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not ctl.saving and not ctl.is_dirty(), 15, what="the save")


async def test_untouched_key_changed_elsewhere_is_merged_silently(make_window: Any, sandbox: Any) -> None:
    opened = await open_fresh_session(make_window, sandbox, DATA)
    editor, ctl = opened.views.data_editor, opened.content.data_editor
    await type_into(editor.tree, ctl.model.index_of(("readings", "temp_c")).siblingAtColumn(COL_VALUE), "21")

    await opened.other.patch_session_data(opened.app_id, opened.session_id, {"notes": "changed by dispatch"})
    await wait_until(lambda: ctl.edit()["notes"] == "changed by dispatch", 15, what="their change merged in")
    assert ctl.edit()["readings"]["temp_c"] == 21, "my edit is kept"
    assert not editor.conflict_box.isVisible(), "nothing to ask: different keys"
    assert "was merged into your edit" in editor.note.text() and "notes" in editor.note.text()
    notes = ctl.model.index_of(("notes",))
    assert notes.data(Qt.ItemDataRole.BackgroundRole) is not None, "the changed field is highlighted"
    assert ctl.patch() == {"readings": {"temp_c": 21}}, "their change is not sent back"

    await save_through_review(editor, ctl)
    server = await opened.other.get_session_data(opened.app_id, opened.session_id)
    assert server == {"readings": {"pressure_bar": 8.1, "temp_c": 21}, "notes": "changed by dispatch"}
    await opened.other.aclose()


async def test_clash_keep_mine_and_reload_theirs(make_window: Any, sandbox: Any) -> None:
    opened = await open_fresh_session(make_window, sandbox, DATA)
    editor, ctl = opened.views.data_editor, opened.content.data_editor
    pressure = ("readings", "pressure_bar")

    # Keep mine: my value goes out, over theirs.
    await type_into(editor.tree, ctl.model.index_of(pressure).siblingAtColumn(COL_VALUE), "9")
    await opened.other.patch_session_data(opened.app_id, opened.session_id, {"readings": {"pressure_bar": 7}})
    await wait_until(editor.conflict_box.isVisible, 15, what="the data changed underneath")
    text = editor.conflict_label.text()
    assert "changed on the server" in text and "readings.pressure_bar: yours 9, theirs 7" in text
    dispatch = sandbox.info.user("dispatch")
    # Who changed it: the directory's name, or the short id while the name is still being looked up.
    assert dispatch.display_name in text or dispatch.id[:8] in text
    assert not editor.save_button.isEnabled(), "Save waits for the choice"
    QTest.mouseClick(editor.keep_mine_button, Qt.MouseButton.LeftButton)
    assert ctl.edit()["readings"]["pressure_bar"] == 9 and ctl.patch() == {"readings": {"pressure_bar": 9}}
    await save_through_review(editor, ctl)
    assert (await opened.other.get_session_data(opened.app_id, opened.session_id))["readings"][
        "pressure_bar"
    ] == 9

    # Reload theirs: their value wins where we clashed, my other edit stays.
    await type_into(editor.tree, ctl.model.index_of(pressure).siblingAtColumn(COL_VALUE), "10")
    await type_into(editor.tree, ctl.model.index_of(("notes",)).siblingAtColumn(COL_VALUE), "mine")
    await opened.other.patch_session_data(
        opened.app_id, opened.session_id, {"readings": {"pressure_bar": 11}}
    )
    await wait_until(editor.conflict_box.isVisible, 15, what="the second clash")
    QTest.mouseClick(editor.reload_theirs_button, Qt.MouseButton.LeftButton)
    assert not editor.conflict_box.isVisible()
    assert ctl.edit() == {"readings": {"pressure_bar": 11, "temp_c": 20}, "notes": "mine"}
    assert ctl.patch() == {"notes": "mine"}
    await save_through_review(editor, ctl)
    event = await newest_data_event(opened)
    assert event is not None and event.data == {"notes": "mine"}
    assert await opened.other.get_session_data(opened.app_id, opened.session_id) == {
        "readings": {"pressure_bar": 11, "temp_c": 20},
        "notes": "mine",
    }
    await opened.other.aclose()


async def test_leaving_a_session_with_a_data_edit_asks_first(make_window: Any, sandbox: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    opened = await open_fresh_session(make_window, sandbox, DATA)
    window, ctl, editor = opened.window, opened.content.data_editor, opened.views.data_editor
    await type_into(editor.tree, ctl.model.index_of(("notes",)).siblingAtColumn(COL_VALUE), "unsaved")
    guard = window.workspace.guard
    # Leaving (here: signing out) asks; Cancel keeps the edit, Discard drops it and goes on.
    window.sign_out_action.trigger()
    box = await wait_until(lambda: guard.box, 5, what="the unsaved-changes question")
    assert "session data" in box.text() and box.button(QMessageBox.StandardButton.Save) is None
    QTest.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    await wait_until(lambda: guard.box is None, 5, what="the question to close")
    assert window.services.auth.is_signed_in and ctl.edit()["notes"] == "unsaved"
    window.sign_out_action.trigger()
    box = await wait_until(lambda: guard.box, 5, what="the question again")
    QTest.mouseClick(box.button(QMessageBox.StandardButton.Discard), Qt.MouseButton.LeftButton)
    await wait_until(lambda: not window.services.auth.is_signed_in, 10, what="signed out")
    assert not ctl.is_dirty()
    await opened.other.aclose()
