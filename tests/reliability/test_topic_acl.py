"""A second user cannot read, write or take over the first user's MQTT topics: the sandbox broker with real
tokens from the real login, and Debian's mosquitto configured the way a Skylight deployment is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.events.mosquitto import MosquittoBroker, Publisher, TokenMint, free_port
from tests.sandbox.mqtt_probe import MqttProbe
from tests.support.prereq import require_tool

from .conftest import Rig

REFUSED = 0x80


def _topic_root(realm: str, user_id: str) -> str:
    return f"v1/realms/{realm}/users/{user_id}/session/"


def test_sandbox_broker_keeps_a_second_user_out_of_the_first_users_topics(rig: Rig) -> None:
    info = rig.info
    alex, sam = info.user("tech"), info.user("sam")
    owner = rig.mqtt("tech", suffix="11111111")
    other = rig.mqtt("sam", suffix="22222222")
    alex_topics = _topic_root(info.realm, alex.id) + "#"

    # Subscribe: refused outright.
    assert other.subscribe(alex_topics).value == REFUSED
    assert other.subscribe(f"v1/realms/{info.realm}/users/+/session/#").value == REFUSED
    assert other.subscribe("#").value == REFUSED

    # Publish: the broker acknowledges (MQTT 3.1.1 has no refusal for a publish) and drops it.
    forged = {"eventType": "session_closed", "sessionId": "forged", "applicationId": rig.app_id()}
    other.publish(_topic_root(info.realm, alex.id) + "x/forged/session_closed", json.dumps(forged).encode())

    # Client id: sam, with his own valid token, cannot connect under alex's id, nor as alex.
    sam_token = rig.login("sam")["access_token"]
    for username in (f"{info.realm}/{sam.id}", f"{info.realm}/{alex.id}"):
        thief = MqttProbe(
            info.mqtt_host,
            info.mqtt_port,
            client_id=f"{info.realm}-{alex.id}-11111111",
            username=username,
            password=sam_token,
            ca_file=info.ca_file,
        )
        assert thief.connect().is_failure, username

    # The owner was never disturbed: still connected, gets its own events, and never the forged one.
    rest = rig.rest("tech")
    made = rest.post(
        f"/v1/application/applications/{rig.app_id()}/sessions",
        json={"name": "only mine", "version": 1, "participants": []},
    )
    assert made.status_code == 201, made.text
    got = [json.loads(m.payload) for m in [owner.next_message(), *owner.drain(0.5)]]
    assert [e["sessionId"] for e in got] == [made.json()["sessionId"]]
    assert owner.client.is_connected()
    assert other.drain(0.3) == []


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[MosquittoBroker]:
    broker = MosquittoBroker(exe=require_tool("mosquitto"), workdir=tmp_path / "mosquitto")
    require_tool("mosquitto_passwd")
    broker.port = free_port()
    broker.start()
    yield broker
    broker.stop()


def test_mosquitto_keeps_a_second_user_out_of_the_first_users_topics(mosquitto: MosquittoBroker) -> None:
    mint = TokenMint()
    tokens = {sub: mint.issue(sub) for sub in ("alex", "sam")}
    for sub, token in tokens.items():
        mosquitto.add_user(sub, token)

    def probe(sub: str, suffix: str) -> MqttProbe:
        p = MqttProbe(
            "127.0.0.1",
            mosquitto.port,
            client_id=f"demo-{sub}-{suffix}",
            username=f"demo/{sub}",
            password=tokens[sub],
            ca_file=mosquitto.ca_file,
        )
        assert not p.connect().is_failure
        return p

    owner, other = probe("alex", "11111111"), probe("sam", "22222222")
    try:
        assert owner.subscribe(_topic_root("demo", "alex") + "#").value == 1
        # mosquitto grants the SUBACK but filters at delivery: the second user receives nothing.
        other.subscribe(_topic_root("demo", "alex") + "#")
        other.subscribe("v1/realms/demo/users/+/session/#")
        # Its publish into the owner's topic is dropped (the ACL gives users read access only).
        other.publish(_topic_root("demo", "alex") + "a/forged/session_closed", b'{"sessionId": "forged"}')

        server = Publisher(mosquitto)
        try:
            server.publish(
                "alex", {"eventType": "session_created", "sessionId": "real", "applicationId": "a"}
            )
            assert json.loads(owner.next_message().payload)["sessionId"] == "real"
        finally:
            server.close()
        assert owner.drain(0.5) == []  # the forged event never arrived
        assert other.drain(0.3) == []
    finally:
        owner.close()
        other.close()
    # (A client id cannot be tied to a user in mosquitto's configuration; that rule is the Skylight
    # broker's, proven against the sandbox above.)
