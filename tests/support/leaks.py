"""Fail a test that leaves a thread, an asyncio task or a running QTimer behind (as napari's conftest does).

Use from a directory's conftest.py (its async tests run on qasync, see ``tests.support.qt``):

    from tests.support.leaks import no_leftovers

    @pytest.fixture(autouse=True)
    async def _no_leftovers() -> AsyncIterator[None]:
        async with no_leftovers():
            yield

Autouse, so it is set up before and torn down after the test's own fixtures (windows closed, services
shut down): whatever is still running then was left behind. Timers are tracked from Python's
``QTimer.start`` calls (timers Qt starts inside C++ are not seen), like napari's ``dangling_qtimers``.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import shiboken6
from PySide6.QtCore import QTimer

GRACE = 10.0  # seconds for threads and tasks that are already ending (a join, a last callback)


def _owned(thread: threading.Thread) -> bool:
    """A live thread a test can be blamed for.

    Not counted: threads Python did not start (``_DummyThread``: Qt's and qasync's pooled QThreads, reused
    across tests) and AnyIO's idle worker threads, which serve the shared sandbox and linger by design.
    """
    if not thread.is_alive() or isinstance(thread, threading._DummyThread):
        return False
    return thread.name != "AnyIO worker thread"


def _alive(refs: list[weakref.ref[Any]]) -> list[QTimer]:
    timers = [ref() for ref in refs]
    return [t for t in timers if t is not None and shiboken6.isValid(t) and t.isActive()]


@asynccontextmanager
async def no_leftovers(grace: float = GRACE) -> AsyncIterator[None]:
    """Around one test: fail if it leaves threads, tasks or active timers that it started."""
    threads_before = set(threading.enumerate())
    started: list[weakref.ref[Any]] = []
    original = QTimer.start

    def start(self: QTimer, *args: Any) -> None:
        started.append(weakref.ref(self))
        original(self, *args)

    QTimer.start = start  # type: ignore[method-assign]
    try:
        yield
    finally:
        QTimer.start = original  # type: ignore[method-assign]
    me = asyncio.current_task()
    deadline = time.monotonic() + grace
    gc.collect()  # models the test dropped are deleted now (with their timers), on this thread
    while True:
        threads = [t for t in threading.enumerate() if t not in threads_before and _owned(t)]
        tasks = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        timers = _alive(started)
        if not (threads or tasks or timers) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    problems = [f"thread {t.name!r}" for t in threads]
    problems += [f"asyncio task {t.get_name()!r}" for t in tasks]
    problems += [f"running QTimer {t.objectName() or t.parent() or t!r}" for t in timers]
    for task in tasks:
        task.cancel()  # so the next test does not inherit them
    for timer in timers:
        timer.stop()
    assert not problems, "the test left behind: " + ", ".join(problems)
