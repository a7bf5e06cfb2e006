"""Typed, immutable records for what the API returns.

Each model has ``from_json(d)``, which reads the API's camelCase JSON, tolerates unknown extra fields,
and raises :class:`~skydesk.api.errors.BadResponse` naming the first missing or mistyped field.
The classes use ``slots`` and intern the strings that repeat across records (user and application
ids, statuses), because the app may hold 100,000 sessions at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Generic, Self, TypeVar

from skydesk.api.errors import BadResponse

__all__ = ["Application", "Media", "Page", "Participant", "Role", "Session", "SessionEvent"]

T = TypeVar("T")
_MISSING: Any = object()


def _bad(where: str, key: str, expected: str, value: Any = _MISSING) -> BadResponse:
    got = "missing" if value is _MISSING else f"{type(value).__name__} instead of {expected}"
    return BadResponse(f"The server sent a malformed {where}: field '{key}' is {got}.")


def _obj(d: object, where: str) -> Mapping[str, Any]:
    if not isinstance(d, Mapping):
        raise BadResponse(f"The server sent a malformed {where}: expected an object, got {type(d).__name__}.")
    return d


def _str(d: Mapping[str, Any], key: str, where: str, default: Any = _MISSING, *, intern: bool = False) -> str:
    value = d.get(key, _MISSING)
    if value is _MISSING or (value is None and default is not _MISSING):
        if default is _MISSING:
            raise _bad(where, key, "text")
        return str(default)
    if not isinstance(value, str):
        raise _bad(where, key, "text", value)
    return sys.intern(value) if intern else value


def _opt_str(d: Mapping[str, Any], key: str, where: str) -> str | None:
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(where, key, "text", value)
    return value


def _int(d: Mapping[str, Any], key: str, where: str, default: Any = _MISSING) -> int:
    value = d.get(key, _MISSING)
    if value is _MISSING or (value is None and default is not _MISSING):
        if default is _MISSING:
            raise _bad(where, key, "a whole number")
        return int(default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(where, key, "a whole number", value)
    return value


def _bool(d: Mapping[str, Any], key: str, where: str, default: bool | None = None) -> bool:
    value = d.get(key, _MISSING)
    if value is _MISSING or value is None:
        if default is None:
            raise _bad(where, key, "true/false")
        return default
    if not isinstance(value, bool):
        raise _bad(where, key, "true/false", value)
    return value


def _dict(d: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = d.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad(where, key, "an object", value)
    return value


def _list(d: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(where, key, "a list", value)
    return value


def parse_datetime(value: str) -> datetime:
    """Parse an RFC 3339 timestamp into an aware datetime (a missing offset means UTC)."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _dt(d: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> datetime:
    value = d.get(key, _MISSING)
    if value is _MISSING or value is None:
        if optional:
            return _EPOCH
        raise _bad(where, key, "a date-time")
    if not isinstance(value, str):
        raise _bad(where, key, "a date-time", value)
    try:
        return parse_datetime(value)
    except ValueError:
        raise BadResponse(
            f"The server sent a malformed {where}: field '{key}' is not a date-time ({value[:40]!r})."
        ) from None


def _opt_dt(d: Mapping[str, Any], key: str, where: str) -> datetime | None:
    return None if d.get(key) is None else _dt(d, key, where)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Participant:
    """A user or group taking part in a session."""

    id: str
    type: str = "user"
    is_guest: bool = False

    @classmethod
    def from_json(cls, d: object) -> Participant:
        """Read ``{"id", "type", "isGuest"}``."""
        m = _obj(d, "participant")
        return _participant(
            _str(m, "id", "participant", intern=True),
            _str(m, "type", "participant", "user", intern=True),
            _bool(m, "isGuest", "participant", False),
        )

    def to_json(self) -> dict[str, Any]:
        """The API's JSON form."""
        return {"id": self.id, "type": self.type, "isGuest": self.is_guest}


