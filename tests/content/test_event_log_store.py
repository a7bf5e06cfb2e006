"""The event log's store and table: bound, filter, diff against the previous state, export, pause."""

from __future__ import annotations

import gc
import io
import json
from typing import Any

from skydesk.api import SessionEvent
from skydesk.events.types import event_from_json
from skydesk.models.event_log import EventFilter, EventLog, changes, write_jsonl
from skydesk.models.event_log_model import COL_SESSION, COL_TYPE, EventLogController
from tests.events.payloads import event, session_json


def ev(event_type: str, **kw: Any) -> SessionEvent:
    return event_from_json(event(event_type, **kw))


def test_bound_drops_oldest_and_counts_them() -> None:
    log = EventLog(limit=3)
    added, dropped = log.add([ev("session_created") for _ in range(2)])
    assert (len(added), dropped) == (2, [])
    added, dropped = log.add([ev("session_created") for _ in range(5)])
    # Of the 5 new ones, 2 dropped within the same batch: the view only ever sees the last 3.
    assert len(added) == 3 and len(dropped) == 2
    assert len(log) == 3 and log.dropped == 4 and log.received == 7
    assert [e.seq for e in log] == [5, 6, 7]


def test_the_types_and_sessions_offered_are_those_of_the_kept_entries() -> None:
    log = EventLog(limit=4)
    for batch in (["a", "b", "a"], ["c"], ["c", "d", "d"]):
        log.add([ev("session_closed" if s == "d" else "session_created", session_id=s) for s in batch])
        assert log.session_ids() == sorted({e.session_id for e in log})
        assert log.types() == sorted({e.event_type for e in log})
    assert log.session_ids() == ["c", "d"] and log.types() == ["session_closed", "session_created"]
    log.set_limit(1)
    assert log.session_ids() == ["d"] and log.types() == ["session_closed"]
    log.clear()
    assert log.session_ids() == [] and log.types() == []


def test_filter_by_type_session_and_text() -> None:
    log = EventLog()
    log.add(
        [
            ev("session_created", session_id="a"),
            ev("session_data_updated", session_id="a", data={"readings": {"pressure_bar": 8.98}}),
            ev("session_data_updated", session_id="b", data={"note": "Valve OK"}),
        ]
    )
    assert len(log.filtered(EventFilter(types=frozenset({"session_data_updated"})))) == 2
    assert len(log.filtered(EventFilter(session_id="a"))) == 2
    hits = log.filtered(EventFilter(text="valve ok"))
    assert [e.session_id for e in hits] == ["b"]
    assert log.filtered(EventFilter(text="pressure_bar", session_id="b")) == []


def test_changes_against_the_previous_known_state() -> None:
    log = EventLog()
    log.note_data("a", {"readings": {"pressure_bar": 8.1}, "notes": "x"})
    log.add(
        [ev("session_data_updated", session_id="a", data={"readings": {"pressure_bar": 8.98}, "notes": None})]
    )
    entry = log.entries()[-1]
    assert [(c.path, c.old, c.new) for c in changes(entry)] == [
        ("data.readings.pressure_bar", "8.1", "8.98"),
        ("data.notes", "x", "(removed)"),
    ]
    renamed = session_json("a", name="Pump 8")
    log.add([ev("session_updated", session_id="a", session=session_json("a"))])
    log.add([ev("session_updated", session_id="a", session=renamed)])
    assert [(c.path, c.old, c.new) for c in changes(log.entries()[-1])] == [("name", "Pump 7", "Pump 8")]


def test_export_writes_the_payloads_as_json_lines() -> None:
    log = EventLog()
    log.add([ev("session_created", session_id="a"), ev("session_closed", session_id="a")])
    out = io.StringIO()
    assert write_jsonl(log.entries(), out) == 2
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["eventType"] for line in lines] == ["session_created", "session_closed"]


def varied_payloads() -> list[dict[str, Any]]:
    """Payloads of every kind, with what JSON text could lose: non-ASCII, escapes, floats, nulls, nesting."""
    return [
        event("session_created", session_id="a", deviceId="tablet-7"),
        event(
            "session_data_updated",
            session_id="a",
            data={"readings": {"pressure_bar": 8.98, "temps": [1e-07, -0.0, 12345678901234567890]}},
        ),
        event(
            "session_event_created", session_id="a", customEventType="inspection.photo", data={"q": 'a"b\\n'}
        ),
        event("session_updated", session_id="a", session=session_json("a", name="Pumpe Süd — 7 ✓")),
        event("session_data_updated", session_id="b", data={"note": None, "list": [{"x": [True, False]}]}),
        event("future_event_type", session_id="c", extra={"nested": {"deep": [[], {}]}}),
        event("session_closed", session_id="a"),
    ]


