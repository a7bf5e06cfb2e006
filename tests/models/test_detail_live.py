"""Detail controller and live refresh against the real sandbox: edits, rollback, re-auth, MQTT updates."""

from __future__ import annotations

import asyncio
from typing import Any

from skydesk.api import Participant, SkylightClient
from tests.models.helpers import open_app, sign_in
from tests.support.qt import SignalRecorder, wait_until


async def _client(sb: Any, user: str) -> SkylightClient:
    client = SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file)
    await client.login(sb.info.realm, user, f"{user}-demo-pw")
    return client


async def test_create_edit_participants_close_and_409_rollback(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    svc = make_services()
    await sign_in(svc, profile_of(sandbox))
    app = await open_app(svc, "Field Inspection")
    detail = svc.detail
    rec = SignalRecorder(detail.session_created, detail.session_loaded, detail.saved, detail.save_failed)
    detail.create_session(app, "Valve check H5a", "first", 3, [], {"site": "North Yard"})
    created = (await rec.wait("session_created", within=20))[0]
    assert created.name == "Valve check H5a" and created.properties == {"site": "North Yard"}
    assert svc.browser.model.row_of(created.session_id) >= 0  # shown in the list at once

    detail.show(app, created.session_id)
    await wait_until(lambda: detail.session is not None, what="detail loaded")
    detail.save({"name": "Valve check H5a (renamed)"})
    await rec.wait("saved")
    assert rec.args("saved") == [(["name"],)] and detail.session.name == "Valve check H5a (renamed)"
    assert svc.browser.model.sessions()[svc.browser.model.row_of(created.session_id)].name.endswith(
        "(renamed)"
    )

    sam = sandbox.info.user("sam").id
    detail.add_participant(sam, "user", False)
    await rec.wait("saved", count=2)
    await wait_until(lambda: detail.participants_model.row_of(sam) >= 0, 20, what="sam added")
    detail.remove_participant(sam)
    await rec.wait("saved", count=3)
    await wait_until(lambda: detail.participants_model.row_of(sam) == -1, 20, what="sam removed")

    detail.close_session()
    await rec.wait("saved", count=4)
    assert detail.session.status == "closed"

    good = detail.session
    rec.clear()
    problems = SignalRecorder(svc.ops.problem_raised)
    detail.save({"description": "too late"})
    fields, problem = await rec.wait("save_failed", within=20)
    assert fields == ["description"] and problem.kind == "closed"
    assert (
        problem.message
        == "The changes were not saved: the session is closed, so it can no longer be changed."
    )
    assert (problem.scope, problem.field) == ("detail", "description")  # shown next to the field
    assert problems.args("problem_raised") == [(problem,)]  # handed to the presenter, once
    assert rec.args("session_loaded")[0] == (good,)  # rolled back to the last good state
    assert "description" not in detail.pending_edits
    check = await _client(sandbox, "dispatch")
    try:
        server = await check.get_session(app, created.session_id)
    finally:
        await check.aclose()
    assert server.description == "first" and server.status == "closed"


async def test_other_users_change_updates_list_detail_and_participants(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    svc = make_services()
    await sign_in(svc, profile_of(sandbox))
    await wait_until(lambda: svc.bridge.state == "connected", within=20, what="live events connected")
    app = await open_app(svc, "Pump Maintenance")
    model = svc.browser.model
    tech = sandbox.info.user("tech").id
    dispatch = await _client(sandbox, "dispatch")
    try:
        # A session created by someone else, with me in it, appears without any action.
        created = await dispatch.create_session(
            app, name="Dispatched job", participants=[Participant(tech)], properties={"site": "Depot 14"}
        )
        await wait_until(lambda: model.row_of(created.session_id) >= 0, within=20, what="new row")
        assert model.total == len(model.sessions())

        svc.detail.show(app, created.session_id)
        await wait_until(lambda: svc.detail.session is not None, what="detail")

        sam = sandbox.info.user("sam").id
        await dispatch.update_session_name(app, created.session_id, "Dispatched job, urgent")
        await dispatch.add_participant(app, created.session_id, sam)
        await dispatch.patch_session_data(app, created.session_id, {"pump": {"pressure": 4.2}})

        row = lambda: model.sessions()[model.row_of(created.session_id)]  # noqa: E731
        await wait_until(lambda: row().name == "Dispatched job, urgent", within=20, what="row renamed")
        await wait_until(lambda: svc.detail.participants_model.row_of(sam) >= 0, within=20, what="sam")
        await wait_until(lambda: svc.detail.data.get("pump") == {"pressure": 4.2}, within=20, what="data")
        assert svc.detail.session.name == "Dispatched job, urgent"
        assert any(p.id == sam for p in row().participants)

        # Closed by someone else: the status changes in the list and in the detail.
        await dispatch.close_session(app, created.session_id)
        await wait_until(lambda: row().status == "closed", within=20, what="closed status")
        assert svc.detail.session.status == "closed"
    finally:
        await dispatch.aclose()


async def test_refresh_token_expiry_mid_edit_keeps_and_reapplies_the_edit(
    make_sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    sb = make_sandbox(seed=5, token_ttl=2, refresh_ttl=4)
    svc = make_services()
    await sign_in(svc, profile_of(sb))
    app = await open_app(svc, "Field Inspection")
    detail = svc.detail
    rec = SignalRecorder(detail.session_created, detail.saved, detail.save_failed)
    auth = SignalRecorder(svc.auth.reauth_required, svc.auth.sign_in_failed)
    detail.create_session(app, "Before expiry", "", 3, [], {})
    created = (await rec.wait("session_created", within=20))[0]
    detail.show(app, created.session_id)
    await wait_until(lambda: detail.session is not None, what="detail")

    await asyncio.sleep(5)  # both tokens are dead now
    detail.save({"name": "Typed while the session expired"})
    svc.browser.refresh()  # a read needing sign-in at the same time: still one prompt
    message = (await auth.wait("reauth_required", within=20))[0]
    assert "expired" in message and "tech" in message
    assert detail.pending_edits == {"name": "Typed while the session expired"}
    assert rec.args("saved") == [] and rec.args("save_failed") == []

    svc.auth.reauthenticate("wrong password")
    assert (await auth.wait("sign_in_failed", within=20))[0].startswith("Wrong username or password")
    assert detail.pending_edits  # still kept

    assert len(auth.args("reauth_required")) == 1
    svc.auth.reauthenticate("tech-demo-pw")
    await rec.wait("saved", within=20)
    assert detail.pending_edits == {} and detail.session.name == "Typed while the session expired"
    check = await _client(sb, "dispatch")
    try:
        assert (await check.get_session(app, created.session_id)).name == "Typed while the session expired"
    finally:
        await check.aclose()


async def test_one_save_of_three_fields_is_one_patch(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    svc = make_services()
    await sign_in(svc, profile_of(sandbox))
    app = await open_app(svc, "Field Inspection")
    detail = svc.detail
    rec = SignalRecorder(detail.session_created, detail.saved)
    detail.create_session(app, "Three fields", "old", 3, [], {"site": "North"})
    created = (await rec.wait("session_created", within=20))[0]
    detail.show(app, created.session_id)
    await wait_until(lambda: detail.session is not None, what="detail")

    detail.save({"name": "Three fields, saved", "description": "new", "properties": {"site": "South"}})
    assert (await rec.wait("saved", within=20))[0] == ["name", "description", "properties"]
    check = await _client(sandbox, "dispatch")
    try:
        events = (await check.list_session_events(app, created.session_id, limit=100)).items
        server = await check.get_session(app, created.session_id)
    finally:
        await check.aclose()
    kinds = [e.event_type for e in events]
    # One PATCH: one session_updated (name and description together) and one properties event.
    assert kinds.count("session_updated") == 1 and kinds.count("session_properties_updated") == 1
    assert (server.name, server.description, server.properties) == (
        "Three fields, saved",
        "new",
        {"site": "South"},
    )
