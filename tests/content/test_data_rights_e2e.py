"""The data editor and the custom-event form follow the user's rights (issue 9), against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView

from skydesk.models.data_edit_model import COL_VALUE
from tests.content.helpers import open_fresh_session
from tests.content.test_data_editor_e2e import type_into
from tests.models.people import app_id_of, drop_permission
from tests.support.qt import wait_until

DATA = {"readings": {"pressure_bar": 8.1}, "notes": "first visit"}
NOT_ALLOWED = "Your role in Field Inspection does not allow editing session data"


def read_only_as_seen(opened: Any, reason: str) -> None:
    """What a user sees when the role may not edit the data: no edit action, the reason everywhere."""
    editor, timeline = opened.views.data_editor, opened.views.timeline
    for button in (editor.add_button, editor.delete_button, editor.text_button, editor.save_button):
        assert not button.isEnabled(), button.text()
        assert button.toolTip() == reason, button.text()
    assert editor.rights_label.isVisible() and editor.rights_label.text() == reason
    assert editor.tree.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert editor.raw.isReadOnly()
    assert not timeline.post_button.isEnabled() and timeline.post_button.toolTip() == reason


async def test_a_role_without_data_rights_sees_the_editor_read_only_with_the_reason(
    make_window: Any, make_sandbox: Any
) -> None:
    sandbox = make_sandbox(seed=5)
    # The technician keeps reading the sessions they take part in, but may no longer change them.
    drop_permission(sandbox, app_id_of(sandbox), "technician", "session:update:participant")
    opened = await open_fresh_session(make_window, sandbox, DATA)
    permissions = opened.window.services.permissions
    await wait_until(lambda: permissions.rights is not None and permissions.rights.known, 30, what="rights")
    editor, ctl = opened.views.data_editor, opened.content.data_editor
    await wait_until(lambda: ctl.read_only and editor.rights_label.text() == NOT_ALLOWED, 20)
    read_only_as_seen(opened, NOT_ALLOWED)

    # F2 on a value opens no editor; the custom-event form with valid input still refuses to post.
    index = ctl.model.index_of(("notes",)).siblingAtColumn(COL_VALUE)
    editor.tree.setCurrentIndex(index)
    QTest.keyClick(editor.tree, Qt.Key.Key_F2)
    assert editor.tree.indexWidget(index) is None
    timeline = opened.views.timeline
    timeline.type_edit.setText("inspection.note")
    timeline.check_form()
    assert not timeline.post_button.isEnabled()
    assert not opened.content.timeline.post("inspection.note", {})
    assert ctl.save() is None and ctl.edit() == DATA


async def test_a_403_on_save_makes_the_editor_read_only_with_the_reason(
    make_window: Any, make_sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(seed=5)
    opened = await open_fresh_session(make_window, sandbox, DATA)
    permissions = opened.window.services.permissions
    await wait_until(lambda: permissions.rights is not None and permissions.rights.known, 30, what="rights")
    editor, ctl = opened.views.data_editor, opened.content.data_editor
    assert not ctl.read_only and editor.add_button.isEnabled() and not editor.rights_label.isVisible()
    # An administrator takes the right away while the app runs: the app learns it from the save's 403.
    drop_permission(sandbox, app_id_of(sandbox), "technician", "session:update:participant")
    noted: list[str] = []  # the real note_forbidden, only observed
    real_note = permissions.note_forbidden
    monkeypatch.setattr(
        permissions, "note_forbidden", lambda action: (noted.append(action), real_note(action))
    )
    await type_into(editor.tree, ctl.model.index_of(("notes",)).siblingAtColumn(COL_VALUE), "second visit")
    QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: editor.review is not None and editor.review.isVisible(), 10, what="the review")
    QTest.mouseClick(editor.review.send_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: ctl.read_only, 20, what="the editor read-only after the 403")
    await wait_until(lambda: editor.rights_label.text() == NOT_ALLOWED, 30, what="the rights read again")
    assert noted == ["edit_data"], "the save's failure told the rights about the 403"
    read_only_as_seen(opened, NOT_ALLOWED)
    assert ctl.edit()["notes"] == "second visit", "the user's edit is kept, not thrown away"
