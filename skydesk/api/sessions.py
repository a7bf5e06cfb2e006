"""Sessions: listing with every filter, paging, creating, patching and closing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from datetime import datetime
from typing import Any

from skydesk.api._http import Trace
from skydesk.api._paging import walk
from skydesk.api._query import Query, app_path, session_path
from skydesk.api.applications import ApplicationsMixin
from skydesk.api.errors import FieldError, ValidationError
from skydesk.api.models import Application, Page, Participant, Session
from skydesk.api.validation import (
    SESSION_SORT_FIELDS,
    check,
    property_strings,
    raise_if,
    validate_description,
    validate_name,
    validate_participant_id,
    validate_participant_type,
    validate_properties,
    validate_status,
    validate_version,
)

PATCHABLE_FIELDS = ("version", "name", "description", "participants", "status", "properties")


def _participants_json(value: object, errors: list[FieldError]) -> list[dict[str, Any]]:
    """Accept Participant objects or API-shaped dicts; collect problems into ``errors``."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        errors.append(FieldError("participants", "must be a list of participants"))
        return []
    out: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        if isinstance(item, Participant):
            p = item.to_json()
        elif isinstance(item, Mapping):
            p = {
                "id": item.get("id"),
                "type": item.get("type", "user"),
                "isGuest": item.get("isGuest", False),
            }
        else:
            errors.append(FieldError(f"participants.{i}", "must be a Participant"))
            continue
        errors.extend(check(f"participants.{i}.id", validate_participant_id(p["id"])))
        errors.extend(check(f"participants.{i}.type", validate_participant_type(p["type"])))
        if not isinstance(p["isGuest"], bool):
            errors.append(FieldError(f"participants.{i}.isGuest", "must be true or false"))
        out.append(p)
    return out


