"""The Event log dock as a user drives it: filters, selection with payload and changes, pause, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.events.types import event_from_json
from skydesk.models.event_log_model import COL_TYPE, EventLogController
from skydesk.ui.event_log_dock import EventLogDock
from tests.events.payloads import event, session_json


def feed(ctl: EventLogController) -> list[dict[str, Any]]:
    """Three events (the data of "a" known before them); returns their payloads."""
    ctl.note_data("a", {"readings": {"pressure_bar": 8.1}})
    payloads = [
        event("session_created", session_id="a"),
        event("session_data_updated", session_id="a", data={"readings": {"pressure_bar": 8.98}}),
        event("session_data_updated", session_id="b", data={"note": "Valve OK"}),
    ]
    ctl.add_events([event_from_json(p) for p in payloads])
    return payloads


def test_filter_select_pause_export(qtbot: Any, tmp_path: Path) -> None:
    ctl = EventLogController()
    dock = EventLogDock(ctl)
    qtbot.addWidget(dock)
    dock.show()
    assert dock.accessibleName() == "Event log"
    payloads = feed(ctl)
    table = dock.table
    assert table.model().rowCount() == 3

    QTest.keyClicks(dock.text_edit, "valve ok")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=3000)
    dock.text_edit.clear()
    qtbot.waitUntil(lambda: table.model().rowCount() == 3, timeout=3000)
    dock.refresh_choices()
    dock.type_combo.setCurrentIndex(dock.type_combo.findData("session_data_updated"))
    assert table.model().rowCount() == 2
    dock.session_combo.setCurrentIndex(dock.session_combo.findData("a"))
    assert table.model().rowCount() == 1

    assert not dock.payload.toPlainText() and "Select an event" in dock.payload.placeholderText()
    assert "Select an event" in dock.diff.placeholderText()
    table.selectRow(0)
    assert dock.payload.toPlainText() == json.dumps(payloads[1], indent=2, ensure_ascii=False)
    assert "data.readings.pressure_bar: 8.1 → 8.98" in dock.diff.toPlainText()

    out = tmp_path / "events.jsonl"
    dock.export_to(out)
    assert not dock.export_button.isEnabled(), "one export at a time"
    qtbot.waitUntil(lambda: "Exported 1 event to" in dock.counts_label.text(), timeout=10_000)
    assert [json.loads(line)["sessionId"] for line in out.read_text().splitlines()] == ["a"]
    assert dock.export_button.isEnabled()

    dock.type_combo.setCurrentIndex(0)
    dock.session_combo.setCurrentIndex(0)
    QTest.mouseClick(dock.pause_button, Qt.MouseButton.LeftButton)
    assert dock.pause_button.text() == "Resume"
    ctl.add_events([event_from_json(event("session_closed", session_id="a"))])
    assert table.model().rowCount() == 3 and "1 new event not shown" in dock.counts_label.text()
    QTest.mouseClick(dock.pause_button, Qt.MouseButton.LeftButton)
    assert table.model().rowCount() == 4
    assert table.model().index(0, COL_TYPE).data() == "session_closed"
    QTest.mouseClick(dock.clear_button, Qt.MouseButton.LeftButton)
    assert table.model().rowCount() == 0


def test_connection_state_and_reconnect(qtbot: Any) -> None:
    dock = EventLogDock(EventLogController())
    qtbot.addWidget(dock)
    dock.show()
    asked: list[bool] = []
    dock.reconnect = lambda: asked.append(True)
    dock.set_connection("connected", "")
    assert not dock.reconnect_button.isVisible()
    dock.set_connection("connected", "Connected to 127.0.0.1:8883 (session resumed)")
    assert dock.connection_label.text() == "Live events: connected to 127.0.0.1:8883 (session resumed)"
    dock.set_connection("offline", "broker unreachable: connection refused")
    assert dock.reconnect_button.isVisible()
    assert "connection refused" in dock.connection_label.text()
    QTest.mouseClick(dock.reconnect_button, Qt.MouseButton.LeftButton)
    assert asked == [True]


def test_the_bound_is_a_setting_in_the_dock(qtbot: Any) -> None:
    ctl = EventLogController(limit=300)
    dock = EventLogDock(ctl)
    qtbot.addWidget(dock)
    ctl.add_events([event_from_json(event("session_created")) for _ in range(250)])
    chosen: list[int] = []
    dock.limit_changed.connect(chosen.append)
    dock.limit_spin.setValue(100)
    dock.limit_spin.editingFinished.emit()
    assert ctl.log.limit == 100 and chosen == [100]
    assert dock.table.model().rowCount() == 100 and "150 older events dropped" in dock.counts_label.text()


def test_export_writes_on_a_worker_thread_and_a_failure_is_said(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import threading

    from skydesk.models import event_log_model

    ctl = EventLogController()
    dock = EventLogDock(ctl)
    qtbot.addWidget(dock)
    feed(ctl)
    writers: list[str] = []
    real = event_log_model.write_log_file

    def observed(path: Path, entries: Any) -> int:  # the real writer, noting which thread calls it
        writers.append(threading.current_thread().name)
        return real(path, entries)

    monkeypatch.setattr(event_log_model, "write_log_file", observed)
    dock.export_to(tmp_path / "all.jsonl")
    qtbot.waitUntil(lambda: "Exported 3 events" in dock.counts_label.text(), timeout=10_000)
    assert writers == ["skydesk-event-export"], "not on the GUI thread"
    assert [p.name for p in tmp_path.iterdir()] == ["all.jsonl"], "no temp file left beside it"

    dock.export_to(tmp_path / "no such folder" / "events.jsonl")
    qtbot.waitUntil(lambda: "Could not export" in dock.counts_label.text(), timeout=10_000)
    assert "No such file or directory" in dock.counts_label.text()
    assert dock.export_button.isEnabled(), "the user can choose another place"


def test_the_filter_lists_follow_renames_and_drops_and_keep_the_choice(qtbot: Any) -> None:
    ctl = EventLogController(limit=4)
    dock = EventLogDock(ctl)
    qtbot.addWidget(dock)
    dock.show()

    def updated(sid: str, name: str) -> Any:
        return event_from_json(event("session_updated", session_id=sid, session=session_json(sid, name=name)))

    def offered(combo: Any) -> list[tuple[str, str]]:
        return [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]

    ctl.add_events([updated("c", "Crane"), updated("a", "Anchor"), updated("b", "Boiler")])
    dock.refresh_choices()
    assert offered(dock.session_combo) == [
        ("All sessions", ""),
        ("Anchor", "a"),
        ("Boiler", "b"),
        ("Crane", "c"),
    ]
    dock.session_combo.setCurrentIndex(dock.session_combo.findData("b"))
    assert dock.table.model().rowCount() == 1

    # "c" drops out of the bound, "b" is renamed so that it sorts first, "d" arrives.
    ctl.add_events([updated("b", "Aardvark"), updated("d", "Dredger")])
    dock.refresh_choices()
    assert offered(dock.session_combo) == [
        ("All sessions", ""),
        ("Aardvark", "b"),
        ("Anchor", "a"),
        ("Dredger", "d"),
    ]
    assert dock.session_combo.currentData() == "b" and dock.session_combo.currentText() == "Aardvark"
    assert dock.table.model().rowCount() == 2  # both events of "b" are kept and shown
    assert offered(dock.type_combo) == [("All types", ""), ("session_updated", "session_updated")]

    ctl.clear()
    dock.refresh_choices()
    assert offered(dock.session_combo) == [("All sessions", "")] and dock.session_combo.currentIndex() == 0


def test_the_session_filter_offers_a_renamed_session_under_its_new_name(qtbot: Any) -> None:
    ctl = EventLogController()
    dock = EventLogDock(ctl)
    qtbot.addWidget(dock)
    first = event("session_created", session_id="a", session=session_json("a", name="Pump 4"))
    ctl.add_events([event_from_json(first)])
    dock.refresh_choices()
    dock.session_combo.setCurrentIndex(dock.session_combo.findData("a"))
    assert dock.session_combo.currentText() == "Pump 4"
    renamed = event("session_updated", session_id="a", session=session_json("a", name="Pump 4 (North)"))
    ctl.add_events([event_from_json(renamed)])
    dock.refresh_choices()
    assert dock.session_combo.currentText() == "Pump 4 (North)", "the new name, and still chosen"
    assert dock.table.model().rowCount() == 2


def test_the_empty_table_says_why_it_is_empty(qtbot: Any) -> None:
    from skydesk.ui.event_log_dock import HELD, NO_EVENTS, NO_MATCH

    ctl = EventLogController()
    dock = EventLogDock(ctl)
    qtbot.addWidget(dock)
    dock.resize(700, 400)
    dock.show()
    label = dock.empty_label
    assert label.isVisible() and label.text() == NO_EVENTS
    feed(ctl)
    assert not label.isVisible()
    QTest.keyClicks(dock.text_edit, "nothing like this")
    qtbot.waitUntil(lambda: label.isVisible(), timeout=3000)
    assert label.text() == NO_MATCH and dock.table.model().rowCount() == 0
    dock.text_edit.clear()
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=3000)
    QTest.mouseClick(dock.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: label.isVisible() and label.text() == NO_EVENTS, timeout=3000)
    # Paused, the events that arrive are logged but not listed: the table says they are held, not that
    # nothing matches, and shows them once the pause ends.
    QTest.mouseClick(dock.pause_button, Qt.MouseButton.LeftButton)
    feed(ctl)
    assert label.isVisible() and label.text() == HELD
    QTest.mouseClick(dock.pause_button, Qt.MouseButton.LeftButton)
    assert dock.table.model().rowCount() == 3 and not label.isVisible()
    # The label lets clicks through to the table under it.
    assert label.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
