"""Typed, immutable records for what the API returns.

Each model has ``from_json(d)``, which reads the API's camelCase JSON, tolerates unknown extra fields,
and raises :class:`~skydesk.api.errors.BadResponse` naming the first missing or mistyped field.
The classes use ``slots`` and intern the strings that repeat across records (user and application
ids, statuses), because the app may hold 100,000 sessions at once. Sessions and events, the records
read by the thousand, try a fast path for the canonical shape first (half the cost of the careful
readers in ``_fields``) and fall back to those readers for anything else.

Participant, Application, Role and Media live in :mod:`skydesk.api.records` and are re-exported here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Generic, Self, TypeVar

from skydesk.api._fields import (
    MISSING,
    as_object,
    bad,
    date,
    flag,
    mapping,
    opt_date,
    opt_text,
    parse_datetime,
    text,
    whole,
)
from skydesk.api.records import (
    Annotation,
    Application,
    Media,
    Participant,
    Role,
    fast_participants,
    participants_of,
)

__all__ = ["Annotation", "Application", "Media", "Page", "Participant", "Role", "Session", "SessionEvent"]

T = TypeVar("T")


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
        if type(d) is dict:
            fast = cls._from_canonical(d)
            if fast is not None:
                return fast
        return cls._from_any(d)

    @classmethod
    def _from_canonical(cls, d: dict[str, Any]) -> Session | None:
        """The fast path (listing 100,000 sessions): exactly the documented types, else None.

        Anything unusual (a null, a missing optional field's odd value, a bad date) returns None, and
        :meth:`_from_any` then applies the defaults or names the bad field; both give equal results.
        """
        g = d.get
        sid, app, version, status = g("sessionId"), g("applicationId"), g("version"), g("status")
        name, description, props = g("name", ""), g("description", ""), g("properties", {})
        created_by, modified_by, draft = g("createdBy", ""), g("modifiedBy", ""), g("isDraft", False)
        created, modified = g("createdAt"), g("modifiedAt")
        if not (
            type(sid) is str
            and type(app) is str
            and type(version) is int
            and type(status) is str
            and type(name) is str
            and type(description) is str
            and type(props) is dict
            and type(created_by) is str
            and type(modified_by) is str
            and type(draft) is bool
            and type(created) is str
            and type(modified) is str
        ):
            return None
        participants = fast_participants(g("participants", []))
        if participants is None:
            return None
        try:
            created_at, modified_at = parse_datetime(created), parse_datetime(modified)
        except ValueError:
            return None
        intern = sys.intern
        # The frozen dataclass __init__ stores each field with object.__setattr__ (a third of the cost of
        # a session here); the slots' own setters store the same values, checked above, directly.
        s = _new(cls)
        sid_, app_, version_, name_, description_, parts_, status_, props_, cby_, cat_, mby_, mat_, draft_ = (
            _SESSION_SLOTS
        )
        sid_(s, sid)
        app_(s, intern(app))
        version_(s, version)
        name_(s, name)
        description_(s, description)
        parts_(s, participants)
        status_(s, intern(status))
        props_(s, props)
        cby_(s, intern(created_by))
        cat_(s, created_at)
        mby_(s, intern(modified_by))
        mat_(s, modified_at)
        draft_(s, draft)
        return s

    @classmethod
    def _from_any(cls, d: object) -> Session:
        """The careful path: defaults for nulls, and a BadResponse naming the first bad field."""
        w = "session"
        m = as_object(d, w)
        return cls(
            session_id=text(m, "sessionId", w),
            application_id=text(m, "applicationId", w, intern=True),
            version=whole(m, "version", w),
            name=text(m, "name", w, ""),
            description=text(m, "description", w, ""),
            participants=participants_of(m, w),
            status=text(m, "status", w, intern=True),
            properties=mapping(m, "properties", w),
            created_by=text(m, "createdBy", w, "", intern=True),
            created_at=date(m, "createdAt", w),
            modified_by=text(m, "modifiedBy", w, "", intern=True),
            modified_at=date(m, "modifiedAt", w),
            is_draft=flag(m, "isDraft", w, False),
        )


def slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """The setters of a slotted dataclass's fields, in field order: what its ``__init__`` does, bar the
    frozen check (for records built by the thousand; the class must have no ``__post_init__``)."""
    assert not hasattr(cls, "__post_init__")
    return tuple(getattr(cls, f.name).__set__ for f in fields(cls))


_new = object.__new__
_SESSION_SLOTS = slot_setters(Session)


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
        m = as_object(d, where)
        raw = m.get("data", MISSING)
        if not isinstance(raw, list):
            raise bad(where, "data", "a list", raw)
        p = as_object(m.get("page", {}), f"{where} page")
        items = [item(x) for x in raw]
        return cls(
            items=items,
            count=whole(p, "count", f"{where} page", len(items)),
            limit=whole(p, "limit", f"{where} page", len(items)),
            total=whole(p, "total", f"{where} page", len(items)),
            next_cursor=opt_text(p, "nextCursor", f"{where} page") or None,
            prev_cursor=opt_text(p, "prevCursor", f"{where} page") or None,
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
        if type(d) is dict:
            fast = cls._from_canonical(d)
            if fast is not None:
                return fast
        return cls._from_any(d)

    @classmethod
    def _from_canonical(cls, d: dict[str, Any]) -> Self | None:
        """The fast path (every MQTT message): exactly the documented types, else None (see Session)."""
        g = d.get
        event_id, event_type, app, sid = g("eventId"), g("eventType"), g("applicationId"), g("sessionId")
        source, user, created, stamp = (
            g("source", "skylight"),
            g("userId", ""),
            g("createdAt"),
            g("timestamp"),
        )
        version, session_json, data = g("version"), g("session"), g("data")
        if not (
            type(event_id) is str
            and type(event_type) is str
            and type(app) is str
            and type(sid) is str
            and type(source) is str
            and type(user) is str
            and type(created) is str
            and (stamp is None or type(stamp) is str)
            and (version is None or type(version) is int)
            and (data is None or type(data) is dict)
        ):
            return None
        session = None
        if session_json is not None:
            if type(session_json) is not dict:
                return None
            session = Session._from_canonical(session_json)
            if session is None:
                return None
        try:
            created_at = parse_datetime(created)
            timestamp = None if stamp is None else parse_datetime(stamp)
        except ValueError:
            return None
        intern = sys.intern
        return cls(
            event_id,
            intern(event_type),
            intern(app),
            sid,
            intern(source),
            intern(user),
            created_at,
            timestamp,
            version,
            session,
            data,
            dict(d),
        )

    @classmethod
    def _from_any(cls, d: object) -> Self:
        """The careful path: defaults for nulls, and a BadResponse naming the first bad field."""
        w = "session event"
        m = as_object(d, w)
        version = m.get("version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise bad(w, "version", "a whole number", version)
        session = m.get("session")
        data = m.get("data")
        if data is not None and not isinstance(data, dict):
            raise bad(w, "data", "an object", data)
        return cls(
            event_id=text(m, "eventId", w),
            event_type=text(m, "eventType", w, intern=True),
            application_id=text(m, "applicationId", w, intern=True),
            session_id=text(m, "sessionId", w),
            source=text(m, "source", w, "skylight", intern=True),
            user_id=text(m, "userId", w, "", intern=True),
            created_at=date(m, "createdAt", w),
            timestamp=opt_date(m, "timestamp", w),
            version=version,
            session=None if session is None else Session.from_json(session),
            data=data,
            raw=dict(m),
        )
