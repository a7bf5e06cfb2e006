"""The app's asyncio loop: qasync's, but every callback it runs sees itself as the running loop.

qasync runs asyncio callbacks (task steps included) from Qt timer events, and Qt delivers those events
whenever anyone processes events, also outside ``run_forever`` where asyncio's running loop is unset:
qasync's own last ``processEvents`` in ``run_until_complete``, pytest-qt's passes between test phases,
``qtbot.waitUntil``. A task step run there fails in ``asyncio.current_task()`` / ``get_running_loop()``.
In httpcore that happens inside a cancelled request's clean-up, after anyio's Lock was given to the task
and before it was released: the connection's ``_state_lock`` then stays owned by a finished task and every
later request on that connection waits for it forever (no httpx timeout covers that wait).

qasync also never installs asyncio's async-generator hooks, so an async generator abandoned mid-iteration
(httpx's byte stream of a download cancelled at quit) was finalised by the garbage collector without a loop:
httpcore's clean-up then awaited inside ``GeneratorExit`` and Python printed "async generator ignored
GeneratorExit" tracebacks. With the hooks, the loop closes such generators itself (``aclose()`` as a task).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import qasync


class _InLoop:
    """A handle as qasync's timer sees it: runs the real handle with ``loop`` set as the running loop."""

    __slots__ = ("_handle", "_loop")

    def __init__(self, handle: asyncio.Handle, loop: asyncio.AbstractEventLoop) -> None:
        self._handle = handle
        self._loop = loop

    @property
    def _cancelled(self) -> bool:  # read by qasync's timer; the caller cancels the real handle
        return self._handle.cancelled()

    def _run(self) -> None:
        if asyncio._get_running_loop() is not None:
            self._handle._run()
            return
        asyncio._set_running_loop(self._loop)
        try:
            self._handle._run()
        finally:
            asyncio._set_running_loop(None)

    def __repr__(self) -> str:
        return repr(self._handle)


class QtEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's QEventLoop whose callbacks always run with asyncio's running loop set (see the module)."""

    def _add_callback(self, handle: asyncio.Handle, delay: float = 0) -> Any:
        super()._add_callback(_InLoop(handle, self), delay)
        return handle  # callers cancel the handle they were given; _InLoop reads that

    def run_forever(self) -> Any:
        # As asyncio's own loops do: generators first iterated while this loop runs are closed on it.
        previous = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook, finalizer=self._asyncgen_finalizer_hook
        )
        try:
            return super().run_forever()
        finally:
            sys.set_asyncgen_hooks(*previous)
