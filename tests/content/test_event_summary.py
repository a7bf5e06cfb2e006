"""One-line timeline summaries, made oldest first so a change can say what the value was before."""

from __future__ import annotations

from skydesk.events.types import event_from_json
from skydesk.models.event_summary import Summarizer, custom_event_problems
from tests.events.payloads import event, session_json


def test_data_changes_say_before_and_after() -> None:
    events = [
        event_from_json(
            event("session_data_updated", session_id="s", data={"readings": {"pressure_bar": 8.1}})
        ),
        event_from_json(
            event("session_data_updated", session_id="s", data={"readings": {"pressure_bar": 8.98}})
        ),
    ]
    first, second = Summarizer().summaries(events)
    assert first == "set readings.pressure_bar 8.1"
    assert second == "set readings.pressure_bar 8.1 → 8.98"


def test_session_changes_name_the_field() -> None:
    before = session_json("s", name="Pump 7")
    after = {
        **session_json("s", name="Pump 8"),
        "participants": before["participants"] + [{"id": "u2", "type": "user"}],
    }
    props = {**after, "properties": {"site": "south", "priority": "high"}}
    lines = Summarizer(label=lambda uid: {"u2": "Sam Lee"}.get(uid, uid)).summaries(
        [
            event_from_json(event("session_created", session_id="s", session=before)),
            event_from_json(event("session_updated", session_id="s", session=after)),
            event_from_json(event("session_properties_updated", session_id="s", session=props)),
            event_from_json(
                event("session_event_created", session_id="s", customEventType="photo", data={"n": 1})
            ),
            event_from_json(event("session_closed", session_id="s")),
        ]
    )
    assert lines[0] == "created “Pump 7”"
    assert lines[1] == "changed name Pump 7 → Pump 8; participants: added Sam Lee"
    assert lines[2] == "set properties site north → south, priority high"
    assert lines[3] == 'photo: {"n":1}'
    assert lines[4] == "closed the session"


def test_custom_event_rules_match_the_server() -> None:
    assert custom_event_problems("inspection.photo:taken-1", {"a": {"b": 1}}) == []
    assert custom_event_problems("", {})
    assert custom_event_problems("has space", {})
    assert custom_event_problems("x" * 65, {})
    assert custom_event_problems("ok", {"bad key": 1}) == [
        "bad key: Key 'bad key' must be 1-64 letters, digits, '-' or '_'"
    ]
    assert custom_event_problems("ok", [1]) == ["The event data must be a JSON object ({ … })"]
