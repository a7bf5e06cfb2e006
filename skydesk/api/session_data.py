"""What hangs off a session: its data document, its participants and its event timeline."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Mapping
from typing import Any

from skydesk.api._http import HttpCore
from skydesk.api._paging import walk
from skydesk.api._query import Query, segment, session_path
from skydesk.api.errors import BadResponse, FieldError
from skydesk.api.models import Page, Participant, SessionEvent
from skydesk.api.validation import (
    check,
    raise_if,
    validate_data_keys,
    validate_event_type,
    validate_participant_id,
    validate_participant_type,
    validate_version,
)

EVENT_SORT_FIELDS = ("createdAt",)  # the timeline's sort keys (oldest first without one)


class SessionDataMixin(HttpCore):
    """Session data, participants and session events."""

    # ------------------------------------------------------------------ data
    async def get_session_data(self, application_id: str, session_id: str) -> dict[str, Any]:
        """The session's current data document (its structure is the developer's).

        Reference: SDK ``GetSessionData``; REST ``GET /applications/{app}/sessions/{id}/data``.
        """
        body = await self._json("GET", session_path(application_id, session_id, "data"))
        if body is None:
            return {}
        if isinstance(body, dict) and isinstance(body.get("data"), dict) and len(body) == 1:
            wrapped: dict[str, Any] = body["data"]  # tolerate a wrapped answer
            return wrapped
        if not isinstance(body, dict):
            raise BadResponse(f"{self.host} sent session data that is not an object.", host=self.host)
        return body

    async def patch_session_data(
        self, application_id: str, session_id: str, data: Mapping[str, Any], *, version: int | None = None
    ) -> str:
        """Merge ``data`` into the session data (nested objects merge, arrays replace, null deletes).

        Returns the event id. Without ``version`` the session's own version is sent.

        Reference: SDK ``PatchSessionData``; REST ``PATCH /applications/{app}/sessions/{id}/data``.
        """
        if not isinstance(data, Mapping):
            raise_if([FieldError("data", "Session data must be an object")])
        errors = validate_data_keys(data)
        if version is not None:
            errors += check("version", validate_version(version))
        raise_if(errors)
        if version is None:
            session = await self._json("GET", session_path(application_id, session_id))
            version = session.get("version") if isinstance(session, dict) else None
            if not isinstance(version, int) or isinstance(version, bool):
                raise BadResponse(f"{self.host} sent a session without a version.", host=self.host)
        body = await self._json(
            "PATCH",
            session_path(application_id, session_id, "data"),
            json_body={"data": dict(data), "version": version},
        )
        return self._event_id(body)

    def _event_id(self, body: Any) -> str:
        event_id = body.get("eventId") if isinstance(body, dict) else None
        if not isinstance(event_id, str):
            raise BadResponse(f"{self.host} did not return the id of the new event.", host=self.host)
        return event_id

    # ------------------------------------------------------------------ participants
    async def get_participants(self, application_id: str, session_id: str) -> list[Participant]:
        """The session's participants.

        Reference: REST ``GET /applications/{app}/sessions/{id}/participants``.
        """
        body = await self._json("GET", session_path(application_id, session_id, "participants"))
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            body = body["data"]
        if not isinstance(body, list):
            raise BadResponse(f"{self.host} sent a malformed list of participants.", host=self.host)
        return [self._parse(Participant.from_json, p) for p in body]

    async def add_participant(
        self, application_id: str, session_id: str, id: str, type: str = "user", *, is_guest: bool = False
    ) -> None:
        """Add a user or group to the session.

        Reference: SDK ``AddParticipant``; REST ``POST /applications/{app}/sessions/{id}/participants``.
        """
        errors = check("type", validate_participant_type(type)) + check("id", validate_participant_id(id))
        raise_if(errors)
        await self._json(
            "POST",
            session_path(application_id, session_id, "participants"),
            json_body={"type": type, "id": id, "isGuest": bool(is_guest)},
        )

    async def remove_participant(self, application_id: str, session_id: str, participant_id: str) -> None:
        """Remove a user or group from the session.

        Reference: REST ``DELETE /applications/{app}/sessions/{id}/participants/{pid}``.
        """
        pid = segment(participant_id, "participant_id")
        await self._json("DELETE", session_path(application_id, session_id, "participants", pid))

    # ------------------------------------------------------------------ events
    async def create_session_event(
        self, application_id: str, session_id: str, event_type: str, data: Mapping[str, Any] | None = None
    ) -> str:
        """Record a custom session event (``data`` None means none); returns its event id.

        Reference: REST ``POST /applications/{app}/sessions/{id}/events`` (adopted).
        """
        errors = check("event_type", validate_event_type(event_type))
        data = {} if data is None else data
        if not isinstance(data, Mapping):
            errors.append(FieldError("data", "Event data must be an object"))
        else:
            # The sandbox applies the session data key rule to custom event data too (CONTRACT §3).
            errors += validate_data_keys(data)
        raise_if(errors)
        body = await self._json(
            "POST",
            session_path(application_id, session_id, "events"),
            json_body={"eventType": event_type, "data": dict(data)},
        )
        return self._event_id(body)

    async def list_session_events(
        self,
        application_id: str,
        session_id: str,
        *,
        limit: int | None = None,
        next_cursor: str | None = None,
        prev_cursor: str | None = None,
        sort: str | None = None,
    ) -> Page[SessionEvent]:
        """One page of the session's timeline; ``sort="-createdAt"`` gives the newest first.

        Reference: REST ``GET /applications/{app}/sessions/{id}/events`` (adopted).
        """
        params = Query().limit(limit).sort(sort, EVENT_SORT_FIELDS).cursors(next_cursor, prev_cursor).done()
        body = await self._json("GET", session_path(application_id, session_id, "events"), params=params)
        return self._parse(Page.from_json, body, item=SessionEvent.from_json, where="list of session events")

    async def iter_session_events(
        self, application_id: str, session_id: str, *, sort: str | None = None, page_size: int = 200
    ) -> AsyncIterator[SessionEvent]:
        """The session's whole timeline, page after page as the caller iterates (``async for``).

        Reference: REST ``GET /applications/{app}/sessions/{id}/events`` (adopted), all pages.
        """

        def fetch(cursor: str | None) -> Awaitable[Page[SessionEvent]]:
            return self.list_session_events(
                application_id, session_id, limit=page_size, next_cursor=cursor, sort=sort
            )

        async for event in walk(fetch, self.host):
            yield event
