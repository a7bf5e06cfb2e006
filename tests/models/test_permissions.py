"""The signed-in user's rights from the application's roles, against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from skydesk.models.problems import CREATING_SESSION
from skydesk.sandbox.seed import FIELD_TEAM_ID
from tests.models.helpers import sign_in
from tests.models.people import app_id_of, drop_permission, ops_of, permissions_of, revoke_role
from tests.support.qt import SignalRecorder, wait_until


async def rights_for(services: Any, permissions: Any, app: str) -> Any:
    changed = SignalRecorder(permissions.changed)
    permissions.set_application(app, "Field Inspection")
    await wait_until(
        lambda: (
            (permissions.rights is not None and permissions.rights.known) or len(changed.args("changed")) > 1
        ),
        within=20,
        what="rights read",
    )
    return permissions.rights


@pytest.fixture
def fresh_rights(make_sandbox: Any, make_services: Any, profile_of: Any) -> Any:
    """``await fresh_rights(user)``: a sandbox of the test's own (it changes roles), ``user`` signed in and
    Field Inspection's rights read; returns (sandbox, app id, services, permissions)."""

    async def build(user: str) -> tuple[Any, str, Any, Any]:
        sandbox = make_sandbox(seed=0)
        app = app_id_of(sandbox)
        services = make_services()
        permissions = permissions_of(services)
        await sign_in(services, profile_of(sandbox), user)
        await rights_for(services, permissions, app)
        return sandbox, app, services, permissions

    return build


def session_with(sandbox: Any, app: str, creator: str, participants: list[dict[str, Any]]) -> Any:
    from skydesk.api import Session

    actor = sandbox.service.actor_by_username(creator)
    return Session.from_json(
        sandbox.service.create_session(
            actor, app, {"name": "rights", "participants": participants, "version": 1}
        )
    )


@pytest.fixture
def refused(sandbox: Any) -> Any:
    yield sandbox.service.refuse_directory
    sandbox.service.refuse_directory(None)


async def test_technician_rights_come_from_own_and_group_roles(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    services = make_services()
    permissions = permissions_of(services)
    await sign_in(services, profile_of(sandbox))
    app = app_id_of(sandbox)
    rights = await rights_for(services, permissions, app)
    assert rights.known and rights.my_roles == {"technician"}
    assert FIELD_TEAM_ID in rights.identities
    assert permissions.verdict("create_session").allowed
    others = session_with(sandbox, app, "dispatch", [])
    through_group = session_with(sandbox, app, "dispatch", [{"id": FIELD_TEAM_ID, "type": "group"}])
    verdict = permissions.verdict("edit_session", others)
    assert not verdict.allowed
    assert verdict.reason == (
        "Your role in Field Inspection allows changing sessions only in sessions you take part in"
    )
    assert permissions.may("add_participant", through_group)
    assert permissions.may("upload_media", others)  # media:write needs only a visible session


async def test_viewer_may_not_create_sessions_and_is_told_why(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    services = make_services()
    permissions = permissions_of(services)
    await sign_in(services, profile_of(sandbox), "viewer")
    await rights_for(services, permissions, app_id_of(sandbox))
    verdict = permissions.verdict("create_session")
    assert not verdict and verdict.reason == "Your role in Field Inspection does not allow creating sessions"
    assert (
        permissions.verdict("upload_media").reason
        == "Your role in Field Inspection does not allow uploading media"
    )


async def test_without_role_read_the_app_falls_back_to_trying(
    make_sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    sandbox = make_sandbox(seed=0)
    app = app_id_of(sandbox)
    drop_permission(sandbox, app, "viewer", "role:read")
    services = make_services()
    permissions = permissions_of(services)
    problems = SignalRecorder(ops_of(services).problem_raised)
    await sign_in(services, profile_of(sandbox), "viewer")
    changed = SignalRecorder(permissions.changed)
    permissions.set_application(app, "Field Inspection")
    await changed.wait("changed", count=2, within=20)  # unknown at once, then "could not be read"
    assert permissions.rights is not None and not permissions.rights.known
    assert permissions.verdict("create_session").allowed  # the server will decide
    assert problems.args("problem_raised") == []


async def test_refused_directory_leaves_group_roles_possible(
    sandbox: Any, make_services: Any, profile_of: Any, refused: Any
) -> None:
    refused(404)
    services = make_services()
    permissions = permissions_of(services)
    await sign_in(services, profile_of(sandbox))
    app = app_id_of(sandbox)
    rights = await rights_for(services, permissions, app)
    assert rights.known and rights.unsure_groups == {FIELD_TEAM_ID}
    team_session = session_with(sandbox, app, "dispatch", [{"id": FIELD_TEAM_ID, "type": "group"}])
    assert permissions.may("edit_session", team_session)  # perhaps a member: try


async def create(services: Any, app: str) -> Any:
    failed = SignalRecorder(ops_of(services).problem_raised)
    ops_of(services).write(
        "create", lambda c: c.create_session(app, name="after revoke"), doing=CREATING_SESSION, scope="create"
    )
    problem = (await failed.wait("problem_raised", within=20))[0]
    assert problem.kind == "forbidden"
    return problem


async def test_a_role_changed_meanwhile_the_next_403_reloads_the_rights(fresh_rights: Any) -> None:
    sandbox, app, services, permissions = await fresh_rights("tech")
    assert permissions.may("create_session")
    drop_permission(sandbox, app, "technician", "session:create")
    problem = await create(services, app)
    assert problem.message == (
        "The session was not created: your role in Field Inspection no longer allows creating sessions."
    )
    assert not permissions.may("create_session"), "off at once, before the rights are read again"
    await wait_until(
        lambda: (
            permissions.verdict("create_session").reason
            == "Your role in Field Inspection does not allow creating sessions"
        ),
        within=20,
        what="rights reloaded",
    )
    assert permissions.rights.known and not permissions.may("create_session")


async def test_every_role_removed_the_403_disables_the_action(fresh_rights: Any) -> None:
    sandbox, app, services, permissions = await fresh_rights("dispatch")
    revoke_role(sandbox, app, "dispatcher", sandbox.info.user("dispatch").id)
    await create(services, app)
    # The roles cannot be read any more (no application:read): what the server refused stays refused.
    await wait_until(lambda: permissions.rights and not permissions.rights.known, within=20)
    verdict = permissions.verdict("create_session")
    assert (
        not verdict and verdict.reason == "Your role in Field Inspection no longer allows creating sessions"
    )
    assert permissions.may("edit_session")  # not refused yet: still tried


async def test_a_refused_write_disables_its_action_at_once_not_after_the_reload(fresh_rights: Any) -> None:
    sandbox, app, _services, permissions = await fresh_rights("tech")
    assert permissions.may("upload_media")
    drop_permission(sandbox, app, "technician", "media:write")
    permissions.note_forbidden("upload_media")  # what a refused upload reports
    # Before the roles are read again, the action is already off, with the reason: a second click would
    # only be refused again.
    verdict = permissions.verdict("upload_media")
    assert not verdict and verdict.reason == "Your role in Field Inspection no longer allows uploading media"
    changed = SignalRecorder(permissions.changed)
    await changed.wait("changed", within=20)  # the roles were read again
    verdict = permissions.verdict("upload_media")
    assert not verdict and verdict.reason == "Your role in Field Inspection does not allow uploading media"
