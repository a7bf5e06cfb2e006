"""EventStream against the sandbox's own broker (amqtt), driven by real REST changes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from skydesk.api import SkylightClient
from skydesk.events import (
    EventStream,
    SessionClosed,
    SessionCreated,
    SessionDataUpdated,
    SessionEventCreated,
    SessionPropertiesUpdated,
    SessionUpdated,
    StreamState,
    stable_client_suffix,
    token_provider_for,
)

from .helpers import Recorder

OpenStream = Callable[..., EventStream]


async def _signed_in(sb: Any, username: str = "tech") -> SkylightClient:
    info = sb.info
    client = SkylightClient(info.api_url, ca_file=info.ca_file, device_id="events-test-device")
    user = info.user(username)
    await client.login(info.realm, user.username, user.password)
    return client


def _stream_for(
    open_stream: OpenStream, rec: Recorder, sb: Any, client: SkylightClient, **kw: Any
) -> EventStream:
    info = sb.info
    assert client.user_id is not None and client.realm is not None
    kw.setdefault("token_provider", token_provider_for(client, asyncio.get_running_loop()))
    return open_stream(
        rec,
        host=info.mqtt_host,
        port=info.mqtt_port,
        realm=client.realm,
        user_id=client.user_id,
        client_suffix=stable_client_suffix(client.device_id, client.user_id),
        ca_file=info.ca_file,
        **kw,
    )


async def _until(what: str, predicate: Callable[[], bool], within: float = 20.0) -> None:
    """Wait on the test's event loop (which must keep running: it serves the token provider)."""
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def _state_seen(rec: Recorder, state: StreamState, times: int = 1) -> Callable[[], bool]:
    return lambda: rec.count(state) >= times


async def test_rest_changes_arrive_as_typed_events(open_stream: OpenStream, sandbox: Any) -> None:
    rec = Recorder()
    async with await _signed_in(sandbox) as client:
        stream = _stream_for(open_stream, rec, sandbox, client)
        stream.start()
        await _until("CONNECTED", _state_seen(rec, StreamState.CONNECTED))

        app_id = sandbox.info.applications[0].application_id
        session = await client.create_session(app_id, name="Events test", properties={"site": "north"})
        sid = session.session_id
        await client.update_session_name(app_id, sid, "Events test, renamed")
        await client.update_session_properties(app_id, sid, {"site": "south"})
        data_event_id = await client.patch_session_data(app_id, sid, {"step": {"done": True}})
        custom_id = await client.create_session_event(app_id, sid, "photo_taken", {"count": 2})
        await client.close_session(app_id, sid)

        def mine() -> list[Any]:
            return [e for e in list(rec.events) if e.session_id == sid]

        await _until("six events for the new session", lambda: len(mine()) >= 6)
        events = mine()
        by_type = {type(e): e for e in events}
        assert set(by_type) == {
            SessionCreated,
            SessionUpdated,
            SessionPropertiesUpdated,
            SessionDataUpdated,
            SessionEventCreated,
            SessionClosed,
        }, [e.event_type for e in events]
        assert by_type[SessionCreated].session is not None
        assert by_type[SessionCreated].session.name == "Events test"
        updated = by_type[SessionUpdated].session
        assert updated is not None and updated.name == "Events test, renamed"
        props = by_type[SessionPropertiesUpdated].session
        assert props is not None and props.properties["site"] == "south"
        assert by_type[SessionDataUpdated].event_id == data_event_id
        assert by_type[SessionDataUpdated].data == {"step": {"done": True}}
        assert by_type[SessionEventCreated].event_id == custom_id
        assert by_type[SessionEventCreated].data == {"count": 2}
        closed = by_type[SessionClosed].session
        assert closed is not None and not closed.is_open
        assert all(e.user_id == client.user_id for e in events)
        await asyncio.to_thread(stream.stop)


