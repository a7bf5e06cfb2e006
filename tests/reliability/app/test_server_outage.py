"""The REST server down for 30 seconds mid-use, in the real window against the real sandbox: the app says it
is in trouble, keeps what was loaded, refuses a save with a clear message that keeps the edit, saves it with
one click once the server is back (sent once), and raises no unhandled exception."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.api import SkylightClient
from skydesk.core import logs
from tests.gui.helpers import signed_in_window
from tests.support.qt import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

OUTAGE = 30.0


async def test_thirty_seconds_without_the_rest_server(make_window: Any, make_sandbox: Any) -> None:
    crashes: list[str] = []
    remove = logs.add_crash_listener(lambda *args: crashes.append(repr(args)[:300]))
    sb = make_sandbox(seed=6)
    try:
        window = await signed_in_window(make_window, sb, "tech")
        model = window.services.browser.model
        loaded = [s.session_id for s in model.sessions()]
        session = next(s for s in model.sessions() if s.is_open)
        window.workspace.sessions.select_session(session.session_id)
        pane = window.workspace.detail_pane
        await wait_until(
            lambda: pane.session is not None and pane.session.session_id == session.session_id, 10
        )

        await asyncio.to_thread(sb.stop_api)  # stopping waits for the server thread: not on the GUI loop
        down_at = time.monotonic()
        window.refresh_action.trigger()  # the user presses F5 during the outage
        await wait_until(
            lambda: window.status.api_label.text() == "API: problem", 30, what="the problem shown"
        )
        assert [s.session_id for s in model.sessions()] == loaded, "what was loaded stays visible"

        new_name = "Saved after the outage"
        pane.name.editor.selectAll()
        QTest.keyClicks(pane.name.editor, new_name)
        await wait_until(pane.save_button.isEnabled, 10, what="Save enabled")
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
        await wait_until(lambda: "not saved" in pane.name.message.text(), 30, what="the save refused, said")
        said = pane.name.message.text()
        assert pane.name.message.isVisible()
        assert "cannot be reached" in said and "nothing was changed" in said, said
        assert pane.name.text() == new_name and pane.dirty_fields(), "the edit is kept"
        assert pane.save_button.isEnabled(), "one click saves it later"

        await asyncio.sleep(max(0.0, OUTAGE - (time.monotonic() - down_at)))
        await asyncio.to_thread(sb.start_api)
        # It recovers by itself: no click, and the status says online again and the list is current.
        await wait_until(lambda: window.status.api_label.text() == "API: online", 30, what="recovered")
        await wait_until(lambda: not window.services.browser.stale, 30, what="the list fetched again")
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
        await wait_until(lambda: not pane.dirty_fields(), 30, what="the edit saved after the outage")

        async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as check:
            await check.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
            server = await check.get_session(session.application_id, session.session_id)
            events = await check.list_session_events(session.application_id, session.session_id, limit=100)
        assert server.name == new_name
        renames = [e for e in events.items if e.event_type == "session_updated"]
        assert len(renames) == 1, "the save reached the server exactly once"
        assert not crashes, crashes
    finally:
        remove()
