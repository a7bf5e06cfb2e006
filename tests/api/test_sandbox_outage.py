"""A real outage: the sandbox's REST server goes away and comes back on the same port."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from skydesk.api import RetryPolicy, SkylightClient, TransportError

PATIENT = RetryPolicy(max_attempts=10, base_delay=0.2, max_delay=1.0, total_budget=30.0)


async def test_requests_ride_out_a_short_outage(make_sandbox: Any) -> None:
    sb = make_sandbox(seed=0)
    info = sb.info
    app_id = info.applications[0].application_id
    async with SkylightClient(info.api_url, ca_file=info.ca_file, retry=PATIENT) as client:
        await client.login(info.realm, "tech", "tech-demo-pw")
        await asyncio.to_thread(sb.stop_api)
        read = asyncio.create_task(client.get_applications())
        # Connection refused proves the POST never reached the server, so resending it is safe.
        write = asyncio.create_task(client.create_session(app_id, name="during outage", version=1))
        await asyncio.sleep(1.0)
        assert not read.done() and not write.done()  # still retrying, not failed
        await asyncio.to_thread(sb.start_api)
        assert len(await asyncio.wait_for(read, 30)) == 3
        created = await asyncio.wait_for(write, 30)
        named = [s async for s in client.iter_sessions(app_id, name="during outage")]
        assert [s.session_id for s in named] == [created.session_id]  # exactly one, no duplicate


async def test_outage_longer_than_the_budget_names_the_host(make_sandbox: Any) -> None:
    sb = make_sandbox(seed=0)
    info = sb.info
    quick = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.1, total_budget=5.0)
    async with SkylightClient(info.api_url, ca_file=info.ca_file, retry=quick) as client:
        await client.login(info.realm, "tech", "tech-demo-pw")
        await asyncio.to_thread(sb.stop_api)
        with pytest.raises(TransportError) as err:
            await client.get_applications()
    assert f"Could not connect to {client.host}" in err.value.message
    assert not err.value.outcome_unknown
