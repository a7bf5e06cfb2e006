"""TaskRegistry: named pre-emption, strong references, failure logging, shutdown."""

from __future__ import annotations

import asyncio
import logging

import pytest

from skydesk.core.tasks import TaskRegistry


async def test_new_task_with_same_name_cancels_the_previous() -> None:
    reg = TaskRegistry()
    started = asyncio.Event()

    async def slow() -> str:
        started.set()
        await asyncio.sleep(10)
        return "slow"

    async def fast() -> str:
        return "fast"

    first = reg.run("search", slow())
    await started.wait()
    second = reg.run("search", fast())
    assert await second == "fast"
    await asyncio.sleep(0)
    assert first.cancelled()
    assert reg.get("search") is None and reg.tasks == set()


async def test_other_names_are_not_touched() -> None:
    reg = TaskRegistry()
    a = reg.run("a", asyncio.sleep(10))
    b = reg.run("b", asyncio.sleep(0, result=2))
    assert await b == 2
    assert reg.is_running("a") and not a.cancelled()
    reg.cancel("a")
    with pytest.raises(asyncio.CancelledError):
        await a


async def test_failure_goes_to_on_error_which_does_the_logging(caplog: pytest.LogCaptureFixture) -> None:
    """With a reporter wired, the reporter alone handles (and logs) the failure: it is not logged twice."""
    seen: list[tuple[str, str]] = []
    reg = TaskRegistry(on_error=lambda name, exc: seen.append((name, str(exc))))

    async def boom() -> None:
        raise RuntimeError("disk on fire")

    with caplog.at_level(logging.ERROR, logger="skydesk.core.tasks"):
        task = reg.run("job", boom())
        await asyncio.wait([task])
        await asyncio.sleep(0)
    assert seen == [("job", "disk on fire")]
    assert caplog.records == []


async def test_failure_without_a_reporter_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    reg = TaskRegistry()

    async def boom() -> None:
        raise RuntimeError("disk on fire")

    with caplog.at_level(logging.ERROR, logger="skydesk.core.tasks"):
        task = reg.run("job", boom())
        await asyncio.wait([task])
        await asyncio.sleep(0)
    assert [r.getMessage() for r in caplog.records] == ["Task job failed: RuntimeError: disk on fire"]


async def test_shutdown_cancels_everything_and_refuses_new_work() -> None:
    reg = TaskRegistry()
    cleaned: list[str] = []

    async def worker(name: str) -> None:
        try:
            await asyncio.sleep(10)
        finally:
            cleaned.append(name)

    reg.run("x", worker("x"))
    reg.run("y", worker("y"))
    await asyncio.sleep(0)
    await reg.shutdown()
    assert sorted(cleaned) == ["x", "y"]
    assert reg.tasks == set()
    coro = asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="shut down"):
        reg.run("z", coro)
