"""Applications and roles of the sandbox domain, and the per-session access rules built on them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from . import service_base as perm
from .errors import Forbidden, NotFound
from .filters import APPLICATION_SORTS, application_list_query
from .info import DemoApplication
from .paging import page_request, paginate
from .service_base import Actor, ServiceBase
from .store import application_json


class ApplicationOps(ServiceBase):
    """Reading applications and roles, and deciding who may read or change a session."""

    def list_applications(self, actor: Actor, params: Mapping[str, str]) -> dict[str, Any]:
        """The applications the actor has ``application:read`` in, one page of them."""
        request = page_request(params, APPLICATION_SORTS)
        readable = [a.application_id for a in self.applications_of(actor)]
        with self.store.read() as conn:
            rows, page = paginate(conn, application_list_query(readable), request)
        return {"data": [application_json(r) for r in rows], "page": page}

    def applications_of(self, actor: Actor) -> list[DemoApplication]:
        """Every application the actor may read (ids and names), in creation order."""
        with self.store.read() as conn:
            rows = conn.execute("SELECT id, name FROM applications ORDER BY seq").fetchall()
        return [
            DemoApplication(r["id"], r["name"])
            for r in rows
            if perm.APPLICATION_READ in self.permissions(actor, r["id"])
        ]

    def get_application(self, actor: Actor, application_id: str) -> dict[str, Any]:
        """One application the actor may read."""
        self._require_application(actor, application_id)
        with self.store.read() as conn:
            row = conn.execute("SELECT * FROM applications WHERE id = ?", (application_id,)).fetchone()
        return application_json(row)

    def list_roles(self, actor: Actor, application_id: str) -> list[dict[str, Any]]:
        """The application's roles with their permissions and participants (needs ``role:read``)."""
        perms = self._require_application(actor, application_id)
        if perm.ROLE_READ not in perms:
            raise Forbidden("You do not have role:read on this application")
        with self.store.read() as conn:
            roles = conn.execute(
                "SELECT * FROM roles WHERE application_id = ? ORDER BY name", (application_id,)
            ).fetchall()
            members = conn.execute(
                "SELECT role_name, participant_id, participant_type FROM role_members "
                "WHERE application_id = ? ORDER BY participant_type DESC, participant_id",
                (application_id,),
            ).fetchall()
        return [
            {
                "name": r["name"],
                "description": r["description"],
                "permissions": json.loads(r["permissions"]),
                "participants": [
                    {"id": m["participant_id"], "type": m["participant_type"]}
                    for m in members
                    if m["role_name"] == r["name"]
                ],
                "createdBy": r["created_by"],
                "createdAt": r["created_at"],
                "modifiedBy": r["modified_by"],
                "modifiedAt": r["modified_at"],
            }
            for r in roles
        ]

    # ------------------------------------------------------------------ session access rules
    @staticmethod
    def is_participant(actor: Actor, participants: list[dict[str, Any]]) -> bool:
        """Whether the actor takes part as a user participant or through a group participant."""
        mine = set(actor.identities)
        return any(p["id"] in mine for p in participants)

    @staticmethod
    def read_scope(actor: Actor, perms: set[str]) -> tuple[str, ...] | None:
        """Participant ids that limit what the actor sees (None = everything); 403 with no read right."""
        if perm.SESSION_READ_ANY in perms:
            return None
        if perm.SESSION_READ_PARTICIPANT in perms:
            return actor.identities
        raise Forbidden("You do not have permission to read sessions in this application")

    def _session_row(
        self, conn: sqlite3.Connection, actor: Actor, application_id: str, session_id: str
    ) -> tuple[sqlite3.Row, set[str]]:
        """A session the actor may read, with their permissions; 404 when unknown or not visible."""
        perms = self._require_application(actor, application_id)
        scope = self.read_scope(actor, perms)
        row = conn.execute(
            "SELECT * FROM sessions WHERE id = ? AND application_id = ?", (session_id, application_id)
        ).fetchone()
        # A session the actor may not see answers like an unknown one, so ids do not leak.
        if row is None or (
            scope is not None and not self.is_participant(actor, json.loads(row["participants"]))
        ):
            raise NotFound(f"Session {session_id} not found")
        return row, perms

    def _check_update(self, actor: Actor, perms: set[str], row: sqlite3.Row) -> None:
        """403 unless the actor may change this session."""
        if perm.SESSION_UPDATE_ANY in perms:
            return
        if perm.SESSION_UPDATE_PARTICIPANT in perms and self.is_participant(
            actor, json.loads(row["participants"])
        ):
            return
        raise Forbidden("You do not have permission to change this session")
