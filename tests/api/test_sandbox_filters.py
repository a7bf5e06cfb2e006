"""Every list filter reaches the real sandbox: each one, added alone, changes what the server returns.

A filter the client dropped would return the unfiltered list, so each expectation below differs
from the unfiltered one.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from skydesk.api import Participant, SkylightClient


async def _moment() -> datetime:
    """A time strictly between the server timestamps written before and after it."""
    await asyncio.sleep(0.05)
    now = datetime.now(UTC)
    await asyncio.sleep(0.05)
    return now


async def test_every_session_filter_reaches_the_server(
    tech: SkylightClient, dispatch: SkylightClient, sandbox: Any, app_id: str
) -> None:
    tag = uuid.uuid4().hex[:10]
    sam = sandbox.info.user("sam").id
    s1 = await tech.create_session(app_id, name=f"{tag} one", properties={"kind": "pump"})
    mid = await _moment()
    s2 = await dispatch.create_session(
        app_id, name=f"{tag} two", properties={"kind": "valve"}, participants=[Participant(sam)]
    )
    s3 = await tech.create_session(app_id, name=f"{tag} three", properties={"kind": "pump"})
    changed = await _moment()
    await dispatch.close_session(app_id, s3.session_id)
    one, two, three = s1.session_id, s2.session_id, s3.session_id

    async def ids(**filters: Any) -> list[str]:
        page = await dispatch.list_sessions(app_id, name=tag, **filters)
        return [s.session_id for s in page.items]

    assert await ids() == [one, two, three]  # creation order; every filter below narrows this
    assert await ids(status="closed") == [three]
    assert await ids(status="open") == [one, two]
    assert await ids(participants=[sam]) == [two]
    assert await ids(properties={"kind": "valve"}) == [two]
    assert await ids(properties={"kind": ["valve", "gauge"]}) == [two]
    assert await ids(created_by=[tech.user_id or ""]) == [one, three]
    assert await ids(modified_by=[dispatch.user_id or ""]) == [two, three]
    assert await ids(created_from=mid) == [two, three]
    assert await ids(created_to=mid) == [one]
    assert await ids(modified_from=changed) == [three]
    assert await ids(modified_to=changed) == [one, two]
    assert await ids(sort="-createdAt") == [three, two, one]
    assert await ids(sort="name") == [one, three, two]
    limited = await dispatch.list_sessions(app_id, name=tag, limit=1)
    assert [s.session_id for s in limited.items] == [one] and limited.total == 3 and limited.next_cursor
    page = await dispatch.list_sessions(app_id, name=f"{tag} T")  # the name filter ignores case
    assert [s.session_id for s in page.items] == [two, three]


async def test_every_media_filter_reaches_the_server(
    tech: SkylightClient, dispatch: SkylightClient, app_id: str
) -> None:
    sid = (await tech.create_session(app_id, name=f"Media filters {uuid.uuid4().hex[:8]}")).session_id

    async def add(client: SkylightClient, name: str, ctype: str, labels: list[str]) -> str:
        media = await client.create_session_media(
            app_id,
            sid,
            filename=name,
            content_type=ctype,
            total_bytes=1,
            labels=labels,
            properties={"n": name},
        )
        return media.media_id

    a = await add(tech, "a.jpg", "image/jpeg", ["x"])
    mid = await _moment()
    b = await add(dispatch, "b.png", "image/png", ["y"])
    c = await add(tech, "c.txt", "text/plain", ["x", "y"])
    changed = await _moment()
    await dispatch.update_session_media(app_id, sid, c, title="checked")

    async def ids(**filters: Any) -> list[str]:
        page = await tech.list_session_media(app_id, sid, **filters)
        return [m.media_id for m in page.items]

    assert await ids() == [a, b, c]
    assert await ids(content_type=["image/png", "application/pdf"]) == [b]
    assert await ids(labels=["x"]) == [a, c]
    assert await ids(exclude_labels=["y"]) == [a]
    assert await ids(properties={"n": "b.png"}) == [b]
    assert await ids(created_by=[dispatch.user_id or ""]) == [b]
    assert await ids(modified_by=[dispatch.user_id or ""]) == [b, c]
    assert await ids(created_from=mid) == [b, c]
    assert await ids(created_to=mid) == [a]
    assert await ids(modified_from=changed) == [c]
    assert await ids(modified_to=changed) == [a, b]
    assert await ids(sort="-filename") == [c, b, a]

    first = await tech.list_session_media(app_id, sid, limit=2)
    assert [m.media_id for m in first.items] == [a, b] and first.total == 3 and first.next_cursor
    second = await tech.list_session_media(app_id, sid, limit=2, next_cursor=first.next_cursor)
    assert [m.media_id for m in second.items] == [c] and second.prev_cursor
    back = await tech.list_session_media(app_id, sid, limit=2, prev_cursor=second.prev_cursor)
    assert [m.media_id for m in back.items] == [a, b]


async def test_session_timeline_pages_with_cursors(tech: SkylightClient, app_id: str) -> None:
    sid = (await tech.create_session(app_id, name=f"Timeline pages {uuid.uuid4().hex[:8]}")).session_id
    made = [await tech.create_session_event(app_id, sid, "step", {"n": n}) for n in range(3)]
    everything = await tech.list_session_events(app_id, sid)
    ids = [e.event_id for e in everything.items]
    assert ids[0] != made[0] and ids[-3:] == made  # session_created comes first
    first = await tech.list_session_events(app_id, sid, limit=3)
    assert [e.event_id for e in first.items] == ids[:3] and first.next_cursor
    second = await tech.list_session_events(app_id, sid, limit=3, next_cursor=first.next_cursor)
    assert [e.event_id for e in second.items] == ids[3:] and second.prev_cursor
    back = await tech.list_session_events(app_id, sid, limit=3, prev_cursor=second.prev_cursor)
    assert [e.event_id for e in back.items] == ids[:3]
