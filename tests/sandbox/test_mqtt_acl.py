"""MQTT topic ACL (CONTRACT §3): subscribe only to your own session topics, publish nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox.mqtt_probe import BrokerRig, MqttProbe

ALEX = "a11ce0000000000a"
DANA = "da4a00000000000d"
OWN = f"v1/realms/demo/users/{ALEX}/session/#"


@pytest.fixture
def alex(rig: BrokerRig) -> Iterator[MqttProbe]:
    probe = rig.probe(ALEX, suffix="00000001")
    assert not probe.connect().is_failure
    yield probe
    probe.close()


@pytest.fixture
def dana(rig: BrokerRig) -> Iterator[MqttProbe]:
    probe = rig.probe(DANA, suffix="00000002")
    assert not probe.connect().is_failure
    yield probe
    probe.close()


@pytest.mark.parametrize(
    "topic_filter",
    [
        OWN,
        f"v1/realms/demo/users/{ALEX}/session/+/+/session_closed",
        f"v1/realms/demo/users/{ALEX}/session/app1/sess1/session_updated",
    ],
)
def test_own_session_topics_are_granted(alex: MqttProbe, topic_filter: str) -> None:
    rc = alex.subscribe(topic_filter)
    assert not rc.is_failure, rc
    assert rc.value == 1  # granted QoS 1


@pytest.mark.parametrize(
    "topic_filter",
    [
        f"v1/realms/demo/users/{DANA}/session/#",  # another user
        "v1/realms/demo/users/+/session/#",  # every user
        "v1/realms/demo/users/#",
        "#",
        f"v1/realms/demo/users/{ALEX}/#",  # own, but wider than session/
        f"v1/realms/demo/users/{ALEX}/session",  # the root itself, not below it
        f"v1/realms/other/users/{ALEX}/session/#",  # another realm
        "$SYS/#",
    ],
)
def test_other_topics_are_refused_with_suback_0x80(alex: MqttProbe, topic_filter: str) -> None:
    rc = alex.subscribe(topic_filter)
    assert rc.is_failure, f"{topic_filter} was granted: {rc}"
    assert rc.value == 0x80


def test_refused_subscription_receives_nothing(rig: BrokerRig, alex: MqttProbe, dana: MqttProbe) -> None:
    assert alex.subscribe(f"v1/realms/demo/users/{DANA}/session/#").is_failure
    assert not dana.subscribe(f"v1/realms/demo/users/{DANA}/session/#").is_failure
    rig.broker.publish(rig.topic(DANA), b'{"for":"dana"}')
    assert dana.next_message().payload == b'{"for":"dana"}'
    assert alex.drain() == []


def test_clients_cannot_publish_events(rig: BrokerRig, alex: MqttProbe, dana: MqttProbe) -> None:
    assert not alex.subscribe(OWN).is_failure
    # Dana forges an event for Alex, and Alex tries to inject one into his own stream.
    dana.publish(rig.topic(ALEX), b'{"forged":"by dana"}')
    alex.publish(rig.topic(ALEX), b'{"forged":"by alex"}')
    # A server event sent afterwards proves the subscription works and the forgeries were dropped.
    rig.broker.publish(rig.topic(ALEX), b'{"from":"server"}')
    assert alex.next_message().payload == b'{"from":"server"}'
    assert alex.drain() == []


def test_a_will_cannot_be_used_to_publish(rig: BrokerRig, alex: MqttProbe) -> None:
    # A Will is a publish the broker makes when the client vanishes; it must be dropped too.
    assert not alex.subscribe(OWN).is_failure
    sneaky = rig.probe(DANA, suffix="00000003")
    sneaky.client.will_set(rig.topic(ALEX, "session_closed"), b'{"forged":"will"}', qos=1)
    assert not sneaky.connect().is_failure
    sneaky.drop()
    rig.broker.publish(rig.topic(ALEX), b'{"from":"server"}')
    assert alex.next_message().payload == b'{"from":"server"}'
    assert alex.drain(settle=0.5) == []
