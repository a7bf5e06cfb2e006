"""The app's loop frees a cancelled timer at once (qasync kept each until its due time: B9's growing peak)."""

from __future__ import annotations

import asyncio
import gc
import weakref

from skydesk.models.event_loop import QtEventLoop


class Payload:
    """Something a timer callback holds on to."""

    def run(self) -> None:
        raise AssertionError("a cancelled callback ran")


async def test_cancelled_timers_are_dropped_at_once_and_never_run() -> None:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, QtEventLoop)
    before = loop.pending_timers
    payload = Payload()
    held = weakref.ref(payload)
    handles = [loop.call_later(60, payload.run) for _ in range(1_000)]
    assert loop.pending_timers == before + 1_000
    for handle in handles:
        handle.cancel()
    assert loop.pending_timers == before
    del payload, handles
    gc.collect()
    assert held() is None  # nothing keeps the callback's object until the 60 s are up
    await asyncio.sleep(0.05)


async def test_timeouts_of_finished_waits_leave_nothing_behind() -> None:
    # asyncio.wait_for, like anyio's deadlines in httpcore, schedules a timeout and cancels it when done.
    loop = asyncio.get_running_loop()
    assert isinstance(loop, QtEventLoop)
    before = loop.pending_timers
    for _ in range(200):
        await asyncio.wait_for(asyncio.sleep(0), 15)
    assert loop.pending_timers <= before + 1


async def test_timers_run_in_due_order_with_the_loop_running() -> None:
    loop = asyncio.get_running_loop()
    order: list[tuple[str, bool]] = []
    done = loop.create_future()

    def note(name: str) -> None:
        order.append((name, asyncio.get_running_loop() is loop))
        if len(order) == 3:
            done.set_result(None)

    loop.call_at(loop.time() + 0.06, note, "last")
    loop.call_later(0.03, note, "second")
    skipped = loop.call_later(0.01, note, "cancelled")
    loop.call_soon(note, "first")
    skipped.cancel()
    await asyncio.wait_for(done, 10)
    assert order == [("first", True), ("second", True), ("last", True)]
