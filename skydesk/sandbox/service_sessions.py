"""Sessions and their participants: list, create, read, patch, close; every change becomes an event."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping
from typing import Any

from . import service_base as perm
from .errors import Conflict, Forbidden, NotFound
from .filters import SESSION_SORTS, session_list_query
from .paging import page_request, paginate
from .service_apps import ApplicationOps
from .service_base import Actor, ChangeSet, Device
from .store import now_iso, prop_text, session_json
from .validation import participant_body, session_create_body, session_patch_body

# Fields whose change is announced as session_updated (properties and closing have their own events).
_UPDATED_FIELDS = ("name", "description", "participants", "version", "status")


class SessionOps(ApplicationOps):
    """Session operations, each checking permissions and recording its events."""

    def list_sessions(self, actor: Actor, application_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        """One page of the sessions the actor may see, filtered and sorted as the query asks."""
        perms = self._require_application(actor, application_id)
        scope = self.read_scope(actor, perms)
        request = page_request(params, SESSION_SORTS)
        query = session_list_query(application_id, params, scope)
        # Beyond the application's own index, a filter (or a participant scope) makes SQLite test and count
        # every session on each page; the filtered order is computed once and paged through instead.
        orders = self.store.orders if len(query.where) > 1 else None
        with self.store.read() as conn:
            rows, page = paginate(conn, query, request, orders)
        return {"data": [session_json(r) for r in rows], "page": page}

    def get_session(self, actor: Actor, application_id: str, session_id: str) -> dict[str, Any]:
        """One session the actor may see."""
        with self.store.read() as conn:
            row, _ = self._session_row(conn, actor, application_id, session_id)
        return session_json(row)

    def create_session(
        self, actor: Actor, application_id: str, body: Any, device: Device | None = None
    ) -> dict[str, Any]:
        """Create a session (the creator joins as a participant) and announce session_created."""
        perms = self._require_application(actor, application_id)
        if perm.SESSION_CREATE not in perms:
            raise Forbidden("You do not have session:create in this application")
        fields = session_create_body(body, lenient=self.lenient)
        participants = fields["participants"]
        if all(p["id"] != actor.user_id for p in participants):
            participants.append({"id": actor.user_id, "type": "user", "isGuest": False})
        with self._change() as change:
            app = change.conn.execute(
                "SELECT published_version, draft_version FROM applications WHERE id = ?", (application_id,)
            ).fetchone()
            version = fields["version"] or _default_version(app)
            now = now_iso()
            cur = change.conn.execute(
                "INSERT INTO sessions (id, application_id, version, name, name_folded, description, status, "
                "is_draft, properties, participants, created_by, created_at, modified_by, modified_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    str(uuid.uuid4()), application_id, version, fields["name"], fields["name"].casefold(),
                    fields["description"], fields["status"], int(version > app["published_version"]),
                    json.dumps(fields["properties"]), json.dumps(participants),
                    actor.user_id, now, actor.user_id, now,
                ),
            )  # fmt: skip
            seq = int(cur.lastrowid or 0)
            _index_participants(change.conn, seq, participants)
            _index_properties(change.conn, seq, fields["properties"])
            change.conn.execute("INSERT INTO session_data (session_seq, data) VALUES (?, '{}')", (seq,))
            session = session_json(
                change.conn.execute("SELECT * FROM sessions WHERE seq = ?", (seq,)).fetchone()
            )
            self._record_event(
                change,
                session_seq=seq,
                session=session,
                event_type="session_created",
                actor=actor,
                device=device,
                recipients=self.recipients(change.conn, participants),
            )
        return session

    def patch_session(
        self, actor: Actor, application_id: str, session_id: str, body: Any, device: Device | None = None
    ) -> dict[str, Any]:
        """Apply a partial update (properties are replaced whole); 409 when the session is closed."""
        with self._change() as change:
            row = self._row_for_update(change, actor, application_id, session_id)
            patch = session_patch_body(body)
            old = session_json(row)
            changed = {k: v for k, v in patch.items() if old[k] != v}
            if not changed:
                return old
            self._write_session(change, row, changed, actor)
            new = session_json(
                change.conn.execute("SELECT * FROM sessions WHERE seq = ?", (row["seq"],)).fetchone()
            )
            recipients = self.recipients(change.conn, old["participants"] + new["participants"])
            kinds = []
            if any(k in changed for k in _UPDATED_FIELDS if k != "status") or changed.get("status") == "open":
                kinds.append("session_updated")
            if "properties" in changed:
                kinds.append("session_properties_updated")
            if changed.get("status") == "closed":
                kinds.append("session_closed")
            for kind in kinds:
                self._record_event(
                    change,
                    session_seq=row["seq"],
                    session=new,
                    event_type=kind,
                    actor=actor,
                    device=device,
                    recipients=recipients,
                )
        return new

    def close_session(
        self, actor: Actor, application_id: str, session_id: str, device: Device | None = None
    ) -> dict[str, Any]:
        """Close a session (a patch of its status)."""
        return self.patch_session(actor, application_id, session_id, {"status": "closed"}, device)

    # ------------------------------------------------------------------ participants
    def list_participants(self, actor: Actor, application_id: str, session_id: str) -> list[dict[str, Any]]:
        """The session's participants."""
        return list(self.get_session(actor, application_id, session_id)["participants"])

    def add_participant(
        self, actor: Actor, application_id: str, session_id: str, body: Any, device: Device | None = None
    ) -> None:
        """Add (or update the type/guest flag of) a participant; announced as session_updated."""
        with self._change() as change:
            row = self._row_for_update(change, actor, application_id, session_id)
            new = participant_body(body, lenient=self.lenient)
            current = json.loads(row["participants"])
            if new in current:
                return
            updated = [p for p in current if p["id"] != new["id"]] + [new]
            self._update_with_event(change, row, {"participants": updated}, actor, device, current)

    def remove_participant(
        self,
        actor: Actor,
        application_id: str,
        session_id: str,
        participant_id: str,
        device: Device | None = None,
    ) -> None:
        """Remove a participant (404 if absent); the removed user still receives this event."""
        with self._change() as change:
            row = self._row_for_update(change, actor, application_id, session_id)
            current = json.loads(row["participants"])
            remaining = [p for p in current if p["id"] != participant_id]
            if len(remaining) == len(current):
                raise NotFound(f"Participant {participant_id} is not in session {session_id}")
            self._update_with_event(change, row, {"participants": remaining}, actor, device, current)

    # ------------------------------------------------------------------ helpers
    def _row_for_update(
        self, change: ChangeSet, actor: Actor, application_id: str, session_id: str
    ) -> sqlite3.Row:
        row, perms = self._session_row(change.conn, actor, application_id, session_id)
        self._check_update(actor, perms, row)
        if row["status"] == "closed":
            raise Conflict(f"Session {session_id} is closed")
        return row

    def _update_with_event(
        self,
        change: ChangeSet,
        row: sqlite3.Row,
        changed: dict[str, Any],
        actor: Actor,
        device: Device | None,
        before: list[dict[str, Any]],
    ) -> dict[str, Any]:
        self._write_session(change, row, changed, actor)
        new = session_json(
            change.conn.execute("SELECT * FROM sessions WHERE seq = ?", (row["seq"],)).fetchone()
        )
        self._record_event(
            change,
            session_seq=row["seq"],
            session=new,
            event_type="session_updated",
            actor=actor,
            device=device,
            recipients=self.recipients(change.conn, before + new["participants"]),
        )
        return new

    def _write_session(
        self, change: ChangeSet, row: sqlite3.Row, changed: dict[str, Any], actor: Actor
    ) -> None:
        """Store changed fields, keep the lookup tables in step, and stamp modifiedBy/At."""
        conn, seq = change.conn, row["seq"]
        sets: dict[str, Any] = {"modified_by": actor.user_id, "modified_at": now_iso()}
        if "name" in changed:
            sets.update(name=changed["name"], name_folded=changed["name"].casefold())
        if "description" in changed:
            sets["description"] = changed["description"]
        if "status" in changed:
            sets["status"] = changed["status"]
        if "version" in changed:
            published = conn.execute(
                "SELECT published_version FROM applications WHERE id = ?", (row["application_id"],)
            ).fetchone()[0]
            sets.update(version=changed["version"], is_draft=int(changed["version"] > published))
        if "participants" in changed:
            sets["participants"] = json.dumps(changed["participants"])
            conn.execute("DELETE FROM session_participants WHERE session_seq = ?", (seq,))
            _index_participants(conn, seq, changed["participants"])
        if "properties" in changed:
            sets["properties"] = json.dumps(changed["properties"])
            conn.execute("DELETE FROM session_properties WHERE session_seq = ?", (seq,))
            _index_properties(conn, seq, changed["properties"])
        assignments = ", ".join(f"{column} = ?" for column in sets)
        conn.execute(f"UPDATE sessions SET {assignments} WHERE seq = ?", [*sets.values(), seq])  # noqa: S608


def _default_version(app: sqlite3.Row) -> int:
    """The SDK's rule: the latest published version, else the latest draft, else 1."""
    if app["published_version"] > 0:
        return int(app["published_version"])
    if app["draft_version"] > 0:
        return int(app["draft_version"])
    return 1


def _index_participants(conn: sqlite3.Connection, seq: int, participants: list[dict[str, Any]]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO session_participants (session_seq, participant_id, type) VALUES (?, ?, ?)",
        [(seq, p["id"], p["type"]) for p in participants],
    )


def _index_properties(conn: sqlite3.Connection, seq: int, props: dict[str, Any]) -> None:
    conn.executemany(
        "INSERT INTO session_properties (session_seq, key, value) VALUES (?, ?, ?)",
        [(seq, k, prop_text(v)) for k, v in props.items()],
    )
