"""The per-message path: a storm of 20,000 events, duplicates, and a bounded duplicate memory."""

from __future__ import annotations

import json
import logging

import pytest

from skydesk.api import SessionEvent
from skydesk.events import EventStream, Resync, SessionDataUpdated
from skydesk.events._dispatch import Dispatcher

from . import payloads


def test_a_storm_of_20000_events_is_delivered_once_each_without_log_noise(
    caplog: pytest.LogCaptureFixture,
) -> None:
    got: list[SessionEvent | Resync] = []
    typed: list[SessionDataUpdated] = []
    dispatcher = Dispatcher(got.append)
    dispatcher.add_typed(SessionDataUpdated, typed.append)
    raw = [json.dumps(payloads.event("session_data_updated", data={"i": i})).encode() for i in range(20_000)]
    caplog.set_level(logging.DEBUG, logger="skydesk.events")
    for body in raw:
        dispatcher.handle_payload(body)
    for body in raw[-500:]:  # a burst of redeliveries after a reconnect
        dispatcher.handle_payload(body)
    assert len(got) == len(typed) == 20_000
    assert [e.data for e in typed[:3]] == [{"i": 0}, {"i": 1}, {"i": 2}]  # order kept
    assert (dispatcher.received, dispatcher.delivered, dispatcher.duplicates) == (20_500, 20_000, 500)
    assert caplog.records == []  # nothing is logged per message


def test_duplicate_memory_is_bounded() -> None:
    got: list[SessionEvent | Resync] = []
    dispatcher = Dispatcher(got.append, dedup_size=3)
    bodies = [json.dumps(payloads.event("session_closed", event_id=f"e{i}")).encode() for i in range(5)]
    for body in bodies:
        dispatcher.handle_payload(body)
    dispatcher.handle_payload(bodies[4])  # still remembered
    dispatcher.handle_payload(bodies[0])  # forgotten: the memory holds the last 3 ids only
    assert [e.event_id for e in got if isinstance(e, SessionEvent)] == ["e0", "e1", "e2", "e3", "e4", "e0"]
    assert dispatcher.duplicates == 1


def test_malformed_storm_logs_a_few_warnings_not_thousands(caplog: pytest.LogCaptureFixture) -> None:
    dispatcher = Dispatcher()
    caplog.set_level(logging.WARNING, logger="skydesk.events")
    for _ in range(3000):
        dispatcher.handle_payload(b"not json")
    assert dispatcher.malformed == 3000
    assert 5 <= len(caplog.records) <= 10
    assert all(len(r.getMessage()) < 300 for r in caplog.records)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"host": ""}, "host"),
        ({"port": 0}, "port"),
        ({"realm": "a/b"}, "realm"),
        ({"user_id": "u+1"}, "user_id"),
        ({"client_suffix": "1234"}, "8 ASCII digits"),
        ({"client_suffix": "\u0661" * 8}, "8 ASCII digits"),  # Arabic-Indic digits are not 0-9
        ({"client_suffix": "12345678\n"}, "8 ASCII digits"),
        ({"keepalive": 1}, "keepalive"),
        ({"ca_file": "/nonexistent/ca.pem"}, "CA file"),
    ],
)
def test_bad_configuration_is_rejected_up_front(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "host": "mqtt.example",
        "realm": "demo",
        "user_id": "u1",
        "token_provider": lambda force: "t",
        "client_suffix": "12345678",
    }
    with pytest.raises(ValueError, match=message):
        EventStream(**{**args, **kwargs})  # type: ignore[arg-type]
