"""Applications, sessions, data, participants and events against the real sandbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from skydesk.api import Conflict, Forbidden, NotFound, Participant, SkylightClient

from .conftest import sign_in


def unique(prefix: str) -> str:
    """A name no other test uses (the sandbox is shared by the whole run)."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


async def test_login_exposes_identity_and_expiries(tech: SkylightClient, sandbox: Any) -> None:
    me = sandbox.info.users[0]
    assert tech.is_signed_in
    assert (tech.user_id, tech.realm, tech.username) == (me.id, sandbox.info.realm, "tech")
    now = datetime.now(UTC)
    assert tech.access_expires_at is not None and tech.access_expires_at > now
    assert tech.refresh_expires_at is not None and tech.refresh_expires_at > tech.access_expires_at
    token = await tech.access_token()
    assert token.count(".") == 2  # a JWT, as the MQTT broker expects


async def test_applications_and_roles(tech: SkylightClient, sandbox: Any, app_id: str) -> None:
    apps = {a.name: a for a in await tech.get_applications()}
    assert set(apps) == {a.name for a in sandbox.info.applications}
    field = apps["Field Inspection"]
    assert (field.published_version, field.draft_version) == (3, 4)
    assert (apps["Pump Maintenance"].published_version, apps["Pump Maintenance"].draft_version) == (1, -1)
    assert await tech.get_application(app_id) == field
    roles = {r.name: r for r in await tech.get_roles(app_id)}
    assert "session:read:any" in roles["dispatcher"].permissions
    assert any(p.type == "group" for p in roles["technician"].participants)


async def test_viewer_may_not_read_sessions(sandbox: Any, app_id: str) -> None:
    viewer = await sign_in(sandbox, "viewer")
    async with viewer:
        assert await viewer.get_roles(app_id)  # viewers may read the roles (CONTRACT §9)
        with pytest.raises(Forbidden) as err:
            await viewer.list_sessions(app_id)
    assert err.value.status == 403 and sandbox.info.api_url.split("//")[1] in err.value.message


async def test_session_lifecycle(tech: SkylightClient, app_id: str) -> None:
    name = unique("Pump check")
    created = await tech.create_session(app_id, name=name, description="d", properties={"site": "North"})
    assert created.name == name and created.status == "open" and created.version == 3  # published version
    assert Participant(tech.user_id or "") in created.participants  # auto-added, as the SDK promises
    assert await tech.get_session(app_id, created.session_id) == created

    sid = created.session_id
    renamed = await tech.update_session_name(app_id, sid, name + " (2)")
    assert renamed.name == name + " (2)" and renamed.modified_at >= created.modified_at
    assert (await tech.update_session_description(app_id, sid)).description == ""
    props = await tech.update_session_properties(app_id, sid, {"site": "South", "orderId": 42})  # type: ignore[dict-item]
    assert props.properties == {"site": "South", "orderId": "42"}  # sent as strings
    patched = await tech.patch_session(app_id, sid, {"name": name, "description": "both at once"})
    assert (patched.name, patched.description) == (name, "both at once")

    closed = await tech.close_session(app_id, sid)
    assert closed.status == "closed" and not closed.is_open
    with pytest.raises(Conflict):
        await tech.update_session_name(app_id, sid, "too late")
    with pytest.raises(Conflict):
        await tech.patch_session_data(app_id, sid, {"a": 1})
    assert sid not in {s.session_id for s in await tech.get_sessions(app_id)}


async def test_create_with_explicit_version_and_participants(
    tech: SkylightClient, sandbox: Any, app_id: str
) -> None:
    sam = sandbox.info.user("sam")
    created = await tech.create_session(
        app_id, name=unique("Draft run"), version=4, participants=[Participant(sam.id)]
    )
    assert created.version == 4
    assert {p.id for p in created.participants} == {sam.id, tech.user_id}


