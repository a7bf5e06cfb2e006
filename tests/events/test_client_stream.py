"""``event_stream(client)``: live events in one line, for the async client and the sync facade, against
the sandbox's broker (which offers exactly TLS 1.2, so the SDK's floor is exercised too)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from skydesk.api import SkylightClient, SyncSkylightClient
from skydesk.events import StreamState, event_stream, mqtt_host_for, stable_client_suffix

from .helpers import Recorder


@pytest.mark.parametrize(
    ("api_url", "mqtt_host"),
    [
        ("https://api.skylight.upskill.io", "mqtt.skylight.upskill.io"),
        ("https://api.skylight.eu.upskill.io/", "mqtt.skylight.eu.upskill.io"),
        ("https://api.example.com:8443", "mqtt.example.com"),
        ("https://127.0.0.1:46049", "127.0.0.1"),
        ("https://skylight.internal", "skylight.internal"),  # no api. prefix: the same host
        ("https://apiary.example.com", "apiary.example.com"),
    ],
)
def test_mqtt_host_follows_the_api_host(api_url: str, mqtt_host: str) -> None:
    assert mqtt_host_for(api_url) == mqtt_host


async def test_async_client_stream_in_one_line(sandbox: Any) -> None:
    info = sandbox.info
    async with SkylightClient(info.api_url, ca_file=info.ca_file, device_id="one-line") as client:
        await client.login(info.realm, "tech", info.user("tech").password)
        rec = Recorder()
        stream = event_stream(client, port=info.mqtt_port, on_state=rec.on_state, sink=rec.sink)
        async with stream:
            await _until(lambda: rec.state is StreamState.CONNECTED)
            app = info.applications[0].application_id
            made = await client.create_session(app, name="one-line stream")
            await _until(lambda: any(e.session_id == made.session_id for e in rec.events))
        assert rec.state is StreamState.STOPPED
    # Everything came from the client: same user, same stable suffix as the long form would use.
    assert stream._username == f"{info.realm}/{client.user_id}"
    assert stream._client._client_id.decode().endswith(stable_client_suffix("one-line", client.user_id or ""))


def test_sync_client_stream_needs_no_loop_of_its_own(sandbox: Any) -> None:
    info = sandbox.info
    rec = Recorder()
    with SyncSkylightClient(info.api_url, ca_file=info.ca_file) as client:
        client.login(info.realm, "tech", info.user("tech").password)
        with event_stream(client, port=info.mqtt_port, on_state=rec.on_state, sink=rec.sink):
            rec.wait_state(StreamState.CONNECTED)
            made = client.create_session(info.applications[0].application_id, name="sync stream")
            rec.wait_for("session_created", lambda: any(e.session_id == made.session_id for e in rec.events))
    assert rec.state is StreamState.STOPPED


async def test_a_signed_out_client_is_refused_up_front(sandbox: Any) -> None:
    async with SkylightClient(sandbox.info.api_url, ca_file=sandbox.info.ca_file) as client:
        with pytest.raises(RuntimeError, match="sign in first"):
            event_stream(client)


def test_outside_a_loop_the_async_client_needs_one(sandbox: Any) -> None:
    client = SkylightClient(sandbox.info.api_url, ca_file=sandbox.info.ca_file)
    with pytest.raises(RuntimeError, match="event loop"):
        event_stream(client)
    asyncio.run(client.aclose())


async def _until(predicate: Any, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)
