"""The SDK reads a session's timeline newest first, page by page (the timeline tab relies on it)."""

from __future__ import annotations

from typing import Any

import pytest

from skydesk.api import SkylightClient, ValidationError


async def test_newest_first_with_cursor_paging(sandbox: Any) -> None:
    info = sandbox.info
    async with SkylightClient(info.api_url, ca_file=info.ca_file) as client:
        await client.login(info.realm, "dispatch", "dispatch-demo-pw")
        app = next(a.application_id for a in info.applications if a.name == "Field Inspection")
        session = await client.create_session(app, name="Timeline paging")
        for i in range(5):
            await client.create_session_event(app, session.session_id, "step", {"i": i})
        first = await client.list_session_events(app, session.session_id, limit=3, sort="-createdAt")
        assert [e.data for e in first.items] == [{"i": 4}, {"i": 3}, {"i": 2}]
        assert first.next_cursor is not None
        rest = await client.list_session_events(
            app, session.session_id, limit=3, sort="-createdAt", next_cursor=first.next_cursor
        )
        assert [e.data for e in rest.items] == [{"i": 1}, {"i": 0}, None]
        assert rest.items[-1].event_type == "session_created"
        with pytest.raises(ValidationError):
            await client.list_session_events(app, session.session_id, sort="-name")
