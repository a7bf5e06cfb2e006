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

And qasync keeps a cancelled timer (its Qt timer and handle) until the time it was due: every request's
timeouts (anyio's deadlines, 15 s) piled up ~3,500 of them during a long export, ~1 MB that grew with the
export's length (B9). Here a cancelled handle's Qt timer is killed and the handle dropped at once.

And every ``call_soon`` was a Qt timer of its own (start, a timer event, kill): ~80 per sign-in, each
10-30 us of the GUI thread plus a pass of Qt's event loop (B2). Here, as in asyncio's own loops, callbacks
due now wait in one ready queue, and one zero timer runs those queued before its turn, then what they
queued, for a few rounds (READY_ROUNDS, READY_BUDGET_S); what is queued after that runs in the next turn, so
Qt still paints and reads sockets between turns.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import deque
from typing import Any

import qasync
import sniffio
from PySide6.QtCore import QObject, QTimerEvent

#: A turn also runs what its callbacks queue, for at most this many rounds and about this long. A request
#: goes through several such hand-offs before its bytes are written (httpcore's lock, anyio's checkpoints,
#: each a ``call_soon``); one Qt pass between each, with whatever it painted, held it back by 3-4 ms per
#: request on a sign-in (benchmark B2). Qt still gets its pass after a few rounds: nothing spins forever.
READY_ROUNDS = 8
READY_BUDGET_S = 0.002


class _QtHandle(asyncio.Handle):
    """A callback handle that tells its timer when it is cancelled, so nothing waits for its due time."""

    __slots__ = ("_timer_id", "_timers")

    def __init__(self, callback: Any, args: Any, loop: Any, context: Any, timers: _Timers) -> None:
        super().__init__(callback, args, loop, context=context)
        self._timers = timers
        self._timer_id = 0

    def cancel(self) -> None:
        """Cancel, and free the Qt timer now."""
        if not self._cancelled:
            super().cancel()
            self._timers.discard(self)


class _Timers(QObject):
    """Qt timers that run asyncio handles, with asyncio's running loop set (replaces qasync's timer)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._loop = loop
        self._handles: dict[int, asyncio.Handle] = {}
        self._ready: deque[asyncio.Handle] = deque()  # due now, run in order by one zero timer
        self._ready_timer = 0  # that timer's id while it is pending
        self._stopped = False

    def add_callback(self, handle: asyncio.Handle, delay: float = 0) -> asyncio.Handle:
        """Run ``handle`` after ``delay`` seconds (qasync's interface)."""
        if delay <= 0:
            self._ready.append(handle)
            if not self._ready_timer:
                self._ready_timer = self.startTimer(0)
            return handle
        timer_id = self.startTimer(int(delay * 1000))
        self._handles[timer_id] = handle
        if isinstance(handle, _QtHandle):
            handle._timer_id = timer_id
        return handle

    def discard(self, handle: _QtHandle) -> None:
        """A handle was cancelled: kill its timer (unless it already ran; ids are reused).

        A cancelled handle in the ready queue stays there until its turn, which skips it.
        """
        timer_id = handle._timer_id
        if timer_id and self._handles.get(timer_id) is handle:
            del self._handles[timer_id]
            self.killTimer(timer_id)

    def timerEvent(self, event: QTimerEvent) -> None:
        """A timer is due: run its handle once."""
        timer_id = event.timerId()
        self.killTimer(timer_id)
        if timer_id == self._ready_timer:
            self._ready_timer = 0
            self._with_loop(self._run_ready)
            return
        handle = self._handles.pop(timer_id, None)
        if handle is None or handle.cancelled() or self._stopped:
            return
        self._with_loop(handle._run)

    def _with_loop(self, run: Any) -> None:
        if asyncio._get_running_loop() is not None:
            run()
            return
        asyncio._set_running_loop(self._loop)
        try:
            run()
        finally:
            asyncio._set_running_loop(None)

    def _run_ready(self) -> None:
        """Run the handles queued before this turn, then those they queue, for a few rounds (see below)."""
        ready = self._ready
        started = time.perf_counter()
        try:
            for _ in range(READY_ROUNDS):
                for _ in range(len(ready)):
                    handle = ready.popleft()
                    if not handle.cancelled() and not self._stopped:
                        handle._run()  # asyncio's Handle reports a callback's exception to the loop
                if not ready or time.perf_counter() - started > READY_BUDGET_S:
                    break
        finally:
            if ready and not self._ready_timer and not self._stopped:  # e.g. KeyboardInterrupt mid-turn
                self._ready_timer = self.startTimer(0)

    def stop(self) -> None:
        """The loop closed: run nothing more, free every timer."""
        self._stopped = True
        for timer_id in self._handles:
            self.killTimer(timer_id)
        self._handles.clear()
        if self._ready_timer:
            self.killTimer(self._ready_timer)
            self._ready_timer = 0
        self._ready.clear()

    def set_debug(self, enabled: bool) -> None:
        """qasync's interface; slow-callback reports are not made here."""

    def __len__(self) -> int:
        return len(self._handles) + sum(not handle.cancelled() for handle in self._ready)


class QtEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's QEventLoop: callbacks run with the running loop set; cancelled timers freed at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._timer = _Timers(self)

    @property
    def pending_timers(self) -> int:
        """Callbacks waiting for their time (cancelled ones are not kept)."""
        return len(self._timer)

    def call_later(self, delay: float, callback: Any, *args: Any, context: Any = None) -> asyncio.Handle:
        """Register ``callback`` to run after ``delay`` seconds (call_soon and call_at come here too)."""
        # Checked in debug mode only, as asyncio's own loops do (iscoroutinefunction is slow per call).
        if self.get_debug() and (asyncio.iscoroutinefunction(callback) or not callable(callback)):
            raise TypeError(f"call_later needs a plain callable, not {callback!r}")
        handle = _QtHandle(callback, args, self, context, self._timer)
        return self._timer.add_callback(handle, delay)

    def run_forever(self) -> Any:
        # As asyncio's own loops do: generators first iterated while this loop runs are closed on it.
        previous = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook, finalizer=self._asyncgen_finalizer_hook
        )
        # anyio and httpcore ask sniffio which library runs, ~40 times per request; unless told, as trio's
        # loop tells it, sniffio finds out each time (an import statement, which PySide's import hook makes
        # a Python call, then asyncio.current_task()). This thread runs asyncio while this loop runs.
        library, sniffio.thread_local.name = sniffio.thread_local.name, "asyncio"
        try:
            return super().run_forever()
        finally:
            sniffio.thread_local.name = library
            sys.set_asyncgen_hooks(*previous)
