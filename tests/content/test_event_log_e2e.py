"""The Event log dock against the sandbox: live events with names, filter, diff, export, offline, a storm."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.models.event_log_model import COL_SESSION, COL_TYPE, COL_WHO
from skydesk.models.session_table import UnreadRole
from tests.content.helpers import open_fresh_session
from tests.gui.stall import StallWatchdog
from tests.support.qt import wait_until

STORM = 20_000
# The window must keep answering while 20,000 events arrive: no freeze longer than this, even on a shared,
# loaded two-core machine (a frozen window would show gaps of many seconds).
MAX_GAP_S = 1.0


async def test_filter_diff_and_export(make_window: Any, sandbox: Any, tmp_path: Path) -> None:
    opened = await open_fresh_session(make_window, sandbox, {"readings": {"pressure_bar": 8.1}})
    window, dock = opened.window, opened.views.dock
    opened.views.toggle_action.trigger()
    assert dock.isVisible() and dock.accessibleName() == "Event log"
    word = f"flange{uuid.uuid4().hex[:6]}"
    for i in range(3):
        await opened.other.patch_session_data(opened.app_id, opened.session_id, {"note": f"{word} {i}"})
    await opened.other.patch_session_data(
        opened.app_id, opened.session_id, {"readings": {"pressure_bar": 8.98}}
    )
    log = opened.content.event_log.log
    await wait_until(lambda: sum(e.session_id == opened.session_id for e in log) >= 4, 15, what="events")

    model = dock.table.model()
    top = model.index(0, 0)
    assert model.index(0, COL_TYPE).data() == "session_data_updated"
    assert model.index(0, COL_SESSION).data().startswith("Content "), "the session by name"
    assert model.index(0, COL_WHO).data() == window.services.labels.label(sandbox.info.user("dispatch").id)
    dock.table.setCurrentIndex(top)
    assert json.loads(dock.payload.toPlainText())["data"] == {"readings": {"pressure_bar": 8.98}}
    assert "data.readings.pressure_bar: 8.1 → 8.98" in dock.diff.toPlainText(), "diff against the known state"

    QTest.keyClicks(dock.text_edit, word.upper())
    await wait_until(lambda: model.rowCount() == 3, 5, what="the text filter")
    dock.refresh_choices()
    dock.session_combo.setCurrentIndex(dock.session_combo.findData(opened.session_id))
    dock.type_combo.setCurrentIndex(dock.type_combo.findData("session_data_updated"))
    assert model.rowCount() == 3
    QTest.mouseClick(dock.pause_button, Qt.MouseButton.LeftButton)
    await opened.other.patch_session_data(opened.app_id, opened.session_id, {"note": f"{word} paused"})
    await wait_until(lambda: opened.content.event_log.held == 1, 15, what="the event, held while paused")
    assert model.rowCount() == 3 and "1 new event not shown" in dock.counts_label.text()
    QTest.mouseClick(dock.pause_button, Qt.MouseButton.LeftButton)
    assert model.rowCount() == 4, "resumed: caught up"
    out = tmp_path / "log.jsonl"
    dock.export_to(out)
    await wait_until(lambda: "Exported 4 events" in dock.counts_label.text(), 10, what="the export")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    notes = [f"{word} {i}" for i in range(3)] + [f"{word} paused"]
    assert [line["data"]["note"] for line in lines] == notes, "oldest first"
    QTest.mouseClick(dock.clear_button, Qt.MouseButton.LeftButton)
    assert model.rowCount() == 0 and len(log) == 0
    await opened.other.aclose()


async def test_unread_marks_and_reconnect_now(make_window: Any, make_sandbox: Any) -> None:
    sb = make_sandbox(seed=4)
    opened = await open_fresh_session(make_window, sb, {})
    window, dock = opened.window, opened.views.dock
    browser = window.services.browser
    window.workspace.sessions.filter_bar.search.setText("")
    QTest.keyClick(window.workspace.sessions.filter_bar.search, Qt.Key.Key_Return)
    others = [
        s for s in (await opened.other.get_sessions(opened.app_id)) if s.session_id != opened.session_id
    ]

    def shown_other() -> str | None:
        return next(
            (s.session_id for s in others if s.is_open and browser.model.row_of(s.session_id) >= 0), None
        )

    other_id = await wait_until(shown_other, 15, what="another open session in the list")
    await opened.other.patch_session_data(opened.app_id, other_id, {"seen": False})
    row = lambda: browser.model.index(browser.model.row_of(other_id), 0)  # noqa: E731
    await wait_until(lambda: row().data(UnreadRole), 15, what="the unread mark")
    assert row().data(Qt.ItemDataRole.FontRole).bold()
    window.workspace.sessions.select_session(other_id)
    await wait_until(lambda: not row().data(UnreadRole), 15, what="the mark cleared on selection")

    sb.stop_broker()
    await wait_until(lambda: not dock.reconnect_button.isHidden(), 30, what="Reconnect now while offline")
    assert (
        "offline" in dock.connection_label.text().lower()
        or "reconnecting" in dock.connection_label.text().lower()
    )
    sb.start_broker()
    QTest.mouseClick(dock.reconnect_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: window.services.bridge.state == "connected", 20, what="connected again")
    assert dock.reconnect_button.isHidden()
    await opened.other.aclose()


async def test_storm_is_bounded_and_the_window_stays_responsive(make_window: Any, make_sandbox: Any) -> None:
    sb = make_sandbox(seed=2)
    opened = await open_fresh_session(make_window, sb, {"readings": {"pressure_bar": 1}})
    opened.views.toggle_action.trigger()  # the dock is shown: every row is painted as it would be
    ctl = opened.content.event_log
    assert ctl.log.limit == 10_000, "the default bound"
    page = await opened.other.list_session_events(opened.app_id, opened.session_id, sort="-createdAt")
    template = next(e.raw for e in page.items if e.event_type == "session_data_updated")
    tech = sb.info.user("tech").id
    start = ctl.log.received
    watchdog = StallWatchdog()
    watchdog.start("storm")
    began = time.monotonic()

    # The sandbox's own publish path (what a committed change calls), through the real broker and TLS:
    # 20,000 changes through REST would take minutes, the broker delivers them in seconds.
    def publish() -> None:  # on a thread of its own, like the server's: the GUI thread only receives
        for i in range(STORM):
            sb._publish_event(
                {**template, "eventId": str(uuid.uuid4()), "data": {"readings": {"n": i}}}, [tech]
            )

    publisher = threading.Thread(target=publish, name="storm")
    publisher.start()
    await wait_until(lambda: ctl.rate > 0, 30, what="the events-per-second counter")
    assert (
        opened.views.dock.rate_label.text().endswith("events/s")
        and opened.views.dock.rate_label.text() != "0 events/s"
    )
    await wait_until(lambda: ctl.log.received - start >= STORM, 180, interval=0.2, what="the storm")
    watchdog.stop()
    publisher.join()
    took = time.monotonic() - began
    print(f"\n{STORM} events in {took:.1f} s; longest GUI stall {watchdog.max_gap * 1000:.0f} ms")
    assert len(ctl.log) == 10_000 and ctl.log.dropped >= STORM - 10_000
    assert "older events dropped" in opened.views.dock.counts_label.text()
    assert opened.views.dock.table.model().rowCount() == 10_000
    newest = opened.views.dock.table.model().index(0, 0).data(Qt.ItemDataRole.UserRole + 1)
    assert newest.raw["data"] == {"readings": {"n": STORM - 1}}, "the newest kept, in order"
    assert watchdog.max_gap < MAX_GAP_S, watchdog.report()
    await opened.other.aclose()


async def test_detail_pane_marks_fields_changed_by_someone_else(make_window: Any, sandbox: Any) -> None:
    opened = await open_fresh_session(make_window, sandbox, {})
    pane, marks = opened.window.workspace.detail_pane, opened.views.changed_fields
    # (not the name: the list is filtered by it, and a renamed session would leave the list)
    await opened.other.update_session_description(opened.app_id, opened.session_id, "Valve replaced")
    await wait_until(lambda: pane.description.text() == "Valve replaced", 15, what="the live change")
    assert marks.marked == {"description"}
    assert "background-color" in pane.description.editor.styleSheet()
    assert pane.description.editor.accessibleDescription().startswith("Changed by ")
    assert pane.name.editor.styleSheet() == ""
    opened.window.services.detail.show(None, None)  # another selection (here: none) clears the marks
    await wait_until(lambda: not marks.marked, 5, what="marks cleared")
    assert pane.description.editor.styleSheet() == ""
    await opened.other.aclose()
