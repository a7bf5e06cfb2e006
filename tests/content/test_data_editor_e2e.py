"""The session-data editor against the sandbox: deep edits as a minimal patch, refused keys, raw JSON."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QApplication, QComboBox, QLineEdit

from skydesk.models.data_edit_model import COL_TYPE, COL_VALUE, KeyErrorRole
from tests.content.helpers import newest_data_event, open_fresh_session
from tests.support.qt import wait_until

DATA = {
    "inspection": {"steps": [{"title": "Check valve"}, {"title": "Log pressure"}], "by": "tech"},
    "readings": {"pressure_bar": 8.1, "temp_c": 20},
    "notes": "first visit",
}


def open_editor(tree: Any, index: Any) -> QLineEdit:
    """Select a cell and press F2, as a user does; returns the inline editor that opened."""
    tree.setCurrentIndex(index)
    tree.scrollTo(index)
    QTest.keyClick(tree, Qt.Key.Key_F2)
    editor = tree.indexWidget(index)
    assert isinstance(editor, QLineEdit), f"an inline editor opened, not {editor!r}"
    return editor


async def commit(tree: Any, editor: QLineEdit) -> None:
    """Press Enter in an inline editor; Qt commits it on the next turn of the event loop."""
    QTest.keyClick(editor, Qt.Key.Key_Return)
    await wait_until(lambda: tree.state() == QAbstractItemView.State.NoState, 5, what="the edit to commit")


async def type_into(tree: Any, index: Any, text: str) -> None:
    """Edit a cell as a user does: select it, F2, select all, type, Enter."""
    editor = open_editor(tree, index)
    editor.selectAll()
    QTest.keyClicks(editor, text)
    await commit(tree, editor)


async def test_deep_edit_sends_the_minimal_patch(make_window: Any, sandbox: Any) -> None:
    opened = await open_fresh_session(make_window, sandbox, DATA)
    editor, ctl = opened.views.data_editor, opened.content.data_editor
    model, tree = ctl.model, editor.tree
    opened.window.workspace.detail_pane.tabs.setCurrentWidget(editor)
    assert not editor.save_button.isEnabled(), "nothing to save yet"

    await type_into(tree, model.index_of(("readings", "pressure_bar")).siblingAtColumn(COL_VALUE), "8.98")
    await type_into(
        tree, model.index_of(("inspection", "steps", 1, "title")).siblingAtColumn(COL_VALUE), "Log PSI"
    )
    tree.setCurrentIndex(model.index_of(("notes",)))
    QTest.mouseClick(editor.delete_button, Qt.MouseButton.LeftButton)
    tree.setCurrentIndex(model.index_of(("readings",)))
    QTest.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)  # a new key under readings, being renamed
    key_editor = tree.indexWidget(model.index_of(("readings", "newKey")))
    assert isinstance(key_editor, QLineEdit)
    key_editor.selectAll()
    QTest.keyClicks(key_editor, "humidity")
    await commit(tree, key_editor)
    await type_into(tree, model.index_of(("readings", "humidity")).siblingAtColumn(COL_VALUE), "dry")

    expected_patch = {
        "inspection": {"steps": [{"title": "Check valve"}, {"title": "Log PSI"}]},  # the array goes whole
        "readings": {"pressure_bar": 8.98, "humidity": "dry"},  # temp_c untouched: not sent
        "notes": None,  # deleted: null
    }
    assert editor.save_button.isEnabled()
    QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    review = editor.review
    assert review is not None and review.isVisible()
    assert json.loads(review.patch.toPlainText()) == expected_patch, (
        "the diff view shows the patch that goes out"
    )
    assert (
        '"notes": "first visit"' in review.before.toPlainText() and "notes" not in review.after.toPlainText()
    )
    assert '-  "notes": "first visit"' in review.diff.toPlainText(), "the line diff shows the removal"
    QTest.mouseClick(review.send_button, Qt.MouseButton.LeftButton)

    await wait_until(lambda: not ctl.saving and not ctl.is_dirty(), 15, what="the save")
    expected = {
        "inspection": {"steps": [{"title": "Check valve"}, {"title": "Log PSI"}], "by": "tech"},
        "readings": {"pressure_bar": 8.98, "temp_c": 20, "humidity": "dry"},
    }
    assert await opened.other.get_session_data(opened.app_id, opened.session_id) == expected
    event = await newest_data_event(opened)
    assert event is not None and event.data == expected_patch, "the server received exactly the minimal patch"
    assert not editor.save_button.isEnabled()
    await opened.other.aclose()


async def test_refused_key_is_marked_and_never_sent(make_window: Any, sandbox: Any) -> None:
    opened = await open_fresh_session(make_window, sandbox, DATA)
    editor, ctl = opened.views.data_editor, opened.content.data_editor
    model, tree = ctl.model, editor.tree
    before = await newest_data_event(opened)
    key = model.index_of(("inspection", "steps", 0, "title"))
    key_editor = open_editor(tree, key)
    key_editor.selectAll()
    QTest.keyClicks(key_editor, "step title")
    assert "letters, digits" in key_editor.toolTip(), "checked as you type"
    await commit(tree, key_editor)

    renamed = model.index_of(("inspection", "steps", 0, "step title"))
    assert renamed.data(KeyErrorRole), "the offending key is marked"
    assert (
        editor.problems_label.isVisible()
        and 'inspection.steps[0]["step title"]' in editor.problems_label.text()
    )
    assert not editor.save_button.isEnabled(), "Save stays disabled"
    assert editor.review_and_save() is None and ctl.save() is None, "nothing can be sent"
    assert await newest_data_event(opened) == before, "the server received no patch"

    await type_into(tree, renamed, "step_title")
    assert not editor.problems_label.isVisible() and editor.save_button.isEnabled()
    await opened.other.aclose()


async def test_raw_mode_keeps_the_edit_and_points_at_syntax_errors(make_window: Any, sandbox: Any) -> None:
    opened = await open_fresh_session(make_window, sandbox, DATA)
    editor, ctl = opened.views.data_editor, opened.content.data_editor
    await type_into(editor.tree, ctl.model.index_of(("readings", "temp_c")).siblingAtColumn(COL_VALUE), "21")
    QTest.mouseClick(editor.mode_button, Qt.MouseButton.LeftButton)
    assert editor.in_raw_mode() and '"temp_c": 21' in editor.raw.toPlainText(), "the tree edit is in the text"

    text = editor.raw.toPlainText().replace('"temp_c": 21', '"temp_c": 22,,')
    editor.raw.setPlainText(text)
    await wait_until(editor.syntax_label.isVisible, 5, what="the syntax error")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if ",," in row)
    assert editor.syntax_label.text().startswith(f"Line {line}, column ")
    assert editor.raw.mark_position() is not None and editor.raw.mark_position()[0] == line
    assert not editor.save_button.isEnabled()
    QTest.mouseClick(editor.mode_button, Qt.MouseButton.LeftButton)
    assert editor.in_raw_mode(), "a broken text cannot go back to the tree (the edit is not lost)"

    editor.raw.setPlainText(text.replace('"temp_c": 22,,', '"temp_c": 22, "wind": [1, 2]'))
    await wait_until(lambda: not editor.syntax_label.isVisible(), 5, what="the text to be valid")
    QTest.mouseClick(editor.mode_button, Qt.MouseButton.LeftButton)
    assert not editor.in_raw_mode()
    assert ctl.edit()["readings"] == {"pressure_bar": 8.1, "temp_c": 22, "wind": [1, 2]}
    assert ctl.patch() == {"readings": {"temp_c": 22, "wind": [1, 2]}}
    await opened.other.aclose()


async def test_copy_find_and_long_text(make_window: Any, sandbox: Any) -> None:
    long_note = "Check for visible corrosion on every flange before reading the gauge. " * 3
    opened = await open_fresh_session(make_window, sandbox, {**DATA, "notes": long_note})
    editor, ctl = opened.views.data_editor, opened.content.data_editor
    model, tree = ctl.model, editor.tree
    tree.setCurrentIndex(model.index_of(("inspection", "steps", 1, "title")))
    assert editor.copy_path() == "inspection.steps[1].title" == QApplication.clipboard().text()
    assert editor.copy_value() == "Log pressure"
    assert json.loads(editor.copy_document()) == {**DATA, "notes": long_note}

    QTest.keyClicks(editor.find_edit, "PRESSURE")
    QTest.keyClick(editor.find_edit, Qt.Key.Key_Return)
    assert (
        model.path(tree.currentIndex()) == ("inspection", "steps", 1, "title")
        and editor.find_label.text() == "1 of 2"
    )
    QTest.keyClick(editor.find_edit, Qt.Key.Key_Return)
    assert model.path(tree.currentIndex()) == ("readings", "pressure_bar")

    value = model.index_of(("notes",)).siblingAtColumn(COL_VALUE)
    header = tree.header()
    assert header.sectionResizeMode(COL_VALUE) == header.ResizeMode.Stretch, "values take the free width"
    tree.setCurrentIndex(value)
    tree.doubleClicked.emit(value)
    dialog = editor.text_dialog
    assert dialog is not None and dialog.editor.toPlainText() == long_note, (
        "long text opens in a multi-line editor"
    )
    dialog.editor.setPlainText("Line one\nLine two")
    dialog._on_ok()
    assert ctl.edit()["notes"] == "Line one\nLine two"
    await opened.other.aclose()


async def test_retype_a_value_and_save_it_typed(make_window: Any, sandbox: Any) -> None:
    opened = await open_fresh_session(make_window, sandbox, {"readings": {"count": "12", "ok": "yes"}})
    editor, ctl = opened.views.data_editor, opened.content.data_editor
    model, tree = ctl.model, editor.tree
    cell = model.index_of(("readings", "count")).siblingAtColumn(COL_TYPE)
    tree.setCurrentIndex(cell)
    QTest.keyClick(tree, Qt.Key.Key_F2)
    combo = tree.indexWidget(cell)
    assert isinstance(combo, QComboBox) and combo.accessibleName() == "Value type"
    combo.setCurrentText("number")
    tree.commitData(combo)
    tree.closeEditor(combo, QAbstractItemDelegate.EndEditHint.NoHint)
    model.set_type(model.index_of(("readings", "ok")), "boolean")
    model.add(model.index_of(("readings",)), "parts", [])
    assert ctl.patch() == {"readings": {"count": 12, "ok": False, "parts": []}}
    QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(editor.review.send_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not ctl.saving and not ctl.is_dirty(), 15, what="the save")
    server = await opened.other.get_session_data(opened.app_id, opened.session_id)
    assert server == {"readings": {"count": 12, "ok": False, "parts": []}}
    await opened.other.aclose()


async def test_integers_beyond_64_bits_are_shown_and_saved(make_window: Any, sandbox: Any) -> None:
    # Valid JSON (Python reads it exactly); Qt's conversion of a dict signal argument overflowed on it.
    big = {"serial": 2**70, "counts": [-(2**65), 1], "notes": "first visit"}
    opened = await open_fresh_session(make_window, sandbox, big)
    editor, ctl = opened.views.data_editor, opened.content.data_editor
    model, tree = ctl.model, editor.tree
    assert model.index_of(("serial",)).siblingAtColumn(COL_VALUE).data() == str(2**70)
    patches: list[Any] = []
    ctl.saved.connect(patches.append)
    await type_into(tree, model.index_of(("serial",)).siblingAtColumn(COL_VALUE), str(2**71))
    QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    if editor.review is not None and editor.review.isVisible():
        QTest.mouseClick(editor.review.send_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not ctl.saving and not ctl.is_dirty(), 15, what="the save")
    assert patches == [{"serial": 2**71}]
    assert await opened.other.get_session_data(opened.app_id, opened.session_id) == {**big, "serial": 2**71}
    await opened.other.aclose()
