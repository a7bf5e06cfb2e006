"""Signing out stops the live-event thread even when the stop is cancelled before its join could start."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.gui.helpers import signed_in_window
from tests.support.qt import wait_until


async def test_a_stop_cancelled_behind_a_busy_executor_still_ends_the_stream_thread(
    make_window: Any, sandbox: Any
) -> None:
    # The loop's executor has one worker, and it is busy (a keyring call, a file write): the stream's join
    # waits in its queue. Quitting right after signing out cancels the stop task at that moment.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="busy-worker")
    asyncio.get_running_loop().set_default_executor(executor)
    window = await signed_in_window(make_window, sandbox, "tech")
    services = window.services
    await wait_until(lambda: services.bridge.state == "connected", 30, what="live events")
    thread = services.live.stream._thread
    assert thread is not None and thread.is_alive()

    release = threading.Event()
    busy = asyncio.get_running_loop().run_in_executor(None, release.wait)
    try:
        stop = asyncio.ensure_future(services.live.stop())
        await asyncio.sleep(0.2)  # the stop has asked for its join, which is queued behind the busy worker
        assert not stop.done()
        stop.cancel()
        await asyncio.wait([stop])
    finally:
        release.set()
    await busy

    await wait_until(lambda: not thread.is_alive(), 15, what="the stream thread to end")
    await services.live.wait_stopped()
    assert services.bridge.state == "stopped"
    executor.shutdown(wait=True)
