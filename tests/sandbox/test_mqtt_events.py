"""REST changes reach MQTT: the §3 event goes to every participant's topic, group members included.

Runs against the full in-process Sandbox (REST + broker over TLS), the session-scoped fixture.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.sandbox.mqtt_probe import MqttProbe

BASE = "/v1/application/applications"
EVENT_KEYS = {
    "eventId",
    "eventType",
    "applicationId",
    "sessionId",
    "source",
    "userId",
    "createdAt",
    "timestamp",
    "version",
    "deviceId",
}


class Person:
    """A demo user with a signed-in REST client and (optionally) a live MQTT subscription."""

    def __init__(self, sandbox: Any, username: str, suffix: str) -> None:
        info = sandbox.info
        self.user = info.user(username)
        self.realm = info.realm
        ctx = ssl.create_default_context(cafile=info.ca_file)
        self.http = httpx.Client(base_url=info.api_url, verify=ctx, timeout=30)
        r = self.http.post(
            f"/v1/authentication/login/realms/{info.realm}",
            json={"username": username, "password": self.user.password, "realm": info.realm},
        )
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self.mqtt = MqttProbe(
            info.mqtt_host,
            info.mqtt_port,
            client_id=f"{info.realm}-{self.user.id}-{suffix}",
            username=f"{info.realm}/{self.user.id}",
            password=self.token,
            ca_file=info.ca_file,
        )
        assert not self.mqtt.connect().is_failure
        rc = self.mqtt.subscribe(f"v1/realms/{info.realm}/users/{self.user.id}/session/#")
        assert not rc.is_failure

    def events_for(self, session_id: str, count: int) -> list[dict[str, Any]]:
        """The next ``count`` events about ``session_id`` (others sharing the sandbox are skipped)."""
        found: list[dict[str, Any]] = []
        while len(found) < count:
            msg = self.mqtt.next_message()
            body = json.loads(msg.payload)
            if body.get("sessionId") == session_id:
                assert msg.qos == 1
                assert msg.topic == self.topic_of(body)
                found.append(body)
        return found

    def topic_of(self, event: dict[str, Any]) -> str:
        """Where CONTRACT §3 says this user receives ``event``."""
        return (
            f"v1/realms/{self.realm}/users/{self.user.id}/session/"
            f"{event['applicationId']}/{event['sessionId']}/{event['eventType']}"
        )

    def quiet_about(self, session_id: str) -> bool:
        """True if nothing about ``session_id`` arrived."""
        return all(json.loads(m.payload).get("sessionId") != session_id for m in self.mqtt.drain())

    def close(self) -> None:
        self.mqtt.close()
        self.http.close()


@pytest.fixture
def people(sandbox: Any) -> Iterator[dict[str, Person]]:
    crowd = {
        name: Person(sandbox, name, suffix)
        for name, suffix in [("tech", "20000001"), ("dispatch", "20000002"), ("sam", "20000003")]
    }
    crowd["viewer"] = Person(sandbox, "viewer", "20000004")
    yield crowd
    for p in crowd.values():
        p.close()


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _app_id(sandbox: Any) -> str:
    return str(next(a.application_id for a in sandbox.info.applications if a.name == "Field Inspection"))


def _field_team_id(sandbox: Any) -> str:
    from skydesk.sandbox.seed import FIELD_TEAM_ID

    return FIELD_TEAM_ID


def test_rest_changes_reach_every_participant_including_group_members(
    sandbox: Any, people: dict[str, Person]
) -> None:
    app = _app_id(sandbox)
    dispatch, tech, sam, viewer = people["dispatch"], people["tech"], people["sam"], people["viewer"]
    r = dispatch.http.post(
        f"{BASE}/{app}/sessions",
        json={
            "version": 3,
            "name": "Pump 7 vibration check",
            "properties": {"site": "North yard", "priority": "high"},
            "participants": [{"id": _field_team_id(sandbox), "type": "group"}],
        },
        headers={"deviceid": "test-device", "devicetimestamp": "2024-05-01T10:00:00Z"},
    )
    assert r.status_code == 201, r.text
    session = r.json()
    sid = session["sessionId"]

    # The creator and both members of the field-team group get session_created; the viewer does not.
    created = {name: people[name].events_for(sid, 1)[0] for name in ("dispatch", "tech", "sam")}
    for event in created.values():
        assert EVENT_KEYS <= event.keys()
        assert event["eventType"] == "session_created"
        assert event["applicationId"] == app
        assert event["userId"] == dispatch.user.id
        assert event["source"] == "skylight"
        assert _instant(event["timestamp"]) == _instant("2024-05-01T10:00:00Z")  # the device's clock
        assert event["deviceId"] == "test-device"
        assert event["session"]["sessionId"] == sid
        assert event["session"]["name"] == "Pump 7 vibration check"
    assert len({e["eventId"] for e in created.values()}) == 1  # one event, fanned out

    r = tech.http.patch(
        f"{BASE}/{app}/sessions/{sid}/data",
        json={"data": {"steps": {"inspect": {"done": True}}}, "version": 1},
    )
    assert r.status_code == 200, r.text
    event_id = r.json()["eventId"]
    for person in (dispatch, tech, sam):
        (event,) = person.events_for(sid, 1)
        assert event["eventType"] == "session_data_updated"
        assert event["eventId"] == event_id
        assert event["userId"] == tech.user.id
        assert event["data"] == {"steps": {"inspect": {"done": True}}}

    assert viewer.quiet_about(sid)


def test_timeline_holds_the_same_payloads_as_mqtt(sandbox: Any, people: dict[str, Person]) -> None:
    app = _app_id(sandbox)
    tech = people["tech"]
    r = tech.http.post(
        f"{BASE}/{app}/sessions", json={"name": "Timeline check", "version": 3, "participants": []}
    )
    assert r.status_code == 201, r.text
    sid = r.json()["sessionId"]
    r = tech.http.post(
        f"{BASE}/{app}/sessions/{sid}/events", json={"eventType": "photo_taken", "data": {"n": 1}}
    )
    assert r.status_code == 201, r.text
    received = tech.events_for(sid, 2)
    assert [e["eventType"] for e in received] == ["session_created", "session_event_created"]
    assert received[1]["data"] == {"n": 1}

    r = tech.http.get(f"{BASE}/{app}/sessions/{sid}/events")
    assert r.status_code == 200, r.text
    timeline = {e["eventId"]: e for e in r.json()["data"]}
    for event in received:
        assert timeline[event["eventId"]] == event