async def test_broker_restart_loses_session_and_fires_resync(
    open_stream: OpenStream, make_sandbox: Any
) -> None:
    sb = make_sandbox(seed=3)
    rec = Recorder()
    resyncs: list[Any] = []
    async with await _signed_in(sb) as client:
        stream = _stream_for(open_stream, rec, sb, client)
        stream.on_resync(resyncs.append)
        stream.start()
        await _until("CONNECTED", _state_seen(rec, StreamState.CONNECTED))
        assert rec.resyncs == []  # not on the first connect

        await asyncio.to_thread(sb.stop_broker)
        await _until("RECONNECTING", _state_seen(rec, StreamState.RECONNECTING))
        await asyncio.to_thread(sb.start_broker)
        await _until("CONNECTED again", _state_seen(rec, StreamState.CONNECTED, 2), within=40)
        await _until("the resync notice", lambda: len(rec.resyncs) == 1)
        assert len(resyncs) == 1 and resyncs[0] is rec.resyncs[0]
        assert "new broker session" in [d for s, d in rec.states if s is StreamState.CONNECTED][-1]
        assert stream.stats["resyncs"] == 1 and stream.stats["reconnects"] == 1

        # Subscribed again: a change made now arrives.
        app_id = sb.info.applications[0].application_id
        session = await client.create_session(app_id, name="After the restart")
        await _until(
            "the new session's event", lambda: session.session_id in {e.session_id for e in rec.events}
        )
        await asyncio.to_thread(stream.stop)


async def test_expired_token_is_refused_then_refreshed_through_the_client(
    open_stream: OpenStream, make_sandbox: Any
) -> None:
    sb = make_sandbox(seed=3, token_ttl=5)
    rec = Recorder()
    async with await _signed_in(sb) as client:
        real = token_provider_for(client, asyncio.get_running_loop())
        expired = await client.access_token()
        calls: list[bool] = []
        stale_once = [True]

        # The one simulated fault (a real client cannot be made to do this on demand): after a
        # laptop resumes from suspend, the monotonic clock that times the token has stood still,
        # so the client still considers its expired token valid and hands it out once.
        def provider(force_refresh: bool) -> str:
            calls.append(force_refresh)
            if not force_refresh and stale_once[0] and len(calls) > 1:
                stale_once[0] = False
                return expired
            return real(force_refresh)

        stream = _stream_for(open_stream, rec, sb, client, token_provider=provider)
        stream.start()
        await _until("CONNECTED", _state_seen(rec, StreamState.CONNECTED))
        await asyncio.sleep(6)  # the access token expires while we are connected
        assert rec.state is StreamState.CONNECTED

        stream.reconnect()  # e.g. the network changed: the stream connects again
        await _until("CONNECTED again", _state_seen(rec, StreamState.CONNECTED, 2), within=30)
        assert any(s is StreamState.RECONNECTING and "refused" in d for s, d in rec.states), rec.states
        assert calls[:3] == [False, False, True]  # first connect, stale token refused, forced refresh
        assert await client.access_token() != expired
        assert rec.count(StreamState.AUTH_FAILED) == 0
        await asyncio.to_thread(stream.stop)


async def test_loaded_before_connect_resyncs_on_a_new_broker_session_only(
    open_stream: OpenStream, make_sandbox: Any
) -> None:
    # The app shows its first page before it starts the stream: a change made between that read and the
    # subscription is queued nowhere, so a new broker session must end in a resync; a kept one must not.
    sb = make_sandbox(seed=3)
    async with await _signed_in(sb) as client:
        app_id = sb.info.applications[0].application_id
        listed = await client.list_sessions(app_id, limit=5)
        changed = await client.update_session_name(app_id, listed.items[0].session_id, "Renamed in the gap")
        first = Recorder()
        stream = _stream_for(open_stream, first, sb, client, loaded_before_connect=True)
        stream.start()
        await _until("CONNECTED", _state_seen(first, StreamState.CONNECTED))
        await _until("the resync notice", lambda: len(first.resyncs) == 1)
        assert "loaded" in first.resyncs[0].reason
        assert changed.session_id not in {e.session_id for e in first.events}, "the gap's event was lost"
        await asyncio.to_thread(stream.stop)

        again = Recorder()  # the same client id: the broker kept the session and queued for it
        stream = _stream_for(open_stream, again, sb, client, loaded_before_connect=True)
        stream.start()
        await _until("CONNECTED again", _state_seen(again, StreamState.CONNECTED))
        assert "session resumed" in [d for s, d in again.states if s is StreamState.CONNECTED][-1]
        await asyncio.sleep(0.5)  # a resync would follow the CONNECTED report at once
        assert again.resyncs == []
        await asyncio.to_thread(stream.stop)
