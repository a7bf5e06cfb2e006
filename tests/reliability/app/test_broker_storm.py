"""Ten broker restarts while another user changes sessions at 50 events per second: afterwards the app's list
is the server's state, field by field, with no duplicate row (the real sandbox broker, the app's controllers).

Every event is either delivered or covered by a resync fetch (the broker forgets the app's session at each
restart, so events published while it is down are lost on purpose). The counts are printed for the README.
"""

from __future__ import annotations

from typing import Any

import pytest

from skydesk.api import SkylightClient
from skydesk.events import StreamState
from tests.models.helpers import open_app, sign_in
from tests.support.change_storm import ChangeStorm
from tests.support.qt import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]

RESTARTS = 10
RATE = 50.0  # changes (so events) per second
SESSIONS = 12
STABLE = 10.5


async def test_ten_broker_restarts_at_50_events_per_second_leave_the_list_equal_to_the_server(
    make_sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    sb = make_sandbox(seed=0)
    tech = sb.info.user("tech").id
    app_id = next(a.application_id for a in sb.info.applications if a.name == "Field Inspection")
    dispatch = sb.service.actor_by_username("dispatch")
    participants = [{"id": tech, "type": "user", "isGuest": False}]
    ids = [
        sb.service.create_session(
            dispatch, app_id, {"name": f"s{i}", "version": 1, "participants": participants}
        )["sessionId"]
        for i in range(SESSIONS)
    ]

    svc = make_services()
    await sign_in(svc, profile_of(sb))
    await open_app(svc, "Field Inspection")
    states: list[str] = []
    batches: list[int] = []
    resyncs: list[bool] = []
    svc.bridge.state_changed.connect(lambda state, _detail: states.append(state))
    svc.bridge.events_batch.connect(lambda events: batches.append(len(events)))
    svc.bridge.resync_needed.connect(lambda: resyncs.append(True))
    await wait_until(
        lambda: svc.live.stream is not None and svc.live.stream.state is StreamState.CONNECTED,
        30,
        what="live",
    )

    storm = ChangeStorm(sb, app_id, ids, rate=RATE)
    storm.start()
    try:
        for restart in range(RESTARTS):
            # Events flow; a link that lasts STABLE s resets the app's backoff (events/stream.py), so each
            # reconnect is quick. Shorter gaps make the backoff grow towards 30 s (tested in tests/events).
            await _run_for(STABLE)
            connected_before = states.count("connected")
            sb.restart_broker(down_for=0.3)
            await wait_until(
                lambda before=connected_before: states.count("connected") > before,
                40,
                what=f"the reconnect after restart {restart + 1}",
            )
        await _run_for(1.0)
    finally:
        storm.stop()

    server = await _server_sessions(sb, app_id)
    model = svc.browser.model

    def same() -> bool:
        return {s.session_id: s for s in model.sessions()} == server

    await wait_until(same, 40, what="the list to equal the server's state")
    shown = model.sessions()
    assert len(shown) == len({s.session_id for s in shown}) == SESSIONS, "no duplicate rows"
    for session in shown:
        assert session == server[session.session_id]  # every field: name, properties, version, dates, ...
    stream = svc.live.stream
    assert stream is not None
    stats = stream.stats
    print(
        f"\nbroker storm: {RESTARTS} restarts, {storm.changes} changes at {RATE:.0f}/s, "
        f"received {stats['received']}, delivered {stats['delivered']}, deduplicated {stats['duplicates']}, "
        f"resyncs {len(resyncs)} (stream {stats['resyncs']}), reconnects {stats['reconnects']}, "
        f"{SESSIONS} sessions compared field by field, lost 0"
    )
    assert stats["malformed"] == 0 and stats["callback_errors"] == 0
    assert stats["delivered"] > 0 and len(resyncs) >= RESTARTS  # each lost session was covered by a fetch
    assert storm.changes >= RATE * RESTARTS  # the storm really ran


async def _run_for(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def _server_sessions(sb: Any, app_id: str) -> dict[str, Any]:
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as client:
        await client.login(sb.info.realm, "tech", "tech-demo-pw")
        return {s.session_id: s for s in await client.get_sessions(app_id)}
