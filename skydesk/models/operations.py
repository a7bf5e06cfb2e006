"""The one way a controller runs an API call: reads that pre-empt, writes that queue, problems as data.

A controller states what it wants (the call, what to do with the result, what the user was doing) and
never writes ``try / except SignInRequired / except ApiError / finally busy`` itself:

    self._ops.read("detail.session", lambda c: c.get_session(app, sid), doing=LOADING_SESSION,
                   scope="detail", target=f"session:{sid}", success=self._show)
    self._ops.write(f"session:{sid}", lambda c: c.patch_session(app, sid, patch), doing=SAVING_CHANGES,
                    scope="detail", success=self._saved, failure=self._not_saved)

See /work/coord/OPS-API.md (and STYLE.md "Operations and problems") for the contract.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from skydesk.api.errors import ApiError, SignInRequired
from skydesk.core.logs import report_exception
from skydesk.core.tasks import TaskRegistry
from skydesk.models.auth import AuthController
from skydesk.models.problems import Action, Doing, Problem, describe, signed_out

if TYPE_CHECKING:
    from skydesk.api import SkylightClient

log = logging.getLogger(__name__)

T = TypeVar("T")
Call = Callable[["SkylightClient"], Awaitable[T]]
UnexpectedReporter = Callable[..., None]

#: Problem kinds that mean the API itself was unreachable or failing (not the user's input or rights).
OUTAGE_KINDS = frozenset({"offline", "server", "maybe_saved", "bad_answer", "busy"})
#: After an outage, the API is asked again (a cheap read) after these many seconds, then every last one.
PROBE_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0)
PROBE_KEY = "ops.probe"


@dataclass
class _Op(Generic[T]):
    """One submitted operation (kept so that it can be re-run after sign-in or by a Retry button)."""

    write: bool
    key: str
    target: str
    call: Call[T]
    doing: Doing
    scope: str
    field: str | None
    success: Callable[[T], None] | None
    failure: Callable[[Problem], None] | None
    reload: Callable[[], None] | None
    quiet: bool


@dataclass
class _Ticket:
    """One submission's place in the busy count of its target (released exactly once)."""

    target: str
    counted: bool = True


