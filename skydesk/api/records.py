"""The records around sessions: participants, applications, roles, media metadata (see ``models``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from skydesk.api._fields import array, as_object, date, flag, mapping, opt_text, text, texts, whole

__all__ = ["Annotation", "Application", "Media", "Participant", "Role"]


@dataclass(frozen=True, slots=True)
class Participant:
    """A user or group taking part in a session."""

    id: str
    type: str = "user"
    is_guest: bool = False

    @classmethod
    def from_json(cls, d: object) -> Participant:
        """Read ``{"id", "type", "isGuest"}``."""
        m = as_object(d, "participant")
        return _participant(
            text(m, "id", "participant", intern=True),
            text(m, "type", "participant", "user", intern=True),
            flag(m, "isGuest", "participant", False),
        )

    def to_json(self) -> dict[str, Any]:
        """The API's JSON form."""
        return {"id": self.id, "type": self.type, "isGuest": self.is_guest}


# The same few participants appear in thousands of sessions: share one immutable instance each.
_participant: Callable[[str, str, bool], Participant] = lru_cache(maxsize=4096)(Participant)


@lru_cache(maxsize=4096)
def _participants(flat: tuple[str | bool, ...]) -> tuple[Participant, ...]:
    """The shared tuple for a list of participants given as (id, type, isGuest, id, type, ...).

    Why shared: a tuple of participants is an object the cyclic garbage collector tracks, one per session;
    20,000 listed sessions had 20,000 such tuples for 13 different lists, scanned by every full collection.
    """
    return tuple(
        _participant(sys.intern(str(flat[i])), sys.intern(str(flat[i + 1])), bool(flat[i + 2]))
        for i in range(0, len(flat), 3)
    )


def participants_of(m: Mapping[str, Any], where: str) -> tuple[Participant, ...]:
    read = [Participant.from_json(p) for p in array(m, "participants", where)]
    return _participants(tuple(x for p in read for x in (p.id, p.type, p.is_guest)))


def fast_participants(raw: object) -> tuple[Participant, ...] | None:
    """Participants in their canonical shape, or None to let the careful readers judge them."""
    if type(raw) is not list:
        return None
    flat: list[str | bool] = []
    for p in raw:
        if type(p) is not dict:
            return None
        pid, kind, guest = p.get("id"), p.get("type", "user"), p.get("isGuest", False)
        if type(pid) is not str or type(kind) is not str or type(guest) is not bool:
            return None
        flat += (pid, kind, guest)
    return _participants(tuple(flat))


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
        m = as_object(d, w)
        return cls(
            application_id=text(m, "applicationId", w, intern=True),
            name=text(m, "name", w),
            description=text(m, "description", w, ""),
            draft_version=whole(m, "draftVersion", w, -1),
            published_version=whole(m, "publishedVersion", w, -1),
            created_by=text(m, "createdBy", w, "", intern=True),
            created_at=date(m, "createdAt", w, optional=True),
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
        m = as_object(d, w)
        return cls(
            name=text(m, "name", w),
            description=text(m, "description", w, ""),
            permissions=texts(m, "permissions", w, intern=True),
            participants=participants_of(m, w),
            created_by=text(m, "createdBy", w, ""),
            created_at=date(m, "createdAt", w, optional=True),
            modified_by=text(m, "modifiedBy", w, ""),
            modified_at=date(m, "modifiedAt", w, optional=True),
        )


@dataclass(frozen=True, slots=True)
class Annotation:
    """A drawing over a media item: ``path`` is an SVG document, as the reference shows."""

    annotation_id: str
    path: str

    @classmethod
    def from_json(cls, d: object) -> Annotation:
        """Read ``{"annotationId", "path"}``."""
        m = as_object(d, "annotation")
        return cls(text(m, "annotationId", "annotation", ""), text(m, "path", "annotation", ""))


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
    annotations: tuple[Annotation, ...] = ()

    @property
    def is_complete(self) -> bool:
        """True once every byte has been uploaded."""
        return self.uploaded_bytes >= self.total_bytes

    @classmethod
    def from_json(cls, d: object) -> Media:
        """Read a media metadata object."""
        w = "media item"
        m = as_object(d, w)
        return cls(
            media_id=text(m, "mediaId", w),
            session_id=text(m, "sessionId", w),
            application_id=text(m, "applicationId", w, intern=True),
            filename=text(m, "filename", w),
            title=text(m, "title", w, ""),
            description=text(m, "description", w, ""),
            content_type=text(m, "contentType", w, "application/octet-stream", intern=True),
            labels=texts(m, "labels", w),
            properties=mapping(m, "properties", w),
            total_bytes=whole(m, "totalBytes", w),
            uploaded_bytes=whole(m, "uploadedBytes", w, 0),
            etag=opt_text(m, "etag", w),
            archived=flag(m, "archived", w, False),
            created_by=text(m, "createdBy", w, "", intern=True),
            created_at=date(m, "createdAt", w),
            modified_by=text(m, "modifiedBy", w, "", intern=True),
            modified_at=date(m, "modifiedAt", w),
            annotations=tuple(Annotation.from_json(a) for a in array(m, "annotations", w)),
        )
