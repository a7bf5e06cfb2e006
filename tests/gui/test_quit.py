"""Ctrl+Q in the real app (its main coroutine, --demo): the orderly shutdown runs to its end, nothing left."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from skydesk import app as skydesk_app
from skydesk.events import StreamState
from skydesk.ui.main_window import MainWindow
from tests.support.qt import wait_until


@pytest.mark.timeout(120)
async def test_ctrl_q_stops_mqtt_http_and_the_sandbox_then_returns(qapp: Any, tmp_path: Path) -> None:
    args = skydesk_app.build_parser().parse_args(["--demo", "--settings-file", str(tmp_path / "s.json")])
    # As main() does: a standard pool as the loop's executor, joined after the main coroutine returns.
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-worker")
    asyncio.get_running_loop().set_default_executor(executor)
    before = set(threading.enumerate())
    run = asyncio.ensure_future(skydesk_app._run(qapp, args))

    def window() -> MainWindow | None:
        shown = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        return shown[0] if shown else None

    main = await wait_until(window, 60, what="the main window")
    services = main.services
    await wait_until(lambda: services.browser.model.sessions(), 60, what="the demo's sessions")
    await wait_until(lambda: services.bridge.state == "connected", 30, what="live events")
    stream, client = services.live.stream, services.auth.client
    assert stream is not None and client is not None

    QTest.keySequence(main, QKeySequence("Ctrl+Q"))
    assert await asyncio.wait_for(run, 60) == 0

    assert stream.state is StreamState.STOPPED, "MQTT was disconnected and its thread joined"
    assert client._http.is_closed, "the HTTP client (httpx) was closed"
    assert window() is None
    executor.shutdown(wait=True)  # main() closes the loop, which joins its pool
    left = [t.name for t in set(threading.enumerate()) - before if t.is_alive()]
    assert not left, f"threads left running: {left}"
    tasks = [t.get_name() for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert not tasks, f"tasks left running: {tasks}"