def test_payloads_shown_exported_and_filtered_as_received() -> None:
    payloads = varied_payloads()
    log = EventLog()
    log.add(list(map(event_from_json, payloads)))
    entries = log.entries()
    assert [e.raw for e in entries] == payloads
    assert [e.event_id for e in entries] == [p["eventId"] for p in payloads]
    assert [e.kind for e in entries][2] == "session_event_created: inspection.photo"
    assert [e.event_type for e in entries][5] == "future_event_type"
    out = io.StringIO()
    assert write_jsonl(entries, out) == len(payloads)
    compact = [json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in payloads]
    assert out.getvalue().splitlines() == compact
    # The filter searches the JSON as the payload pane spaces it, case-folded.
    for needle in ("süd — 7 ✓", '"pressure_bar": 8.98', '"note": null', "1e-07", "12345678901234567890"):
        expected = [p for p in payloads if needle in json.dumps(p, ensure_ascii=False).casefold()]
        assert [e.raw for e in log.filtered(EventFilter(text=needle.upper()))] == expected, needle
        assert expected, needle


def test_changes_survive_the_entries_they_started_from_dropping() -> None:
    log = EventLog(limit=1)
    log.add([ev("session_updated", session_id="a", session=session_json("a", name="Pump 7"))])
    log.add([ev("session_data_updated", session_id="a", data={"n": 1, "keep": "x"})])
    log.add([ev("session_updated", session_id="a", session=session_json("a", name="Pump 8", version=2))])
    log.add([ev("session_data_updated", session_id="a", data={"n": 2})])
    (entry,) = log.entries()
    assert [(c.path, c.old, c.new) for c in changes(entry)] == [("data.n", "1", "2")]
    states = entry.states()
    assert states is not None
    assert states[0]["session"]["name"] == states[1]["session"]["name"] == "Pump 8"
    assert states[1]["data"] == {"n": 2, "keep": "x"}
    log.set_limit(2)
    log.add([ev("session_updated", session_id="a", session=session_json("a", name="Pump 9", version=3))])
    assert [(c.path, c.old, c.new) for c in changes(log.entries()[-1])] == [
        ("name", "Pump 8", "Pump 9"),
        ("version", "2", "3"),
    ]
    log.add([ev("session_event_created", session_id="a")])
    assert log.entries()[-1].states() is None and changes(log.entries()[-1]) == []


def test_entries_hold_no_containers_the_collector_must_scan() -> None:
    log = EventLog()
    log.note_data("a", {"readings": {"pressure_bar": 8.1}})
    log.add(map(event_from_json, varied_payloads() * 20))
    gc.collect()  # tuples of strings are untracked by their first collection
    tracked = [
        type(o).__name__ for e in log for o in gc.get_referents(e) if gc.is_tracked(o) and o is not type(e)
    ]
    assert tracked == []
    assert not gc.is_tracked(log._sessions) and not gc.is_tracked(log._data)
    assert not any(gc.is_tracked(e) for e in log), "nor are the entries themselves scanned"
    assert [c.path for c in changes(log.entries()[-1])] or log.entries()[-1].states() is None


def test_table_is_newest_first_and_bounded(qapp: Any) -> None:
    ctl = EventLogController(limit=4)
    ctl.add_events([ev("session_created", session_id=f"s{i}") for i in range(3)])
    model = ctl.model
    assert model.rowCount() == 3
    assert model.index(0, COL_SESSION).data() == "Pump 7"  # by name, from the event's session
    ctl.add_events([ev("session_closed", session_id="s9")])
    assert model.index(0, COL_TYPE).data() == "session_closed"
    ctl.add_events([ev("session_data_updated") for _ in range(6)])
    assert model.rowCount() == 4
    assert "older events dropped" in ctl.status_text()


def test_pause_holds_the_view_and_resume_catches_up(qapp: Any) -> None:
    ctl = EventLogController()
    ctl.add_events([ev("session_created")])
    ctl.set_paused(True)
    ctl.add_events([ev("session_created"), ev("session_created")])
    assert ctl.model.rowCount() == 1 and ctl.held == 2
    assert "2 new events not shown" in ctl.status_text()
    ctl.set_paused(False)
    assert ctl.model.rowCount() == 3
    ctl.clear()
    assert ctl.model.rowCount() == 0 and len(ctl.log) == 0


def test_filtered_view_stays_filtered_as_events_arrive(qapp: Any) -> None:
    ctl = EventLogController(limit=5)
    ctl.set_filter(EventFilter(text="needle"))
    ctl.add_events([ev("session_data_updated", data={"x": "needle"}), ev("session_data_updated")])
    assert ctl.model.rowCount() == 1
    ctl.add_events([ev("session_data_updated") for _ in range(5)])
    assert ctl.model.rowCount() == 0  # the match dropped out of the bound
