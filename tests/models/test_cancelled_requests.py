"""Reads are pre-empted all the time (a new filter, a new page): cancelling a request mid-flight on the app's
loop must never leave the task, or the connection it held, stuck for the requests that follow."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from skydesk.api import SkylightClient


async def test_requests_cancelled_at_random_points_finish_and_the_next_request_is_answered(
    sandbox: Any,
) -> None:
    rnd = random.Random(7)
    async with SkylightClient(sandbox.info.api_url, ca_file=sandbox.info.ca_file) as client:
        await client.login(sandbox.info.realm, "dispatch", "dispatch-demo-pw")
        app = (await client.get_applications())[0].application_id
        stuck = []
        for i in range(80):
            task = asyncio.ensure_future(client.list_sessions(app, limit=200))
            await asyncio.sleep(rnd.uniform(0, 0.02))  # before, during or after the request
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=5)
            if not done:
                stuck.append(i)
                continue
            page = await asyncio.wait_for(client.list_sessions(app, limit=5), 10)
            assert page.items
        assert stuck == [], f"cancelled requests never finished: {stuck}"