# The same few participants appear in thousands of sessions: share one immutable instance each.
_participant: Callable[[str, str, bool], Participant] = lru_cache(maxsize=4096)(Participant)


def _participants(m: Mapping[str, Any], where: str) -> tuple[Participant, ...]:
    return tuple(Participant.from_json(p) for p in _list(m, "participants", where))


@dataclass(frozen=True, slots=True)
class Session:
    """A session of an application: its metadata, participants and properties."""

    session_id: str
    application_id: str
    version: int
    name: str
    description: str
    participants: tuple[Participant, ...]
    status: str
    properties: dict[str, Any]
    created_by: str
    created_at: datetime
    modified_by: str
    modified_at: datetime
    is_draft: bool

    @property
    def is_open(self) -> bool:
        """True unless the session is closed."""
        return self.status != "closed"

    @classmethod
    def from_json(cls, d: object) -> Session:
        """Read a session object as returned by the sessions endpoints."""
        w = "session"
        m = _obj(d, w)
        return cls(
            session_id=_str(m, "sessionId", w),
            application_id=_str(m, "applicationId", w, intern=True),
            version=_int(m, "version", w),
            name=_str(m, "name", w, ""),
            description=_str(m, "description", w, ""),
            participants=_participants(m, w),
            status=_str(m, "status", w, intern=True),
            properties=_dict(m, "properties", w),
            created_by=_str(m, "createdBy", w, "", intern=True),
            created_at=_dt(m, "createdAt", w),
            modified_by=_str(m, "modifiedBy", w, "", intern=True),
            modified_at=_dt(m, "modifiedAt", w),
            is_draft=_bool(m, "isDraft", w, False),
        )


@dataclass(frozen=True, slots=True)
class Application:
    """An application the user can read; versions are -1 when there is no draft / no published one."""

    application_id: str
    name: str
    description: str
    draft_version: int
    published_version: int
    created_by: str
    created_at: datetime

    @classmethod
    def from_json(cls, d: object) -> Application:
        """Read an application object."""
        w = "application"
        m = _obj(d, w)
        return cls(
            application_id=_str(m, "applicationId", w, intern=True),
            name=_str(m, "name", w),
            description=_str(m, "description", w, ""),
            draft_version=_int(m, "draftVersion", w, -1),
            published_version=_int(m, "publishedVersion", w, -1),
            created_by=_str(m, "createdBy", w, "", intern=True),
            created_at=_dt(m, "createdAt", w, optional=True),
        )


