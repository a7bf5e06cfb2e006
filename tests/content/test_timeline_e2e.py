"""The Timeline tab against the sandbox: newest first with who and what, paging, live, custom events."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.models.timeline import COL_SUMMARY, COL_TYPE, COL_WHO, PAGE_SIZE
from tests.content.helpers import open_fresh_session
from tests.support.qt import wait_until

DATA = {"readings": {"pressure_bar": 8.1}}


def row_texts(model: Any, column: int) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


async def test_timeline_lists_follows_live_and_posts_custom_events(make_window: Any, sandbox: Any) -> None:
    opened = await open_fresh_session(make_window, sandbox, DATA)
    tab, ctl = opened.views.timeline, opened.content.timeline
    model = ctl.model
    opened.window.workspace.detail_pane.tabs.setCurrentIndex(2)
    await wait_until(lambda: model.rowCount() == 2, 15, what="the timeline")
    assert row_texts(model, COL_TYPE) == ["data_updated", "created"], "newest first"
    dispatch = opened.window.services.labels.label(sandbox.info.user("dispatch").id)
    assert row_texts(model, COL_WHO) == [dispatch, dispatch]
    assert model.index(0, COL_SUMMARY).data() == "set readings.pressure_bar 8.1"
    assert tab.state_label.text() == "2 events shown"

    tab.table.selectRow(0)
    assert json.loads(tab.payload.toPlainText())["data"] == DATA, "the payload as formatted JSON"

    await opened.other.patch_session_data(
        opened.app_id, opened.session_id, {"readings": {"pressure_bar": 8.98}}
    )
    await wait_until(lambda: model.rowCount() == 3, 15, what="the live event, without a reload")
    assert model.index(0, COL_SUMMARY).data() == "set readings.pressure_bar 8.1 → 8.98"
    assert tab.state_label.text() == "3 events shown", "the count follows live events"

    # A custom event: checked by the server's rules before sending.
    QTest.keyClicks(tab.type_edit, "photo taken")
    tab.check_form()
    assert not tab.post_button.isEnabled() and "letters, digits" in tab.form_error.text()
    tab.type_edit.setText("inspection.photo_taken")
    tab.data_edit.setPlainText('{"bad key": 1}')
    tab.check_form()
    assert not tab.post_button.isEnabled() and "bad key" in tab.form_error.text()
    tab.data_edit.setPlainText('{"camera": "rear", "count": 2')
    tab.check_form()
    assert "Line 1, column" in tab.form_error.text()
    tab.data_edit.setPlainText('{"camera": "rear", "count": 2}')
    tab.check_form()
    assert tab.post_button.isEnabled() and not tab.form_error.isVisible()
    QTest.mouseClick(tab.post_button, Qt.MouseButton.LeftButton)

    await wait_until(
        lambda: model.index(0, COL_TYPE).data() == "custom: inspection.photo_taken", 15, what="it"
    )
    assert model.index(0, COL_SUMMARY).data() == 'inspection.photo_taken: {"camera":"rear","count":2}'
    assert model.rowCount() == 4, "the live echo and the reload show it once"
    log = opened.content.event_log.log
    await wait_until(
        lambda: any(e.raw.get("customEventType") == "inspection.photo_taken" for e in log),
        15,
        what="log",
    )
    page = await opened.other.list_session_events(opened.app_id, opened.session_id, sort="-createdAt")
    assert page.items[0].raw["customEventType"] == "inspection.photo_taken"
    assert page.items[0].data == {"camera": "rear", "count": 2}
    await opened.other.aclose()


async def test_cursor_paging_of_a_long_timeline(make_window: Any, sandbox: Any) -> None:
    opened = await open_fresh_session(make_window, sandbox, {})
    for i in range(PAGE_SIZE + 5):
        await opened.other.create_session_event(opened.app_id, opened.session_id, "step", {"i": i})
    ctl, tab = opened.content.timeline, opened.views.timeline
    log = opened.content.event_log.log
    # They arrive live too; once all have, a fresh open reads only the newest page (nothing more comes in).
    await wait_until(
        lambda: sum(e.session_id == opened.session_id for e in log) >= PAGE_SIZE + 5, 30, what="live"
    )
    ctl.open(None, None)
    ctl.open(opened.app_id, opened.session_id)
    await wait_until(lambda: ctl.model.rowCount() == PAGE_SIZE, 15, what="the first page")
    assert tab.older_button.isEnabled()
    QTest.mouseClick(tab.older_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: ctl.model.rowCount() == PAGE_SIZE + 6, 15, what="the older page")
    events = ctl.model.events()
    assert events[0].data == {"i": PAGE_SIZE + 4} and events[-1].event_type == "session_created"
    assert not tab.older_button.isEnabled(), "nothing older"
    await opened.other.aclose()
