"""Helpers for content tests: a fresh session with data, opened in a signed-in window, and another user."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.api import Participant, SkylightClient
from tests.gui.helpers import signed_in_window, wait_loaded
from tests.support.qt import wait_until


@dataclass
class Opened:
    """A window showing a fresh session, and a client of another user who can change it."""

    window: Any
    other: SkylightClient
    app_id: str
    session_id: str

    @property
    def content(self) -> Any:
        return self.window.services.content

    @property
    def views(self) -> Any:
        return self.window.content_views


async def other_client(sandbox: Any, user: str = "dispatch") -> SkylightClient:
    """A second user's SDK client (the dispatcher may change any session)."""
    info = sandbox.info
    client = SkylightClient(info.api_url, ca_file=info.ca_file)
    await client.login(info.realm, user, f"{user}-demo-pw")
    return client


async def open_fresh_session(
    make_window: Any, sandbox: Any, data: dict[str, Any], user: str = "tech"
) -> Opened:
    """Create a session (tech takes part) holding ``data``, sign in as ``user`` and open it, like a user."""
    other = await other_client(sandbox)
    app_id = next(a.application_id for a in sandbox.info.applications if a.name == "Field Inspection")
    name = f"Content {uuid.uuid4().hex[:10]}"
    tech = sandbox.info.user("tech").id
    session = await other.create_session(app_id, name=name, participants=[Participant(tech)])
    if data:
        await other.patch_session_data(app_id, session.session_id, data)
    window = await signed_in_window(make_window, sandbox, user)
    await wait_until(lambda: window.status.live_state == "connected", 20, what="live events")
    if window.services.browser.application_id != app_id:
        window.app_combo.setCurrentIndex(window.app_combo.findData(app_id))
        await wait_until(lambda: window.services.browser.application_id == app_id, 10, what="the app")
        await wait_loaded(window)
    bar = window.workspace.sessions.filter_bar
    bar.search.setText(name)
    QTest.keyClick(bar.search, Qt.Key.Key_Return)
    model = window.services.browser.model
    await wait_until(lambda: model.row_of(session.session_id) >= 0, 15, what="the new session in the list")
    window.workspace.sessions.select_session(session.session_id)
    editor = window.services.content.data_editor
    await wait_until(
        lambda: editor.session_id == session.session_id and editor.edit() == data,
        15,
        what="the data in the editor",
    )
    window.workspace.detail_pane.tabs.setCurrentWidget(window.content_views.data_editor)
    window.activateWindow()
    return Opened(window, other, app_id, session.session_id)


async def newest_data_event(opened: Opened) -> Any:
    """The newest session_data_updated event of the session, as the server's timeline has it."""
    page = await opened.other.list_session_events(
        opened.app_id, opened.session_id, limit=20, sort="-createdAt"
    )
    return next((e for e in page.items if e.event_type == "session_data_updated"), None)
