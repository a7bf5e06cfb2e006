"""Persistent MQTT sessions: QoS 1 messages wait for a clean_session=False client that is away."""

from __future__ import annotations

import queue

import pytest

from tests.sandbox.mqtt_probe import TIMEOUT, BrokerRig

ALEX = "a11ce0000000000b"
OWN = f"v1/realms/demo/users/{ALEX}/session/#"


def _subscribe_then_leave(rig: BrokerRig, suffix: str, *, abruptly: bool = False) -> None:
    probe = rig.probe(ALEX, suffix=suffix, clean_session=False)
    assert not probe.connect().is_failure
    assert not probe.subscribe(OWN).is_failure
    if abruptly:
        probe.drop()
    else:
        probe.close()
    rig.wait_gone(f"demo-{ALEX}-{suffix}")


@pytest.mark.parametrize("abruptly", [False, True], ids=["disconnect", "dropped"])
def test_messages_published_while_away_arrive_on_return(rig: BrokerRig, abruptly: bool) -> None:
    suffix = "10000001" if abruptly else "10000002"
    _subscribe_then_leave(rig, suffix, abruptly=abruptly)
    rig.broker.publish(rig.topic(ALEX, "session_updated"), b'{"n":1}')
    rig.broker.publish(rig.topic(ALEX, "session_closed"), b'{"n":2}')

    back = rig.probe(ALEX, suffix=suffix, clean_session=False)
    assert not back.connect().is_failure
    try:
        assert back.session_present is True
        # No new SUBSCRIBE: the broker kept the subscription and the queue.
        got = [back.next_message(), back.next_message()]
        assert [m.payload for m in got] == [b'{"n":1}', b'{"n":2}']
        assert all(m.qos == 1 for m in got)
    finally:
        back.close()


def test_another_client_id_does_not_get_the_queue(rig: BrokerRig) -> None:
    _subscribe_then_leave(rig, "10000003")
    rig.broker.publish(rig.topic(ALEX), b'{"queued":true}')
    stranger = rig.probe(ALEX, suffix="10000004", clean_session=False)
    assert not stranger.connect().is_failure
    try:
        assert stranger.session_present is False
        assert stranger.drain() == []
    finally:
        stranger.close()


def test_clean_session_client_gets_nothing_queued(rig: BrokerRig) -> None:
    probe = rig.probe(ALEX, suffix="10000005", clean_session=True)
    assert not probe.connect().is_failure
    assert not probe.subscribe(OWN).is_failure
    probe.close()
    rig.wait_gone(f"demo-{ALEX}-10000005")
    rig.broker.publish(rig.topic(ALEX), b'{"lost":true}')
    again = rig.probe(ALEX, suffix="10000005", clean_session=True)
    assert not again.connect().is_failure
    try:
        assert again.drain() == []
    finally:
        again.close()


def test_refused_reconnect_keeps_the_queue(rig: BrokerRig) -> None:
    """An expired token is refused, the client refreshes and comes back: nothing may be lost.

    Stock amqtt 0.12.1 marks the session connected before refusing it, so messages published
    between the refusal and the successful reconnect used to vanish.
    """
    _subscribe_then_leave(rig, "10000006")
    rig.broker.publish(rig.topic(ALEX), b'{"n":1}')
    expired = rig.tokens(ALEX, ttl=-5)["access_token"]
    refused = rig.probe(ALEX, suffix="10000006", clean_session=False, password=expired).connect()
    assert refused.is_failure
    rig.broker.publish(rig.topic(ALEX), b'{"n":2}')

    back = rig.probe(ALEX, suffix="10000006", clean_session=False)
    assert not back.connect().is_failure
    try:
        assert back.session_present is True
        assert [back.next_message().payload, back.next_message().payload] == [b'{"n":1}', b'{"n":2}']
    finally:
        back.close()


