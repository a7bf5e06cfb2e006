"""Saving through the detail pane, checked on the server: one Save is one PATCH, conflicts, empty names."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from skydesk.api import Participant, SkylightClient
from tests.gui.helpers import signed_in_window
from tests.support.qt import wait_until


async def _dispatch(sb: Any) -> SkylightClient:
    client = SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file)
    await client.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
    return client


async def _updates(client: SkylightClient, app: str, session_id: str) -> list[str]:
    """The kinds of change events the server recorded for a session (one per PATCH and kind)."""
    return [e.event_type for e in (await client.list_session_events(app, session_id, limit=100)).items]


async def _open_new_session(window: Any, dispatch: SkylightClient, name: str) -> Any:
    """A session made by the dispatcher with tech in it, opened in the detail pane."""
    app = window.services.browser.application_id
    tech = window.services.auth.client.user_id
    created = await dispatch.create_session(
        app, name=name, description="old", participants=[Participant(tech)], properties={"site": "North"}
    )
    workspace = window.workspace
    await wait_until(lambda: workspace.sessions.select_session(created.session_id), 20, what="the new row")
    pane = workspace.detail_pane
    await wait_until(lambda: pane.session is not None and pane.session.session_id == created.session_id, 20)
    return created


def _press(box: QMessageBox, text: str) -> None:
    QTest.mouseClick(next(b for b in box.buttons() if b.text() == text), Qt.MouseButton.LeftButton)


async def test_a_save_of_three_changed_fields_sends_one_patch(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    dispatch = await _dispatch(sandbox)
    try:
        created = await _open_new_session(window, dispatch, "Three fields")
        app, sid = created.application_id, created.session_id
        before = await _updates(dispatch, app, sid)
        pane = window.workspace.detail_pane
        pane.name.editor.setText("Three fields, edited")
        pane.description.editor.setPlainText("new")
        pane.properties.table.item(0, 1).setText("South")
        assert pane.dirty_fields() == {"name", "description", "properties"}
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
        assert not pane.save_button.isEnabled()  # disabled at once, until the answer
        await wait_until(lambda: not pane.dirty_fields(), 20, what="the save")
        after = await _updates(dispatch, app, sid)
        new = after[len(before) :]
        assert sorted(new) == ["session_properties_updated", "session_updated"], new  # one PATCH
        server = await dispatch.get_session(app, sid)
        assert (server.name, server.description, server.properties) == (
            "Three fields, edited",
            "new",
            {"site": "South"},
        )
    finally:
        await dispatch.aclose()


async def test_a_double_click_on_save_sends_one_patch(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    dispatch = await _dispatch(sandbox)
    try:
        created = await _open_new_session(window, dispatch, "Double click")
        app, sid = created.application_id, created.session_id
        before = await _updates(dispatch, app, sid)
        pane = window.workspace.detail_pane
        pane.name.editor.setText("Double click, saved")
        QTest.mouseDClick(pane.save_button, Qt.MouseButton.LeftButton)
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)  # and an impatient third click
        await wait_until(lambda: not pane.dirty_fields(), 20, what="the save")
        await wait_until(lambda: window.services.ops.busy(f"session:{sid}") == 0, 20, what="quiet")
        new = (await _updates(dispatch, app, sid))[len(before) :]
        assert new == ["session_updated"]
    finally:
        await dispatch.aclose()


async def test_a_rename_by_someone_else_during_an_edit_shows_the_conflict_and_both_choices_work(
    make_window: Any, sandbox: Any
) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    await wait_until(lambda: window.services.bridge.state == "connected", 20, what="live events")
    dispatch = await _dispatch(sandbox)
    try:
        created = await _open_new_session(window, dispatch, "Conflict")
        app, sid = created.application_id, created.session_id
        pane = window.workspace.detail_pane
        notice = pane.conflicts["name"]

        # "Use theirs": the field takes the other user's name and nothing is left to save.
        pane.name.editor.setText("Mine 1")
        await dispatch.update_session_name(app, sid, "Theirs 1")
        await wait_until(notice.isVisible, 20, what="the conflict next to the name")
        # Named by the people directory (the id only while the name is not known yet).
        await wait_until(lambda: notice.label.text().startswith("Dana Brooks"), 10, what="who, by name")
        assert notice.label.text() == "Dana Brooks changed the name to “Theirs 1” while you were editing it."
        assert not pane.save_button.isEnabled()  # never silently overwritten
        assert pane.name.text() == "Mine 1"
        QTest.mouseClick(notice.theirs_button, Qt.MouseButton.LeftButton)
        assert not notice.isVisible() and pane.name.text() == "Theirs 1" and not pane.dirty_fields()

        # "Keep mine": Save then replaces theirs, knowingly.
        pane.name.editor.setText("Mine 2")
        await dispatch.update_session_name(app, sid, "Theirs 2")
        await wait_until(notice.isVisible, 20, what="the second conflict")
        QTest.mouseClick(notice.mine_button, Qt.MouseButton.LeftButton)
        assert not notice.isVisible() and pane.save_button.isEnabled()
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
        await wait_until(lambda: not pane.dirty_fields(), 20, what="the save")
        assert (await dispatch.get_session(app, sid)).name == "Mine 2"
    finally:
        await dispatch.aclose()


async def test_a_change_not_seen_yet_is_found_before_sending(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    dispatch = await _dispatch(sandbox)
    try:
        created = await _open_new_session(window, dispatch, "Unseen")
        app, sid = created.application_id, created.session_id
        await window.services.live.stop()  # no live event will tell the pane
        pane = window.workspace.detail_pane
        pane.name.editor.setText("Mine")
        pane.description.editor.setPlainText("mine too")
        await dispatch.update_session_name(app, sid, "Theirs")
        before = await _updates(dispatch, app, sid)
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
        await wait_until(pane.conflicts["name"].isVisible, 20, what="the conflict found before sending")
        assert not pane.conflicts["description"].isVisible()  # only the field both changed asks
        assert await _updates(dispatch, app, sid) == before  # nothing was sent
        assert (await dispatch.get_session(app, sid)).name == "Theirs"
        assert pane.name.text() == "Mine" and pane.description.text() == "mine too"
    finally:
        await dispatch.aclose()


async def test_an_empty_name_is_saved_only_after_confirming(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    dispatch = await _dispatch(sandbox)
    try:
        created = await _open_new_session(window, dispatch, "Soon nameless")
        pane = window.workspace.detail_pane
        pane.name.editor.setText("")
        assert pane.name.message.isVisible() and "name is empty" in pane.name.message.text()
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
        box = await wait_until(lambda: pane.empty_name_box, 5, what="Save without a name?")
        assert box.windowTitle() == "Save without a name?"
        _press(box, "Cancel")
        assert pane.dirty_fields() == {"name"}
        assert (
            await dispatch.get_session(created.application_id, created.session_id)
        ).name == "Soon nameless"
        pane.empty_name_box = None
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
        box = await wait_until(lambda: pane.empty_name_box, 5, what="the question again")
        _press(box, "Save without a name")
        await wait_until(lambda: not pane.dirty_fields(), 20, what="the save")
        assert (await dispatch.get_session(created.application_id, created.session_id)).name == ""
    finally:
        await dispatch.aclose()