def session_patch_body(patch: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a session patch (API field names) and return the JSON body; raises ValidationError."""
    errors: list[FieldError] = []
    body: dict[str, Any] = {}
    for key, value in patch.items():
        if key == "name":
            errors += check("name", validate_name(value))
        elif key == "description":
            errors += check("description", validate_description(value))
        elif key == "version":
            errors += check("version", validate_version(value))
        elif key == "status":
            errors += check("status", validate_status(value))
        elif key == "properties":
            if value is not None:
                problems = validate_properties(value)
                errors += problems
                # Property values are strings (SDK reference): numbers and booleans are written out.
                value = property_strings(value) if not problems else value
        elif key == "participants":
            value = _participants_json(value, errors)
        else:
            allowed = ", ".join(PATCHABLE_FIELDS)
            errors.append(FieldError(str(key), f"is not a session field that can be changed ({allowed})"))
            continue
        body[key] = value
    if not body and not errors:
        errors.append(FieldError("patch", "Nothing to change"))
    raise_if(errors)
    return body


def session_list_params(
    *,
    status: str | None = None,
    name: str | None = None,
    participants: Sequence[str] | None = None,
    properties: Mapping[str, str | Sequence[str]] | None = None,
    created_by: Sequence[str] | None = None,
    modified_by: Sequence[str] | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    modified_from: datetime | None = None,
    modified_to: datetime | None = None,
    sort: str | None = None,
    limit: int | None = None,
    next_cursor: str | None = None,
    prev_cursor: str | None = None,
) -> dict[str, str]:
    """The query of ``list_sessions`` for these filters; raises ValidationError for a bad one."""
    q = Query()
    if status is not None:
        q.errors += check("status", validate_status(status))
    q.text("status", status).text("name", name).ids("participants", participants).props(properties)
    q.who_and_when(created_by, modified_by, created_from, created_to, modified_from, modified_to)
    q.sort(sort, SESSION_SORT_FIELDS).limit(limit).cursors(next_cursor, prev_cursor)
    return q.done()


class SessionsMixin(ApplicationsMixin):
    """Session methods of the SDK reference plus REST list filters."""

    async def list_sessions(
        self,
        application_id: str,
        *,
        status: str | None = None,
        name: str | None = None,
        participants: Sequence[str] | None = None,
        properties: Mapping[str, str | Sequence[str]] | None = None,
        created_by: Sequence[str] | None = None,
        modified_by: Sequence[str] | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        modified_from: datetime | None = None,
        modified_to: datetime | None = None,
        sort: str | None = None,
        limit: int | None = None,
        next_cursor: str | None = None,
        prev_cursor: str | None = None,
    ) -> Page[Session]:
        """One page of sessions matching every given filter (dates inclusive), with its cursors.

        Reference: REST ``GET /applications/{app}/sessions``.
        """
        params = session_list_params(
            status=status,
            name=name,
            participants=participants,
            properties=properties,
            created_by=created_by,
            modified_by=modified_by,
            created_from=created_from,
            created_to=created_to,
            modified_from=modified_from,
            modified_to=modified_to,
            sort=sort,
            limit=limit,
            next_cursor=next_cursor,
            prev_cursor=prev_cursor,
        )
        body = await self._json("GET", app_path(application_id, "sessions"), params=params)
        return self._session_page(body)

    async def _session_page_bytes(
        self, application_id: str, params: Mapping[str, str], trace: Trace | None = None
    ) -> bytes:
        """One page of sessions as the server sent it (``list_sessions`` without decoding or building)."""
        return await self._body(app_path(application_id, "sessions"), params=params, trace=trace)

    def _session_page_json(self, application_id: str, content: bytes) -> Any:
        """The JSON of ``_session_page_bytes``."""
        return self._decode(content, "GET", app_path(application_id, "sessions"))

    def _session_page(self, body: Any) -> Page[Session]:
        """A page of Sessions from its JSON."""
        return self._parse(Page.from_json, body, item=Session.from_json, where="list of sessions")

    async def iter_sessions(
        self,
        application_id: str,
        *,
        status: str | None = None,
        name: str | None = None,
        participants: Sequence[str] | None = None,
        properties: Mapping[str, str | Sequence[str]] | None = None,
        created_by: Sequence[str] | None = None,
        modified_by: Sequence[str] | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        modified_from: datetime | None = None,
        modified_to: datetime | None = None,
        sort: str | None = None,
        page_size: int = 200,
    ) -> AsyncIterator[Session]:
        """Every matching session, fetching page after page as the caller iterates (``async for``).

        Reference: REST ``GET /applications/{app}/sessions``, all pages.
        """

        def fetch(cursor: str | None) -> Awaitable[Page[Session]]:
            return self.list_sessions(
                application_id,
                status=status,
                name=name,
                participants=participants,
                properties=properties,
                created_by=created_by,
                modified_by=modified_by,
                created_from=created_from,
                created_to=created_to,
                modified_from=modified_from,
                modified_to=modified_to,
                sort=sort,
                limit=page_size,
                next_cursor=cursor,
            )

        async for session in walk(fetch, self.host):
            yield session

    async def get_sessions(self, application_id: str) -> list[Session]:
        """Every open session the user may see in an application, across all pages.

        Reference: SDK ``GetSessions``; REST ``GET /applications/{app}/sessions?status=open``, all pages.
        """
        return [s async for s in self.iter_sessions(application_id, status="open")]

    async def get_session(self, application_id: str, session_id: str) -> Session:
        """One session by id.

        Reference: SDK ``GetSession``; REST ``GET /applications/{app}/sessions/{id}``.
        """
        return self._parse(
            Session.from_json, await self._json("GET", session_path(application_id, session_id))
        )

    async def create_session(
        self,
        application_id: str,
        *,
        name: str = "",
        description: str = "",
        properties: Mapping[str, Any] | None = None,
        version: int | None = None,
        participants: Sequence[Participant] | None = None,
    ) -> Session:
        """Create an open session; the signed-in user is added as a participant if not listed.

        Without ``version`` the application's published version is used, else its draft version.

        Reference: SDK ``CreateSession``; REST ``POST /applications/{app}/sessions``.
        """
        fields: dict[str, Any] = {"name": name, "description": description}
        if properties is not None:
            fields["properties"] = properties
        if version is not None:
            fields["version"] = version
        fields["participants"] = list(participants or [])
        body = session_patch_body(fields)
        me = self._auth.user_id
        if me and not any(p["id"] == me and p["type"] == "user" for p in body["participants"]):
            body["participants"].append(Participant(me).to_json())
        if version is None:
            body["version"] = _default_version(await self.get_application(application_id))
        body["status"] = "open"
        created = await self._json("POST", app_path(application_id, "sessions"), json_body=body)
        return self._parse(Session.from_json, created)

    async def patch_session(self, application_id: str, session_id: str, patch: Mapping[str, Any]) -> Session:
        """Change several fields at once (API names: name, description, properties, participants, ...).

        ``properties`` replaces the whole dictionary.

        Reference: SDK ``PatchSession``; REST ``PATCH /applications/{app}/sessions/{id}``.
        """
        body = session_patch_body(patch)
        updated = await self._json("PATCH", session_path(application_id, session_id), json_body=body)
        return self._parse(Session.from_json, updated)

    async def update_session_properties(
        self, application_id: str, session_id: str, properties: Mapping[str, str]
    ) -> Session:
        """Replace the session's properties; values are sent as strings.

        Reference: SDK ``UpdateSessionProperties``; REST ``PATCH /applications/{app}/sessions/{id}``.
        """
        return await self.patch_session(application_id, session_id, {"properties": properties})

    async def update_session_name(self, application_id: str, session_id: str, name: str) -> Session:
        """Rename a session.

        Reference: SDK ``UpdateSessionName``; REST ``PATCH /applications/{app}/sessions/{id}``.
        """
        return await self.patch_session(application_id, session_id, {"name": name})

    async def update_session_description(
        self, application_id: str, session_id: str, description: str = ""
    ) -> Session:
        """Change a session's description (empty by default).

        Reference: SDK ``UpdateSessionDescription``; REST ``PATCH /applications/{app}/sessions/{id}``.
        """
        return await self.patch_session(application_id, session_id, {"description": description})

    async def close_session(self, application_id: str, session_id: str) -> Session:
        """Close a session (its status becomes ``closed``; further changes answer 409).

        Reference: SDK ``CloseSession``; REST ``PATCH /applications/{app}/sessions/{id}``.
        """
        return await self.patch_session(application_id, session_id, {"status": "closed"})


def _default_version(app: Application) -> int:
    if app.published_version >= 1:
        return app.published_version
    if app.draft_version >= 1:
        return app.draft_version
    raise ValidationError.from_fields(
        [FieldError("version", f"Application {app.name!r} has no published or draft version")]
    )