class Operations(QObject):
    """Runs every API call of the app; one instance, owned by AppServices, shared by all controllers."""

    busy_changed = Signal(str, int)  # target, number of its operations still running (0 = idle)
    problem_raised = Signal(object)  # Problem: the presenter decides where it shows
    problem_resolved = Signal(str, str)  # scope, field ("" = the scope's banner): an op there succeeded
    api_recovered = Signal()  # a request succeeded after an outage (offline, 5xx, ...)

    def __init__(
        self,
        auth: AuthController,
        tasks: TaskRegistry,
        report_unexpected: UnexpectedReporter = report_exception,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._auth = auth
        self._tasks = tasks
        self._report_unexpected = report_unexpected
        self._busy: dict[str, int] = {}
        self._tails: dict[str, asyncio.Task[Any]] = {}  # target -> its last queued write
        self._serial = itertools.count(1)
        self._outage = False
        self._probes = 0
        #: Rewords a problem before anyone sees it (the permissions word a 403 for the action and the role).
        self.reword: Callable[[Problem], Problem] = lambda problem: problem
        # While the API is out, a quiet probe finds out when it is back (then api_recovered reloads).
        self._probe_timer = QTimer(self)
        self._probe_timer.setSingleShot(True)
        self._probe_timer.timeout.connect(self._on_probe_timer_timeout)

    # ------------------------------------------------------------------ public API
    def read(
        self,
        key: str,
        call: Call[T],
        *,
        doing: Doing | str,
        scope: str,
        target: str | None = None,
        success: Callable[[T], None] | None = None,
        failure: Callable[[Problem], None] | None = None,
        field: str | None = None,
        quiet: bool = False,
    ) -> asyncio.Future[None]:
        """Run a read; a newer read with the same ``key`` cancels this one (its callbacks never run).

        ``target`` (default: ``key``) is what the busy count is kept for. ``failure`` runs for every
        failure (also unexpected ones), so the caller can put its view back; ``quiet`` presents nothing.
        """
        op = _Op(
            False, key, target or key, call, Doing.of(doing), scope, field, success, failure, None, quiet
        )
        return self._submit(op)

    def write(
        self,
        target: str,
        call: Call[T],
        *,
        doing: Doing | str,
        scope: str,
        success: Callable[[T], None] | None = None,
        failure: Callable[[Problem], None] | None = None,
        reload: Callable[[], None] | None = None,
        field: str | None = None,
    ) -> asyncio.Future[None]:
        """Queue a change: never cancelled by a newer one, run after the earlier writes to ``target``.

        ``call`` must send exactly one change request: it is re-run after a new sign-in only because a
        SignInRequired proves that request never reached the server. It is never resent otherwise; the
        Problem offers Retry only when nothing can have been changed, else Reload (``reload``).
        """
        op = _Op(True, target, target, call, Doing.of(doing), scope, field, success, failure, reload, False)
        return self._submit(op)

    def cancel(self, key: str) -> None:
        """Cancel the running read called ``key`` (writes are never cancelled)."""
        self._tasks.cancel(f"op.read.{key}")

    def stop(self) -> None:
        """Stop probing for the API (shutdown, sign-out)."""
        self._probe_timer.stop()
        self._outage = False
        self._probes = 0

    def busy(self, target: str) -> int:
        """How many operations on ``target`` have not answered yet."""
        return self._busy.get(target, 0)

    # ------------------------------------------------------------------ running
    def _submit(self, op: _Op[Any]) -> asyncio.Future[None]:
        if self._tasks.closed:
            # Quitting: a view may still ask for more (Qt calls fetchMore while the window goes away).
            # Nothing is sent; the caller gets an operation that is already cancelled, never an exception
            # raised into a Qt virtual.
            log.debug("Not starting %s: the app is shutting down", op.doing.what)
            refused: asyncio.Future[None] = asyncio.get_event_loop().create_future()
            refused.cancel()
            return refused
        ticket = _Ticket(op.target)
        if not op.write:
            task = self._tasks.run(f"op.read.{op.key}", self._run(op, None, ticket))
        else:
            previous = self._tails.get(op.target)
            name = f"op.write.{op.target}#{next(self._serial)}"
            task = self._tasks.run(name, self._run(op, previous, ticket))
            self._tails[op.target] = task
        # Counted from submission (Save is disabled at once) until the answer, before its callbacks run
        # (they may re-enable things). Also from a done-callback: a task cancelled before its first step
        # never runs any of its code.
        self._enter(op.target)
        task.add_done_callback(functools.partial(self._done, ticket))
        return task

    def _resubmit(self, op: _Op[Any]) -> None:
        self._submit(op)

    def _done(self, ticket: _Ticket, task: asyncio.Task[Any]) -> None:
        if self._tails.get(ticket.target) is task:
            del self._tails[ticket.target]
        self._settle(ticket)

    def _settle(self, ticket: _Ticket) -> None:
        if ticket.counted:
            ticket.counted = False
            self._leave(ticket.target)

    async def _run(self, op: _Op[Any], previous: asyncio.Task[Any] | None, ticket: _Ticket) -> None:
        try:
            if previous is not None and not previous.done():
                await asyncio.wait([previous])  # in order; the earlier write's outcome is its own business
            client = self._auth.client
            if client is None:
                self._settle(ticket)
                self._fail(op, signed_out(op.doing, scope=op.scope))
                return
            try:
                result = await op.call(client)
            except SignInRequired as exc:
                self._settle(ticket)
                # Raised before the request left, or on a 401 the server gave without acting: re-run it
                # once the password is entered again (AuthController prompts only once for all of them).
                self._auth.handle_sign_in_required(exc, lambda: self._resubmit(op))
                self._fail(op, describe(exc, op.doing, scope=op.scope, field=op.field), present=False)
                return
            except ApiError as exc:
                self._settle(ticket)
                self._fail(op, self._problem(op, exc))
                return
            self._settle(ticket)
            if op.success is not None:
                op.success(result)
            self._succeeded(op)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug, here or in a callback: crash dialog + log, then a usable UI
            self._settle(ticket)
            self._report_unexpected(type(exc), exc, exc.__traceback__, where=op.doing.what)
            self._fail(op, describe(exc, op.doing, scope=op.scope, field=op.field), unexpected=True)

    def _problem(self, op: _Op[Any], exc: ApiError) -> Problem:
        problem = self.reword(describe(exc, op.doing, scope=op.scope, field=op.field))
        if problem.kind in OUTAGE_KINDS:
            self._outage = True
            self._schedule_probe()
        if problem.action is Action.RETRY:
            return problem.with_retry(lambda: self._resubmit(op))
        if problem.action is Action.RELOAD and op.write:
            return problem.with_retry(op.reload) if op.reload is not None else problem
        if problem.action is Action.RELOAD:
            return problem.with_retry(lambda: self._resubmit(op))
        if problem.action is Action.SIGN_IN:
            return problem.with_retry(
                lambda: self._auth.handle_sign_in_required(SignInRequired(problem.message))
            )
        return problem

    def _fail(
        self, op: _Op[Any], problem: Problem, *, present: bool = True, unexpected: bool = False
    ) -> None:
        log.info("%s failed: %s (%s)", op.doing.what, problem.kind, problem.message)
        try:
            if op.failure is not None:
                op.failure(problem)
        except Exception as exc:  # the clean-up itself failed: report it, but never loop
            if not unexpected:
                self._report_unexpected(type(exc), exc, exc.__traceback__, where=f"{op.doing.what} (failure)")
        if present and not op.quiet:
            self.problem_raised.emit(problem)

    def _succeeded(self, op: _Op[Any]) -> None:
        if op.scope:
            self.problem_resolved.emit(op.scope, op.field or "")
        if self._outage:
            self.stop()
            self.api_recovered.emit()

    def _schedule_probe(self) -> None:
        if self._probe_timer.isActive() or self._auth.client is None:
            return
        delay = PROBE_DELAYS[min(self._probes, len(PROBE_DELAYS) - 1)]
        self._probes += 1
        self._probe_timer.start(int(delay * 1000))

    def _on_probe_timer_timeout(self) -> None:
        if self._outage and self._auth.client is not None:
            self.read(
                PROBE_KEY,
                lambda c: c.get_applications(),
                doing="checking the connection",
                scope="",
                quiet=True,
            )

    def _enter(self, target: str) -> None:
        self._busy[target] = self._busy.get(target, 0) + 1
        self.busy_changed.emit(target, self._busy[target])

    def _leave(self, target: str) -> None:
        count = self._busy.get(target, 0) - 1
        if count <= 0:
            self._busy.pop(target, None)
            count = 0
        else:
            self._busy[target] = count
        self.busy_changed.emit(target, count)
