"""EventStream against Debian's mosquitto: TLS 1.2, password file, per-user ACL, persistence."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from skydesk.api import SessionEvent
from skydesk.api.errors import SignInRequired
from skydesk.events import (
    EventStream,
    SessionClosed,
    SessionCreated,
    SessionDataUpdated,
    SessionEventCreated,
    SessionPropertiesUpdated,
    SessionUpdated,
    StreamState,
    UnknownSessionEvent,
)

from . import payloads
from .conftest import USER
from .helpers import Recorder, mosquitto_stream, stream_threads
from .mosquitto import FakeAuthServer, MosquittoBroker, Publisher
from .relay import FreezableRelay

pytestmark = pytest.mark.mosquitto

OpenStream = Callable[..., EventStream]


def test_receives_every_event_type_typed(
    open_stream: OpenStream, mosquitto: MosquittoBroker, auth: FakeAuthServer, publisher: Publisher
) -> None:
    rec = Recorder()
    stream = mosquitto_stream(open_stream, rec, mosquitto, auth)
    typed: dict[str, list[SessionEvent]] = {}
    for name in (
        "on_session_created",
        "on_session_updated",
        "on_session_properties_updated",
        "on_session_data_updated",
        "on_session_event_created",
        "on_session_closed",
    ):
        getattr(stream, name)(lambda ev, n=name: typed.setdefault(n, []).append(ev))
    stream.start()
    detail = rec.wait_state(StreamState.CONNECTED)
    assert "new broker session" in detail

    kinds = [
        "session_created",
        "session_updated",
        "session_properties_updated",
        "session_data_updated",
        "session_event_created",
        "session_closed",
        "session_teleported",  # not in CONTRACT §3: must pass through as unknown
    ]
    sent = [payloads.event(k, session_id=f"s-{k}") for k in kinds]
    for body in sent:
        publisher.publish(USER, body).wait_for_publish(5)
    # Someone else's event: the ACL keeps it away, so it must never show up here.
    publisher.publish("u2", payloads.event("session_created")).wait_for_publish(5)
    rec.wait_for("7 events", lambda: len(rec.events) >= 7)

    got = {e.event_type: e for e in rec.events}
    assert [type(got[k]) for k in kinds] == [
        SessionCreated,
        SessionUpdated,
        SessionPropertiesUpdated,
        SessionDataUpdated,
        SessionEventCreated,
        SessionClosed,
        UnknownSessionEvent,
    ]
    created = got["session_created"]
    assert created.session is not None and created.session.session_id == "s-session_created"
    assert created.event_id == sent[0]["eventId"] and created.application_id == payloads.APP_ID
    assert got["session_closed"].session is not None and got["session_closed"].session.status == "closed"
    assert got["session_data_updated"].data == {"step": 2, "notes": {"ok": True}}
    assert got["session_teleported"].raw["eventType"] == "session_teleported"
    assert {n: [e.event_type for e in evs] for n, evs in typed.items()} == {
        "on_session_created": ["session_created"],
        "on_session_updated": ["session_updated"],
        "on_session_properties_updated": ["session_properties_updated"],
        "on_session_data_updated": ["session_data_updated"],
        "on_session_event_created": ["session_event_created"],
        "on_session_closed": ["session_closed"],
    }
    time.sleep(0.3)  # give a wrongly delivered u2 event the chance to arrive
    assert len(rec.events) == 7
    assert stream.stats["received"] == 7 and stream.stats["delivered"] == 7

    # What the broker saw: our client id, MQTT 3.1.1 (mosquitto logs it as p2), clean session off
    # (c0), the keepalive we asked for, and the username `{realm}/{sub}`.
    log = mosquitto.log_tail(20000)
    assert "as demo-u1-12345678 (p2, c0, k10, u'demo/u1')" in log, log[-2000:]
    # ... and one subscription, at QoS 1, to exactly the user's own session topics.
    assert "demo-u1-12345678 1 v1/realms/demo/users/u1/session/#" in log, log[-2000:]
    # Every state was reported, in order: first CONNECTING, then CONNECTED.
    assert [s for s, _ in rec.states] == [StreamState.CONNECTING, StreamState.CONNECTED]


def test_malformed_duplicate_and_failing_callbacks_do_not_hurt(
    open_stream: OpenStream, mosquitto: MosquittoBroker, auth: FakeAuthServer, publisher: Publisher
) -> None:
    rec = Recorder()
    stream = mosquitto_stream(open_stream, rec, mosquitto, auth)
    boom = threading.Event()

    def explode(ev: SessionCreated) -> None:
        boom.set()
        raise RuntimeError("an app bug")

    stream.on_session_created(explode)
    stream.start()
    rec.wait_state(StreamState.CONNECTED)

    good = payloads.event("session_created")
    bad: list[bytes] = [
        b"{not json",
        b"[1, 2, 3]",
        json.dumps({k: v for k, v in payloads.event("session_updated").items() if k != "eventId"}).encode(),
        json.dumps({k: v for k, v in payloads.event("session_created").items() if k != "session"}).encode(),
        json.dumps(payloads.event("session_data_updated", data="not an object")).encode(),
        b"\xff\xfe binary",
    ]
    publisher.publish(USER, good).wait_for_publish(5)
    for raw in bad:
        publisher.publish(USER, {}, raw=raw).wait_for_publish(5)
    publisher.publish(USER, good).wait_for_publish(5)  # a redelivery: same eventId
    last = payloads.event("session_closed")
    publisher.publish(USER, last).wait_for_publish(5)

    rec.wait_for("the last event", lambda: last["eventId"] in rec.event_ids())
    assert rec.event_ids() == [good["eventId"], last["eventId"]]
    assert boom.is_set()
    stats = stream.stats
    assert stats["malformed"] == len(bad)
    assert stats["duplicates"] == 1
    assert stats["callback_errors"] == 1
    assert stats["received"] == len(bad) + 3
    assert rec.state is StreamState.CONNECTED  # nothing above disturbed the connection


def test_broker_restart_while_publishing_delivers_each_event_exactly_once(
    open_stream: OpenStream, mosquitto: MosquittoBroker, auth: FakeAuthServer, publisher: Publisher
) -> None:
    rec = Recorder()
    stream = mosquitto_stream(open_stream, rec, mosquitto, auth)
    stream.start()
    rec.wait_state(StreamState.CONNECTED)

    total = 300
    sent: list[str] = []
    infos = []

    def produce() -> None:
        for i in range(total):
            body = payloads.event("session_data_updated", data={"i": i})
            sent.append(body["eventId"])
            infos.append(publisher.publish(USER, body))
            time.sleep(0.005)

    producer = threading.Thread(target=produce)
    producer.start()
    rec.wait_for("some events before the restart", lambda: len(rec.events) >= 50)
    mosquitto.restart()  # SIGTERM saves the persistent sessions and queued messages
    producer.join(30)
    for info in infos:
        info.wait_for_publish(30)  # the publisher resends whatever the broker did not acknowledge

    rec.wait_for(f"all {total} events", lambda: set(sent) <= set(rec.event_ids()), timeout=40)
    ids = rec.event_ids()
    assert len(ids) == len(set(ids)) == total, "an event was delivered twice or not at all"
    assert set(ids) == set(sent)
    assert rec.count(StreamState.CONNECTED) >= 2 and rec.state is StreamState.CONNECTED
    assert stream.stats["reconnects"] >= 1
    # mosquitto kept the session (persistence): nothing was missed, so no resync notice.
    assert rec.resyncs == []
    assert "session resumed" in [d for s, d in rec.states if s is StreamState.CONNECTED][-1]


def test_token_expiry_while_connected_refreshes_and_reconnects(
    open_stream: OpenStream,
    mosquitto: MosquittoBroker,
    auth: FakeAuthServer,
    publisher: Publisher,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    rec = Recorder()
    stream = mosquitto_stream(open_stream, rec, mosquitto, auth)
    stream.start()
    rec.wait_state(StreamState.CONNECTED)
    old = auth.cached

    # The token expires: the auth server now issues a new one, and the broker only accepts that.
    new = auth.rotate()
    mosquitto.set_password(f"demo/{USER}", new)  # SIGHUP: mosquitto drops our connection
    missed = payloads.event("session_updated")
    publisher.publish(USER, missed).wait_for_publish(5)  # queued for us while we are away

    rec.wait_state(StreamState.CONNECTED, after=1, timeout=30)
    assert any(s is StreamState.RECONNECTING and "refused" in d for s, d in rec.states), rec.states
    assert auth.calls[0] is False and True in auth.calls  # a normal fetch first, then a forced refresh
    assert auth.cached == new != old
    rec.wait_for("the event queued during the outage", lambda: missed["eventId"] in rec.event_ids())
    assert rec.resyncs == []  # same client id, session kept: nothing missed
    after = payloads.event("session_closed")
    publisher.publish(USER, after).wait_for_publish(5)
    rec.wait_for("an event after the reconnect", lambda: after["eventId"] in rec.event_ids())
    assert not any(old in d or new in d for _, d in rec.states)  # no token in any human detail
    assert "RECONNECTING" in caplog.text or "reconnecting" in caplog.text  # the log did capture the story
    assert old not in caplog.text and new not in caplog.text  # ... without a token in it


def test_refused_connect_with_sign_in_required_waits_for_reconnect(
    open_stream: OpenStream, mosquitto: MosquittoBroker, auth: FakeAuthServer, mint: Any
) -> None:
    rec = Recorder()
    # The client's cached token is one the broker never accepted, and refreshing fails for good.
    auth.cached = mint.issue(USER)
    auth.fail_refresh = SignInRequired("Your session has ended; sign in again")
    stream = mosquitto_stream(open_stream, rec, mosquitto, auth)
    stream.start()

    detail = rec.wait_state(StreamState.AUTH_FAILED)
    assert "sign in again" in detail
    assert auth.calls == [False, True]
    time.sleep(2.5)  # longer than the first backoff steps: no attempt may happen meanwhile
    assert auth.calls == [False, True]
    assert rec.state is StreamState.AUTH_FAILED

    # The user signs in again; the app tells the stream.
    auth.fail_refresh = None
    auth.cached = auth.latest
    stream.reconnect()
    rec.wait_state(StreamState.CONNECTED)
    assert auth.calls == [False, True, False]


def test_broker_that_keeps_refusing_ends_in_auth_failed(
    open_stream: OpenStream, mosquitto: MosquittoBroker, auth: FakeAuthServer
) -> None:
    rec = Recorder()
    mosquitto.set_password(f"demo/{USER}", "a password no token will ever match")
    stream = mosquitto_stream(open_stream, rec, mosquitto, auth)
    stream.start()
    detail = rec.wait_state(StreamState.AUTH_FAILED, timeout=30)
    assert "keeps refusing" in detail
    assert auth.calls == [False, True, True]  # each refusal got a freshly refreshed token
    stop_started = time.monotonic()
    stream.stop()
    assert time.monotonic() - stop_started < 2
    assert rec.state is StreamState.STOPPED


def test_unreachable_and_untrusted_brokers_are_reported_offline(
    open_stream: OpenStream, mosquitto: MosquittoBroker, auth: FakeAuthServer
) -> None:
    rec = Recorder()
    # Verification is on by default: without our CA, mosquitto's test certificate is not trusted.
    untrusted = mosquitto_stream(open_stream, rec, mosquitto, auth, ca_file=None)
    untrusted.start()
    detail = rec.wait_state(StreamState.OFFLINE)
    assert "TLS certificate not trusted" in detail and "retrying in" in detail
    untrusted.stop()

    rec2 = Recorder()
    mosquitto.stop()
    nobody = mosquitto_stream(open_stream, rec2, mosquitto, auth)
    nobody.start()
    detail = rec2.wait_state(StreamState.OFFLINE)
    assert "connection refused" in detail and "retrying in 1 s" in detail
    # The backoff grows (1 s, then 2 s, ... up to 30 s; unit-tested in test_timing.py).
    assert "retrying in 2 s" in rec2.wait_state(StreamState.OFFLINE, after=1, timeout=10)
    mosquitto.start()
    rec2.wait_state(StreamState.CONNECTED, timeout=30)  # the backoff keeps trying


def test_stop_is_idempotent_and_leaves_no_thread(
    open_stream: OpenStream, mosquitto: MosquittoBroker, auth: FakeAuthServer
) -> None:
    rec = Recorder()
    never_started = mosquitto_stream(open_stream, rec, mosquitto, auth)
    never_started.stop()
    never_started.stop()
    assert rec.states == [(StreamState.STOPPED, "Stopped")]
    with pytest.raises(RuntimeError):
        never_started.start()

    rec2 = Recorder()
    stream = mosquitto_stream(open_stream, rec2, mosquitto, auth)
    stream.start()
    rec2.wait_state(StreamState.CONNECTED)
    assert len(stream_threads()) == 1
    stream.stop()
    stream.stop()
    assert stream_threads() == []
    assert rec2.states[-1] == (StreamState.STOPPED, "Stopped")
    assert rec2.count(StreamState.STOPPED) == 1
    assert "Client demo-u1-12345678 disconnected." in mosquitto.log_tail(20000)


def test_watchdog_detects_a_silently_dead_link(
    open_stream: OpenStream, mosquitto: MosquittoBroker, auth: FakeAuthServer, publisher: Publisher
) -> None:
    relay = FreezableRelay(mosquitto.port)
    try:
        rec = Recorder()
        stream = mosquitto_stream(open_stream, rec, mosquitto, auth, port=relay.port, keepalive=2)
        stream.start()
        rec.wait_state(StreamState.CONNECTED)
        relay.freeze()  # no FIN, no RST: both ends still think the link is up
        during = payloads.event("session_updated")
        publisher.publish(USER, during).wait_for_publish(5)

        detail = rec.wait_state(StreamState.RECONNECTING, timeout=20)
        assert "link timed out" in detail  # our watchdog noticed, not a socket error
        rec.wait_state(StreamState.CONNECTED, after=1, timeout=30)
        assert relay.accepted == 2
        rec.wait_for("the event sent into the dead link", lambda: during["eventId"] in rec.event_ids())
        assert rec.event_ids().count(during["eventId"]) == 1
        assert rec.resyncs == []
    finally:
        relay.close()  # the open_stream fixture stops the stream
