"""Change events: CONTRACT §3 payloads, recipients (incl. group members), timeline, simulated activity."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from skydesk.sandbox.activity import ActivitySimulator
from skydesk.sandbox.seed import FIELD_TEAM_ID
from tests.sandbox.conftest import RestServer, make_session, sessions_url

BASE_KEYS = {
    "eventId", "eventType", "applicationId", "sessionId", "source", "userId", "createdAt", "timestamp",
    "version", "deviceId",
}  # fmt: skip


class Recorder:
    """Collects (payload, recipients) from the service's listener hook."""

    def __init__(self) -> None:
        self.items: list[tuple[dict[str, Any], list[str]]] = []
        self.lock = threading.Lock()

    def __call__(self, payload: dict[str, Any], recipients: list[str]) -> None:
        with self.lock:
            self.items.append((payload, recipients))

    def for_session(self, sid: str) -> list[tuple[dict[str, Any], list[str]]]:
        with self.lock:
            return [(p, r) for p, r in self.items if p["sessionId"] == sid]


@pytest.fixture
def recorder(rest_server: RestServer) -> Iterator[Recorder]:
    rec = Recorder()
    rest_server.service.add_event_listener(rec)
    yield rec
    rest_server.service.remove_event_listener(rec)


def ids(rest: RestServer, *names: str) -> set[str]:
    return {rest.user_id(n) for n in names}


def test_payloads_and_recipients_follow_the_contract(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], recorder: Recorder
) -> None:
    app, dispatch = rest_server.app_id(), as_user("dispatch", deviceid="console-1")
    s = make_session(
        dispatch,
        app,
        name="Team job",
        participants=[{"id": FIELD_TEAM_ID, "type": "group"}, {"id": "ext-user-9"}],
    )
    sid = s["sessionId"]
    dispatch.patch(sessions_url(app, sid, "data"), json={"data": {"step": 1}, "version": 3})
    dispatch.patch(sessions_url(app, sid), json={"properties": {"priority": "high"}})
    dispatch.delete(sessions_url(app, sid, "participants", FIELD_TEAM_ID))
    dispatch.post(sessions_url(app, sid, "events"), json={"eventType": "ping", "data": {"n": 1}})
    dispatch.patch(sessions_url(app, sid), json={"status": "closed"})

    got = recorder.for_session(sid)
    kinds = [p["eventType"] for p, _ in got]
    assert kinds == [
        "session_created",
        "session_data_updated",
        "session_properties_updated",
        "session_updated",
        "session_event_created",
        "session_closed",
    ]
    team = ids(
        rest_server, "dispatch", "tech", "sam"
    )  # creator + members of field-team (ext-user-9 is unknown)
    recipients = [set(r) for _, r in got]
    assert recipients[:3] == [team, team, team]
    assert recipients[3] == team  # the removed group's members still hear about their removal
    assert recipients[4] == recipients[5] == ids(rest_server, "dispatch")
    for payload, _ in got:
        extra = (
            {"session"}
            if payload["eventType"] not in ("session_data_updated", "session_event_created")
            else {"data"}
        )
        if payload["eventType"] == "session_event_created":
            extra.add("customEventType")
        assert set(payload) == BASE_KEYS | extra, payload["eventType"]
        assert payload["source"] == "skylight" and payload["userId"] == rest_server.user_id("dispatch")
        assert payload["applicationId"] == app and payload["deviceId"] == "console-1"
    assert got[1][0]["data"] == {"step": 1} and got[1][0]["version"] == 3
    assert got[2][0]["session"]["properties"] == {"priority": "high"}
    assert got[5][0]["session"]["status"] == "closed"
    # The timeline holds exactly the payloads the listeners got.
    timeline = dispatch.get(sessions_url(app, sid, "events")).json()["data"]
    assert timeline == [p for p, _ in got]


def test_listeners_run_after_commit(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    seen: dict[str, Any] = {}
    service = rest_server.service
    dispatch_actor = service.actor_by_username("dispatch")

    def check(payload: dict[str, Any], _: list[str]) -> None:
        # From inside the listener the change must already be readable (committed, lock released).
        if payload["eventType"] == "session_data_updated":
            seen["data"] = service.get_session_data(
                dispatch_actor, payload["applicationId"], payload["sessionId"]
            )

    service.add_event_listener(check)
    try:
        app, tech = rest_server.app_id(), as_user("tech")
        sid = make_session(tech, app)["sessionId"]
        tech.patch(sessions_url(app, sid, "data"), json={"data": {"saved": True}, "version": 1})
    finally:
        service.remove_event_listener(check)
    assert seen["data"] == {"saved": True}


def test_a_failing_listener_does_not_fail_the_change(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], recorder: Recorder
) -> None:
    def broken(payload: dict[str, Any], recipients: list[str]) -> None:
        raise RuntimeError("broker is down")

    rest_server.service.add_event_listener(broken)
    try:
        s = make_session(as_user("tech"), rest_server.app_id(), name="Still saved")
    finally:
        rest_server.service.remove_event_listener(broken)
    assert [p["eventType"] for p, _ in recorder.for_session(s["sessionId"])] == ["session_created"]


def test_unchanged_patch_publishes_nothing(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], recorder: Recorder
) -> None:
    app, tech = rest_server.app_id(), as_user("tech")
    s = make_session(tech, app, name="Same")
    assert tech.patch(sessions_url(app, s["sessionId"]), json={"name": "Same"}).json() == s
    assert len(recorder.for_session(s["sessionId"])) == 1


def test_simulated_activity_goes_through_the_same_path(rest_server: RestServer, recorder: Recorder) -> None:
    sim = ActivitySimulator(rest_server.service, 0, seed=11)
    kinds = {"data", "properties", "media", "join", "custom", "create", "close"}
    actions = [sim.step() for _ in range(60)]
    while not kinds <= set(actions) and len(actions) < 600:
        actions.append(sim.step())
    assert kinds <= set(actions), set(actions)  # every kind of simulated work happens
    with recorder.lock:
        simulated = [(p, r) for p, r in recorder.items if p["deviceId"] in ("sim-dispatch", "sim-sam")]
    assert len(simulated) >= 40
    tech = rest_server.user_id("tech")
    # The simulator works on the demo technician's sessions, so tech hears about it.
    assert all(tech in r for _, r in simulated)
    # And it is on the timeline like any REST change.
    payload = simulated[-1][0]
    dispatch_actor = rest_server.service.actor_by_username("dispatch")
    timeline = rest_server.service.list_events(
        dispatch_actor, payload["applicationId"], payload["sessionId"], {"sort": "-createdAt", "limit": "50"}
    )["data"]
    assert payload in timeline


def test_activity_thread_runs_and_stops_promptly(rest_server: RestServer) -> None:
    sim = ActivitySimulator(rest_server.service, 0, seed=5)
    sim.start()
    time.sleep(0.2)
    assert sim.actions == 0  # rate 0 is paused
    sim.set_rate(3000)  # 50 per second
    deadline = time.monotonic() + 20
    while sim.actions < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 5
    assert sim.actions >= 3
    assert not any(t.name == "sandbox-activity" for t in threading.enumerate())
