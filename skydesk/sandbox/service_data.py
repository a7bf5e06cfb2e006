"""Session data (JSON merge patch) and the session timeline with custom events."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .filters import EVENT_SORTS, event_list_query
from .paging import page_request, paginate
from .service_base import Actor, Device
from .service_sessions import SessionOps
from .store import now_iso, session_json
from .validation import custom_event_body, data_patch_body, merge_patch


class DataOps(SessionOps):
    """Reading and patching session data; listing the timeline and adding custom events."""

    def get_session_data(self, actor: Actor, application_id: str, session_id: str) -> dict[str, Any]:
        """The session's current data object."""
        with self.store.read() as conn:
            row, _ = self._session_row(conn, actor, application_id, session_id)
            data = conn.execute(
                "SELECT data FROM session_data WHERE session_seq = ?", (row["seq"],)
            ).fetchone()
        return json.loads(data["data"]) if data else {}

    def patch_session_data(
        self, actor: Actor, application_id: str, session_id: str, body: Any, device: Device | None = None
    ) -> str:
        """Merge-patch the data (RFC 7386) and announce session_data_updated; returns the event id."""
        with self._change() as change:
            row = self._row_for_update(change, actor, application_id, session_id)
            patch, version = data_patch_body(body, lenient=self.lenient)
            current = change.conn.execute(
                "SELECT data FROM session_data WHERE session_seq = ?", (row["seq"],)
            ).fetchone()
            merged = merge_patch(json.loads(current["data"]) if current else {}, patch)
            change.conn.execute(
                "INSERT OR REPLACE INTO session_data (session_seq, data) VALUES (?, ?)",
                (row["seq"], json.dumps(merged)),
            )
            # A data change is a change of the session, so modifiedAt sorting shows recent work first.
            change.conn.execute(
                "UPDATE sessions SET modified_by = ?, modified_at = ? WHERE seq = ?",
                (actor.user_id, now_iso(), row["seq"]),
            )
            fresh = change.conn.execute("SELECT * FROM sessions WHERE seq = ?", (row["seq"],)).fetchone()
            session = session_json(fresh)
            return self._record_event(
                change,
                session_seq=row["seq"],
                session=session,
                event_type="session_data_updated",
                actor=actor,
                device=device,
                recipients=self.recipients(change.conn, session["participants"]),
                with_session=False,
                data=patch,
                version=version,
            )

    def list_events(
        self, actor: Actor, application_id: str, session_id: str, params: Mapping[str, str]
    ) -> dict[str, Any]:
        """One page of the session's timeline (the same payloads that went out over MQTT)."""
        request = page_request(params, EVENT_SORTS)
        with self.store.read() as conn:
            row, _ = self._session_row(conn, actor, application_id, session_id)
            rows, page = paginate(conn, event_list_query(row["seq"]), request)
        return {"data": [json.loads(r["payload"]) for r in rows], "page": page}

    def create_event(
        self, actor: Actor, application_id: str, session_id: str, body: Any, device: Device | None = None
    ) -> str:
        """Record a custom event ``{eventType, data}`` as session_event_created; returns its id."""
        with self._change() as change:
            row = self._row_for_update(change, actor, application_id, session_id)
            event_type, data = custom_event_body(body)
            session = session_json(row)
            return self._record_event(
                change,
                session_seq=row["seq"],
                session=session,
                event_type="session_event_created",
                actor=actor,
                device=device,
                recipients=self.recipients(change.conn, session["participants"]),
                with_session=False,
                data=data,
                extra={"customEventType": event_type},
            )
