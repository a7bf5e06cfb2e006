"""Run pytest-asyncio tests on a qasync loop bound to the QApplication, and await Qt-side conditions.

Use from a directory's conftest.py:

    from tests.support.qt import qasync_loop_factories

    def pytest_asyncio_loop_factories(config, item):
        return qasync_loop_factories()

Then `async def` tests (and async fixtures) run on a qasync.QEventLoop, so controllers' tasks, Qt timers and
queued signals all make progress while a test awaits. `qtbot.waitSignal` spins Qt only; inside async tests
await `wait_until(...)` / `wait_signal(...)` instead, which yield to the qasync loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QApplication


def qapplication() -> QApplication:
    """The process-wide QApplication (created if pytest-qt's `qapp` has not made one yet)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(["skydesk-tests"])
    assert isinstance(app, QApplication)
    return app


def qasync_loop_factory() -> asyncio.AbstractEventLoop:
    """A fresh qasync event loop driving the shared QApplication (the app's kind, see models/event_loop)."""
    from skydesk.models.event_loop import QtEventLoop

    return QtEventLoop(qapplication())


def qasync_loop_factories() -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    """The mapping the `pytest_asyncio_loop_factories` hook must return."""
    return {"qasync": qasync_loop_factory}


async def wait_until(
    predicate: Callable[[], Any], within: float = 10.0, interval: float = 0.02, what: str = ""
) -> Any:
    """Yield to the loop until `predicate()` is truthy; returns its value or fails naming `what`."""
    deadline = time.monotonic() + within
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:.1f}s waiting for {what or predicate!r}")
        await asyncio.sleep(interval)


class SignalRecorder(QObject):
    """Collects every emission of some signals (args tuples), for awaiting and asserting."""

    def __init__(self, *signals: SignalInstance) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        for sig in signals:
            name = _signal_name(sig)
            sig.connect(lambda *args, _n=name: self.calls.append((_n, args)))

    def args(self, name: str) -> list[tuple[Any, ...]]:
        """Argument tuples of every emission of the signal called `name`."""
        return [a for n, a in self.calls if n == name]

    async def wait(self, name: str, count: int = 1, within: float = 10.0) -> tuple[Any, ...]:
        """Await until `name` was emitted `count` times in total; returns the last args."""
        await wait_until(lambda: len(self.args(name)) >= count, within, what=f"signal {name} x{count}")
        return self.args(name)[-1]

    async def wait_any(self, names: tuple[str, ...], within: float = 10.0) -> str:
        """Await the first emission of any of `names`; returns the name that was emitted."""
        await wait_until(lambda: any(self.args(n) for n in names), within, what=f"one of {names}")
        return next(n for n, _ in self.calls if n in names)

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.calls.clear()


def _signal_name(sig: SignalInstance) -> str:
    # repr looks like "<PySide6.QtCore.SignalInstance busy(bool) at 0x...>"
    text = repr(sig)
    head = text.split("SignalInstance ", 1)[-1]
    return head.split("(", 1)[0]
