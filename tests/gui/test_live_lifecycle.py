"""The live-event stream's life in the app: nothing missed between the first page and the subscription;
signing out stops its thread even when the stop is cancelled before its join could start."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.api import SyncSkylightClient
from skydesk.models.session_columns import COL_NAME
from tests.gui.helpers import fill_sign_in, signed_in_window, wait_loaded
from tests.support.qt import wait_until


async def test_a_stop_cancelled_behind_a_busy_executor_still_ends_the_stream_thread(
    make_window: Any, sandbox: Any
) -> None:
    # The loop's executor has one worker, and it is busy (a keyring call, a file write): the stream's join
    # waits in its queue. Quitting right after signing out cancels the stop task at that moment.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="busy-worker")
    asyncio.get_running_loop().set_default_executor(executor)
    window = await signed_in_window(make_window, sandbox, "tech")
    services = window.services
    await wait_until(lambda: services.bridge.state == "connected", 30, what="live events")
    thread = services.live.stream._thread
    assert thread is not None and thread.is_alive()

    release = threading.Event()
    busy = asyncio.get_running_loop().run_in_executor(None, release.wait)
    try:
        stop = asyncio.ensure_future(services.live.stop())
        await asyncio.sleep(0.2)  # the stop has asked for its join, which is queued behind the busy worker
        assert not stop.done()
        stop.cancel()
        await asyncio.wait([stop])
    finally:
        release.set()
    await busy

    await wait_until(lambda: not thread.is_alive(), 15, what="the stream thread to end")
    await services.live.wait_stopped()
    assert services.bridge.state == "stopped"
    executor.shutdown(wait=True)


async def test_a_change_made_before_the_stream_subscribed_is_shown_once_it_has(
    make_window: Any, sandbox: Any
) -> None:
    # The first page is shown before live events start (benchmark B2). A colleague's rename between that
    # read and the subscription is queued nowhere on a first sign-in; the list must still show it.
    window = make_window()
    services = window.services
    model = services.browser.model
    start = services.live.start
    renamed: list[str] = []

    def start_after_a_colleague_renamed() -> None:
        session = model.sessions()[0]
        info = sandbox.info
        with SyncSkylightClient(info.api_url, ca_file=info.ca_file) as colleague:
            colleague.login(info.realm, "dispatch", "dispatch-demo-pw")
            colleague.update_session_name(session.application_id, session.session_id, "Renamed in the gap")
        renamed.append(session.session_id)
        start()

    services.live.start = start_after_a_colleague_renamed
    fill_sign_in(window, sandbox, "tech")
    QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_loaded(window)
    await wait_until(lambda: renamed, 20, what="the colleague's rename")
    await wait_until(lambda: services.bridge.state == "connected", 30, what="live events")

    def shown_name() -> str:
        return str(model.index(model.row_of(renamed[0]), COL_NAME).data())

    await wait_until(lambda: shown_name() == "Renamed in the gap", 15, what="the list to show the rename")
