"""Helpers for the people and permissions tests: the directory and rights of an AppServices."""

from __future__ import annotations

import json
from typing import Any

from skydesk.models.operations import Operations
from skydesk.models.people import PeopleDirectory
from skydesk.models.permissions import Permissions


def ops_of(services: Any) -> Operations:
    """The services' operation layer."""
    ops: Operations = services.ops
    return ops


def people_of(services: Any, **options: Any) -> PeopleDirectory:
    """The services' people directory (``ttl``/``clock`` options make a separate one with them)."""
    if not options:
        people: PeopleDirectory = services.people
        return people
    return PeopleDirectory(services.auth, ops_of(services), services.settings, parent=services, **options)


def permissions_of(services: Any) -> Permissions:
    """The rights of the signed-in user."""
    permissions: Permissions = services.permissions
    return permissions


def app_id_of(sandbox: Any, name: str = "Field Inspection") -> str:
    """The id of a seeded application."""
    return next(a.application_id for a in sandbox.info.applications if a.name == name)


def revoke_role(sandbox: Any, app_id: str, role: str, participant_id: str) -> None:
    """Take a role away from a user or group on the server, as an administrator would meanwhile."""
    with sandbox.service.store.tx() as conn:
        conn.execute(
            "DELETE FROM role_members WHERE application_id = ? AND role_name = ? AND participant_id = ?",
            (app_id, role, participant_id),
        )


def drop_permission(sandbox: Any, app_id: str, role: str, permission: str) -> None:
    """Remove one permission from a role on the server."""
    with sandbox.service.store.tx() as conn:
        row = conn.execute(
            "SELECT permissions FROM roles WHERE application_id = ? AND name = ?", (app_id, role)
        ).fetchone()
        kept = [p for p in json.loads(row["permissions"]) if p != permission]
        conn.execute(
            "UPDATE roles SET permissions = ? WHERE application_id = ? AND name = ?",
            (json.dumps(kept), app_id, role),
        )