def test_refused_clean_connect_cannot_wipe_someone_elses_session(rig: BrokerRig) -> None:
    # Without a valid token, a clean-session CONNECT with Alex's client id must not reset his session.
    _subscribe_then_leave(rig, "10000007")
    intruder = rig.probe(ALEX, suffix="10000007", clean_session=True, password="not-a-token")
    assert intruder.connect().is_failure
    rig.broker.publish(rig.topic(ALEX), b'{"still":"queued"}')
    back = rig.probe(ALEX, suffix="10000007", clean_session=False)
    assert not back.connect().is_failure
    try:
        assert back.session_present is True
        assert back.next_message().payload == b'{"still":"queued"}'
    finally:
        back.close()


def test_refused_connect_does_not_kick_a_connected_client(rig: BrokerRig) -> None:
    online = rig.probe(ALEX, suffix="10000008", clean_session=False)
    assert not online.connect().is_failure
    try:
        assert not online.subscribe(OWN).is_failure
        assert rig.probe(ALEX, suffix="10000008", password="not-a-token").connect().is_failure
        rig.broker.publish(rig.topic(ALEX), b'{"live":true}')
        assert online.next_message().payload == b'{"live":true}'
    finally:
        online.close()


def test_broker_restart_keeps_the_port_and_forgets_sessions(rig: BrokerRig) -> None:
    _subscribe_then_leave(rig, "10000009")
    port = rig.port
    rig.broker.stop()
    rig.broker.publish(rig.topic(ALEX), b'{"during":"outage"}')  # dropped, not an error
    assert rig.broker.start() == port
    back = rig.probe(ALEX, suffix="10000009", clean_session=False)
    assert not back.connect().is_failure
    try:
        # amqtt keeps sessions in memory: after a restart the client must resubscribe (and re-fetch).
        assert back.session_present is False
        assert back.drain() == []
    finally:
        back.close()


def test_unacknowledged_message_is_redelivered_on_return(rig: BrokerRig) -> None:
    """A QoS 1 message the client received but never acknowledged comes again, first, with DUP set.

    MQTT-4.4.0-1: un-acked PUBLISHes of a persistent session are resent on reconnect. Stock amqtt
    0.12.1 discarded a message whose PUBACK was still awaited when the connection dropped.
    """
    suffix = "10000010"
    gone = rig.probe(ALEX, suffix=suffix, clean_session=False)
    gone.client.manual_ack_set(True)  # paho then sends no PUBACK until told to; we never tell it
    assert not gone.connect().is_failure
    assert not gone.subscribe(OWN).is_failure
    rig.broker.publish(rig.topic(ALEX), b'{"n":1}')
    assert gone.next_message().payload == b'{"n":1}'
    gone.drop()  # the app is killed with the message read but not acknowledged
    rig.wait_gone(f"demo-{ALEX}-{suffix}")
    rig.broker.publish(rig.topic(ALEX), b'{"n":2}')  # queued while away, must come after n=1

    back = rig.probe(ALEX, suffix=suffix, clean_session=False)
    seen: queue.Queue[tuple[bytes, bool]] = queue.Queue()
    # A callback of our own, to see the DUP flag the probe's Received does not record.
    back.client.on_message = lambda client, userdata, msg: seen.put((bytes(msg.payload), msg.dup))
    assert not back.connect().is_failure
    try:
        assert back.session_present is True
        assert _collect(seen, 2) == [(b'{"n":1}', True), (b'{"n":2}', False)]
        # Acknowledged now: nothing further comes, not even on another return.
        assert _collect(seen, 1, timeout=0.3) == []
        back.close()
        rig.wait_gone(f"demo-{ALEX}-{suffix}")
        again = rig.probe(ALEX, suffix=suffix, clean_session=False)
        assert not again.connect().is_failure
        assert again.drain() == []
        again.close()
    finally:
        back.close()


def _collect(
    seen: queue.Queue[tuple[bytes, bool]], count: int, timeout: float = TIMEOUT
) -> list[tuple[bytes, bool]]:
    """Up to ``count`` messages, each awaited for at most ``timeout`` seconds."""
    out: list[tuple[bytes, bool]] = []
    while len(out) < count:
        try:
            out.append(seen.get(timeout=timeout))
        except queue.Empty:
            break
    return out