@dataclass(frozen=True, slots=True)
class Role:
    """A role of an application: its permissions and who holds it."""

    name: str
    description: str
    permissions: tuple[str, ...]
    participants: tuple[Participant, ...]
    created_by: str
    created_at: datetime
    modified_by: str
    modified_at: datetime

    @classmethod
    def from_json(cls, d: object) -> Role:
        """Read a role object (default roles may have an empty creator and a meaningless date)."""
        w = "role"
        m = _obj(d, w)
        permissions = _list(m, "permissions", w)
        if not all(isinstance(p, str) for p in permissions):
            raise _bad(w, "permissions", "a list of text", permissions)
        return cls(
            name=_str(m, "name", w),
            description=_str(m, "description", w, ""),
            permissions=tuple(sys.intern(p) for p in permissions),
            participants=_participants(m, w),
            created_by=_str(m, "createdBy", w, ""),
            created_at=_dt(m, "createdAt", w, optional=True),
            modified_by=_str(m, "modifiedBy", w, ""),
            modified_at=_dt(m, "modifiedAt", w, optional=True),
        )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, with the opaque cursors to its neighbours."""

    items: list[T]
    count: int
    limit: int
    total: int
    next_cursor: str | None
    prev_cursor: str | None

    @classmethod
    def from_json(cls, d: object, item: Callable[[Any], T], *, where: str = "list") -> Page[T]:
        """Read ``{"data": [...], "page": {...}}``, building each item with ``item``."""
        m = _obj(d, where)
        raw = m.get("data", _MISSING)
        if not isinstance(raw, list):
            raise _bad(where, "data", "a list", raw)
        p = _obj(m.get("page", {}), f"{where} page")
        items = [item(x) for x in raw]
        return cls(
            items=items,
            count=_int(p, "count", f"{where} page", len(items)),
            limit=_int(p, "limit", f"{where} page", len(items)),
            total=_int(p, "total", f"{where} page", len(items)),
            next_cursor=_opt_str(p, "nextCursor", f"{where} page") or None,
            prev_cursor=_opt_str(p, "prevCursor", f"{where} page") or None,
        )


@dataclass(frozen=True, slots=True)
class Media:
    """Metadata of one media item attached to a session; bytes are fetched separately."""

    media_id: str
    session_id: str
    application_id: str
    filename: str
    title: str
    description: str
    content_type: str
    labels: tuple[str, ...]
    properties: dict[str, Any]
    total_bytes: int
    uploaded_bytes: int
    etag: str | None
    archived: bool
    created_by: str
    created_at: datetime
    modified_by: str
    modified_at: datetime

    @property
    def is_complete(self) -> bool:
        """True once every byte has been uploaded."""
        return self.uploaded_bytes >= self.total_bytes

    @classmethod
    def from_json(cls, d: object) -> Media:
        """Read a media metadata object."""
        w = "media item"
        m = _obj(d, w)
        labels = _list(m, "labels", w)
        if not all(isinstance(x, str) for x in labels):
            raise _bad(w, "labels", "a list of text", labels)
        return cls(
            media_id=_str(m, "mediaId", w),
            session_id=_str(m, "sessionId", w),
            application_id=_str(m, "applicationId", w, intern=True),
            filename=_str(m, "filename", w),
            title=_str(m, "title", w, ""),
            description=_str(m, "description", w, ""),
            content_type=_str(m, "contentType", w, "application/octet-stream", intern=True),
            labels=tuple(labels),
            properties=_dict(m, "properties", w),
            total_bytes=_int(m, "totalBytes", w),
            uploaded_bytes=_int(m, "uploadedBytes", w, 0),
            etag=_opt_str(m, "etag", w),
            archived=_bool(m, "archived", w, False),
            created_by=_str(m, "createdBy", w, "", intern=True),
            created_at=_dt(m, "createdAt", w),
            modified_by=_str(m, "modifiedBy", w, "", intern=True),
            modified_at=_dt(m, "modifiedAt", w),
        )


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """Something that happened to a session (timeline entry or MQTT event); ``raw`` keeps the JSON."""

    event_id: str
    event_type: str
    application_id: str
    session_id: str
    source: str
    user_id: str
    created_at: datetime
    timestamp: datetime | None
    version: int | None
    session: Session | None
    data: dict[str, Any] | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: object) -> Self:
        """Read an event payload (CONTRACT §3); subclasses built by ``cls`` keep the same fields."""
        w = "session event"
        m = _obj(d, w)
        version = m.get("version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise _bad(w, "version", "a whole number", version)
        session = m.get("session")
        data = m.get("data")
        if data is not None and not isinstance(data, dict):
            raise _bad(w, "data", "an object", data)
        return cls(
            event_id=_str(m, "eventId", w),
            event_type=_str(m, "eventType", w, intern=True),
            application_id=_str(m, "applicationId", w, intern=True),
            session_id=_str(m, "sessionId", w),
            source=_str(m, "source", w, "skylight", intern=True),
            user_id=_str(m, "userId", w, "", intern=True),
            created_at=_dt(m, "createdAt", w),
            timestamp=_opt_dt(m, "timestamp", w),
            version=version,
            session=None if session is None else Session.from_json(session),
            data=data,
            raw=dict(m),
        )
