"""Session media metadata: list with every filter, create, read, update, archive, delete."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from datetime import datetime
from typing import Any

from skydesk.api._http import HttpCore
from skydesk.api._paging import walk
from skydesk.api._query import Query, segment, session_path
from skydesk.api.errors import FieldError
from skydesk.api.models import Media, Page
from skydesk.api.validation import (
    MEDIA_SORT_FIELDS,
    check,
    property_strings,
    raise_if,
    validate_archived,
    validate_content_type,
    validate_labels,
    validate_media_description,
    validate_media_filename,
    validate_media_title,
    validate_properties,
    validate_total_bytes,
)

MEDIA_FIELDS = ("filename", "title", "description", "labels", "properties", "archived")


def media_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validate media metadata fields (snake_case or API names) and return the JSON body."""
    errors: list[FieldError] = []
    body: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "filename":
            errors += check("filename", validate_media_filename(value))
        elif key == "title":
            errors += check("title", validate_media_title(value))
        elif key == "description":
            errors += check("description", validate_media_description(value))
        elif key == "labels":
            problems = validate_labels(
                list(value) if isinstance(value, Sequence) and not isinstance(value, str) else value
            )
            errors += problems
            value = value if problems else list(value)
        elif key == "properties":
            problems = validate_properties(value)
            errors += problems
            value = value if problems else property_strings(value)  # strings, as for sessions
        elif key == "archived":
            if not isinstance(value, bool):
                errors.append(FieldError("archived", "must be true or false"))
        else:
            listed = ", ".join(MEDIA_FIELDS)
            errors.append(FieldError(str(key), f"is not a media field that can be changed ({listed})"))
            continue
        body[key] = value
    raise_if(errors)
    return body


def _media_path(application_id: str, session_id: str, media_id: str | None = None) -> str:
    if media_id is None:
        return session_path(application_id, session_id, "media")
    return session_path(application_id, session_id, "media", segment(media_id, "media_id"))


class MediaMixin(HttpCore):
    """Media metadata methods."""

    async def list_session_media(
        self,
        application_id: str,
        session_id: str,
        *,
        archived: str = "exclude",
        content_type: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        exclude_labels: Sequence[str] | None = None,
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
    ) -> Page[Media]:
        """One page of the session's media metadata matching every given filter.

        Reference: REST ``GET /applications/{app}/sessions/{id}/media``.
        """
        q = Query()
        q.errors += check("archived", validate_archived(archived))
        q.text("archived", archived).ids("contentType", content_type)
        q.ids("labels", labels).ids("excludeLabels", exclude_labels).props(properties)
        q.who_and_when(created_by, modified_by, created_from, created_to, modified_from, modified_to)
        q.sort(sort, MEDIA_SORT_FIELDS).limit(limit).cursors(next_cursor, prev_cursor)
        params = q.done()
        body = await self._json("GET", _media_path(application_id, session_id), params=params)
        return self._parse(Page.from_json, body, item=Media.from_json, where="list of media")

    async def iter_session_media(
        self, application_id: str, session_id: str, *, page_size: int = 200, **filters: Any
    ) -> AsyncIterator[Media]:
        """Every matching media item, page after page as the caller iterates (``async for``).

        ``filters`` are those of :meth:`list_session_media` (archived, content_type, labels, sort, ...).
        Reference: REST ``GET /applications/{app}/sessions/{id}/media``, all pages.
        """

        def fetch(cursor: str | None) -> Awaitable[Page[Media]]:
            return self.list_session_media(
                application_id, session_id, **filters, limit=page_size, next_cursor=cursor
            )

        async for media in walk(fetch, self.host):
            yield media

    async def create_session_media(
        self,
        application_id: str,
        session_id: str,
        *,
        filename: str,
        content_type: str,
        total_bytes: int,
        title: str | None = None,
        description: str | None = None,
        labels: Sequence[str] | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> Media:
        """Create the metadata of a media item; upload its bytes with ``upload_media_content``.

        Reference: REST ``POST /applications/{app}/sessions/{id}/media``.
        """
        fields: dict[str, Any] = {"filename": filename}
        for key, value in (("title", title), ("description", description)):
            if value is not None:
                fields[key] = value
        if labels is not None:
            fields["labels"] = labels
        if properties is not None:
            fields["properties"] = properties
        body = media_body(fields)
        errors: list[FieldError] = []
        errors += check("content_type", validate_content_type(content_type))
        errors += check("total_bytes", validate_total_bytes(total_bytes))
        raise_if(errors)
        body.update(contentType=content_type, totalBytes=total_bytes)
        created = await self._json("POST", _media_path(application_id, session_id), json_body=body)
        return self._parse(Media.from_json, created)

    async def get_session_media(self, application_id: str, session_id: str, media_id: str) -> Media:
        """One media item's metadata.

        Reference: REST ``GET /applications/{app}/sessions/{id}/media/{mid}`` (adopted).
        """
        return self._parse(
            Media.from_json, await self._json("GET", _media_path(application_id, session_id, media_id))
        )

    async def update_session_media(
        self, application_id: str, session_id: str, media_id: str, **fields: Any
    ) -> Media:
        """Change metadata fields: filename, title, description, labels, properties, archived.

        Reference: REST ``PATCH /applications/{app}/sessions/{id}/media/{mid}`` (adopted).
        """
        body = media_body(fields)
        if not body:
            raise_if([FieldError("fields", "Nothing to change")])
        path = _media_path(application_id, session_id, media_id)
        return self._parse(Media.from_json, await self._json("PATCH", path, json_body=body))

    async def archive_session_media(self, application_id: str, session_id: str, media_id: str) -> Media:
        """Archive a media item (hidden from lists unless ``archived`` is include or only).

        Reference: REST ``PATCH /applications/{app}/sessions/{id}/media/{mid}`` with ``archived: true``.
        """
        return await self.update_session_media(application_id, session_id, media_id, archived=True)

    async def delete_session_media(self, application_id: str, session_id: str, media_id: str) -> None:
        """Delete a media item and its bytes.

        Reference: REST ``DELETE /applications/{app}/sessions/{id}/media/{mid}`` (adopted).
        """
        await self._json("DELETE", _media_path(application_id, session_id, media_id))
