"""Run one coroutine on a qasync loop from a plain (sync) test, the way app.py runs its main coroutine.

For tests outside a directory whose conftest installs qasync for pytest-asyncio (see tests/support/qt.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_on_qasync(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main()`` to completion on a fresh qasync loop bound to the QApplication; returns its result."""
    from skydesk.models.event_loop import QtEventLoop
    from tests.support.qt import qapplication

    app = qapplication()
    app.setQuitOnLastWindowClosed(False)  # as in app.py: closing a window must not stop the loop
    loop = QtEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()
        asyncio.set_event_loop(None)