async def test_list_filters_sort_and_cursors(tech: SkylightClient, app_id: str) -> None:
    tag = uuid.uuid4().hex[:8]
    before = datetime.now(UTC) - timedelta(seconds=5)
    made = [
        await tech.create_session(app_id, name=f"{tag} {letter}", properties={"batch": tag, "kind": kind})
        for letter, kind in (("c", "pump"), ("a", "valve"), ("b", "pump"))
    ]
    await tech.close_session(app_id, made[2].session_id)

    page = await tech.list_sessions(app_id, name=tag.upper(), sort="name")  # name match ignores case
    assert [s.name[-1] for s in page.items] == ["a", "b", "c"]
    page = await tech.list_sessions(app_id, name=tag, sort="-name", status="open")
    assert [s.name[-1] for s in page.items] == ["c", "a"]
    page = await tech.list_sessions(app_id, properties={"batch": tag, "kind": ["pump", "gauge"]})
    assert {s.name[-1] for s in page.items} == {"c", "b"}
    page = await tech.list_sessions(
        app_id,
        name=tag,
        created_by=[tech.user_id or ""],
        created_from=before,
        participants=[tech.user_id or ""],
    )
    assert page.total == 3
    page = await tech.list_sessions(app_id, name=tag, created_to=before)
    assert page.items == []

    first = await tech.list_sessions(app_id, name=tag, sort="name", limit=2)
    assert (first.count, first.limit, first.total) == (2, 2, 3) and first.next_cursor
    second = await tech.list_sessions(app_id, name=tag, sort="name", limit=2, next_cursor=first.next_cursor)
    assert [s.name[-1] for s in second.items] == ["c"] and second.prev_cursor
    back = await tech.list_sessions(app_id, name=tag, sort="name", limit=2, prev_cursor=second.prev_cursor)
    assert [s.name[-1] for s in back.items] == ["a", "b"]


async def test_session_data_merge_patch(tech: SkylightClient, app_id: str) -> None:
    session = await tech.create_session(app_id, name=unique("Data"))
    sid = session.session_id
    assert await tech.get_session_data(app_id, sid) == {}
    first = await tech.patch_session_data(app_id, sid, {"steps": [1, 2], "meta": {"a": 1, "b": 2}})
    second = await tech.patch_session_data(
        app_id, sid, {"steps": [3], "meta": {"b": None, "c": 3}}, version=session.version
    )
    assert first and second and first != second
    assert await tech.get_session_data(app_id, sid) == {"steps": [3], "meta": {"a": 1, "c": 3}}


async def test_participants(tech: SkylightClient, sandbox: Any, app_id: str) -> None:
    session = await tech.create_session(app_id, name=unique("Crew"))
    sid = session.session_id
    sam = sandbox.info.user("sam").id
    group = next(p.id for r in await tech.get_roles(app_id) for p in r.participants if p.type == "group")
    await tech.add_participant(app_id, sid, sam)
    await tech.add_participant(app_id, sid, group, "group")
    got = {(p.id, p.type) for p in await tech.get_participants(app_id, sid)}
    assert got == {(tech.user_id, "user"), (sam, "user"), (group, "group")}
    await tech.remove_participant(app_id, sid, sam)
    assert sam not in {p.id for p in await tech.get_participants(app_id, sid)}
    with pytest.raises(NotFound):  # the reference's 404 for someone not in the session
        await tech.remove_participant(app_id, sid, sam)
    await tech.close_session(app_id, sid)
    with pytest.raises(Conflict):  # the reference's 409: a closed session cannot be modified
        await tech.add_participant(app_id, sid, sam)


async def test_events_timeline(tech: SkylightClient, app_id: str) -> None:
    session = await tech.create_session(app_id, name=unique("Timeline"))
    sid = session.session_id
    event_id = await tech.create_session_event(app_id, sid, "photo_taken", {"count": 2})
    await tech.patch_session_data(app_id, sid, {"x": 1})
    page = await tech.list_session_events(app_id, sid, limit=50)
    by_type = {e.event_type: e for e in page.items}
    assert {"session_created", "session_event_created", "session_data_updated"} <= set(by_type)
    custom = by_type["session_event_created"]
    assert custom.event_id == event_id and custom.data == {"count": 2}
    assert custom.user_id == tech.user_id and custom.timestamp is not None  # from our devicetimestamp
    created = by_type["session_created"]
    assert created.session is not None and created.session.session_id == sid


async def test_visibility_by_role(
    tech: SkylightClient, dispatch: SkylightClient, sandbox: Any, app_id: str
) -> None:
    session = await tech.create_session(app_id, name=unique("Private"))
    seen = await dispatch.get_session(app_id, session.session_id)  # session:read:any
    assert seen.session_id == session.session_id
    sam = await sign_in(sandbox, "sam")
    async with sam:
        with pytest.raises((NotFound, Forbidden)):
            await sam.get_session(app_id, session.session_id)


async def test_missing_session_is_not_found(tech: SkylightClient, app_id: str) -> None:
    with pytest.raises(NotFound) as err:
        await tech.get_session(app_id, str(uuid.uuid4()))
    assert err.value.status == 404 and tech.host in err.value.message
