"""Named asyncio tasks with strong references: a new task pre-empts the old one of the same name."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class TaskRegistry:
    """Owns every background task of the app so none is garbage-collected or left running at exit."""

    def __init__(self, on_error: Callable[[str, BaseException], None] | None = None) -> None:
        self._named: dict[str, asyncio.Task[Any]] = {}
        self._all: set[asyncio.Task[Any]] = set()
        self._on_error = on_error
        self._closed = False

    def run(self, name: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start `coro` as task `name`, cancelling a still-running task of the same name."""
        if self._closed:
            coro.close()
            raise RuntimeError("the task registry is shut down")
        previous = self._named.get(name)
        if previous is not None and not previous.done():
            previous.cancel()
        task = asyncio.get_event_loop().create_task(coro, name=name)
        self._named[name] = task
        self._all.add(task)
        task.add_done_callback(self._on_done)
        return task

    def _on_done(self, task: asyncio.Task[Any]) -> None:
        self._all.discard(task)
        name = task.get_name()
        if self._named.get(name) is task:
            del self._named[name]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        if self._on_error is not None:
            self._on_error(name, exc)  # it logs (the app's reporter logs with the traceback, redacted)
            return
        # Only the exception type and its message: SDK errors never carry tokens in their messages.
        log.error("Task %s failed: %s: %s", name, type(exc).__name__, exc, exc_info=exc)

    @property
    def closed(self) -> bool:
        """True once shutdown() began: run() refuses new work."""
        return self._closed

    def get(self, name: str) -> asyncio.Task[Any] | None:
        """The running task called `name`, if any."""
        return self._named.get(name)

    def is_running(self, name: str) -> bool:
        """True while a task called `name` has not finished."""
        task = self._named.get(name)
        return task is not None and not task.done()

    def cancel(self, name: str) -> None:
        """Cancel the task called `name`, if running."""
        task = self._named.get(name)
        if task is not None:
            task.cancel()

    @property
    def tasks(self) -> set[asyncio.Task[Any]]:
        """A snapshot of the unfinished tasks."""
        return {t for t in self._all if not t.done()}

    async def shutdown(self, grace: float = 5.0) -> None:
        """Refuse new work, cancel everything and wait until every task has really finished."""
        self._closed = True
        pending = [t for t in self._all if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait(pending, timeout=grace)
