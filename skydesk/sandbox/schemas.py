"""Pydantic models that describe request and response bodies in /openapi.json.

They document the wire format; the handlers check bodies with :mod:`.validation` so every
error has the contract's ``{"error", "details"}`` shape.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import validation as v

ADOPTED = {"x-skydesk-adopted": True}
TIME = Field(description="RFC 3339 UTC time with milliseconds, e.g. 2024-05-01T12:00:00.000Z")


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(_Model):
    """One invalid field of a request."""

    field: str
    message: str


class ErrorBody(_Model):
    """Every error response: a human message, and field details on 400s."""

    error: str
    details: list[ErrorDetail] | None = None


class LoginRequest(_Model):
    """Credentials for POST /v1/authentication/login/realms/{realm}."""

    username: str = Field(min_length=1)
    password: str = Field(min_length=1)
    realm: str = Field(description="Must equal the realm in the path")


class RefreshRequest(_Model):
    """Body of POST /v1/authentication/token/refresh."""

    refreshToken: str = Field(min_length=1)


class TokenResponse(_Model):
    """Tokens issued by login and refresh; lifetimes in seconds."""

    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class Participant(_Model):
    """A user or group taking part in a session."""

    id: str = Field(min_length=1, max_length=v.PARTICIPANT_ID_MAX)
    type: Literal["user", "group"] = "user"
    isGuest: bool = False


PropertyValue = str | int | float | bool
Properties = dict[str, PropertyValue]


class SessionCreate(_Model):
    """A session to create. version defaults to the app's published (else draft) version."""

    version: int | None = Field(None, ge=1, le=v.VERSION_MAX)
    name: str = Field("", max_length=v.NAME_MAX)
    description: str = Field("", max_length=v.DESCRIPTION_MAX)
    participants: list[Participant] = Field(
        default_factory=list, description="The caller is added automatically (adopted)"
    )
    status: Literal["open", "closed"] = "open"
    properties: Properties | None = Field(None, max_length=v.PROPERTIES_MAX)


class SessionPatch(_Model):
    """Fields to change; absent fields stay. properties and participants are replaced whole."""

    version: int | None = Field(None, ge=1, le=v.VERSION_MAX)
    name: str | None = Field(None, max_length=v.NAME_MAX)
    description: str | None = Field(None, max_length=v.DESCRIPTION_MAX)
    participants: list[Participant] | None = None
    status: Literal["open", "closed"] | None = None
    properties: Properties | None = Field(None, max_length=v.PROPERTIES_MAX)


class Session(_Model):
    """A session as the API returns it."""

    sessionId: str
    applicationId: str
    version: int
    name: str
    description: str
    participants: list[Participant]
    status: Literal["open", "closed"]
    properties: Properties
    createdBy: str
    createdAt: str = TIME
    modifiedBy: str
    modifiedAt: str = TIME
    isDraft: bool


class PageInfo(_Model):
    """Position of a page: counts and opaque cursors (null at either end)."""

    count: int
    limit: int
    total: int
    prevCursor: str | None
    nextCursor: str | None


class SessionPage(_Model):
    """A page of sessions."""

    data: list[Session]
    page: PageInfo


class Application(_Model):
    """An application; versions are -1 when there is no draft / nothing published."""

    applicationId: str
    name: str
    description: str
    draftVersion: int
    publishedVersion: int
    createdBy: str
    createdAt: str = TIME


class ApplicationPage(_Model):
    """A page of applications."""

    data: list[Application]
    page: PageInfo


class Role(_Model):
    """A role of an application with its permissions and members."""

    name: str
    description: str
    permissions: list[str]
    participants: list[Participant]
    createdBy: str
    createdAt: str
    modifiedBy: str
    modifiedAt: str


class DataPatch(_Model):
    """A JSON Merge Patch (RFC 7386) of the session data; null deletes a key, arrays are replaced."""

    data: dict[str, Any] = Field(description="Keys match [A-Za-z0-9_-]{1,64} at every depth")
    version: int | None = Field(None, ge=1, le=v.VERSION_MAX, description="Defaults to the session's version")


class EventId(_Model):
    """The id of the event a change produced."""

    eventId: str


class CustomEvent(_Model):
    """A custom session event (published as session_event_created with customEventType)."""

    eventType: str = Field(pattern=v.EVENT_TYPE_RE.pattern)
    data: dict[str, Any] = Field(default_factory=dict)


class SessionEvent(_Model):
    """A timeline entry: the same JSON that is published over MQTT (CONTRACT §3)."""

    eventId: str
    eventType: str
    applicationId: str
    sessionId: str
    source: str
    userId: str
    createdAt: str
    timestamp: str
    version: int
    deviceId: str | None = None
    customEventType: str | None = None
    session: Session | None = None
    data: dict[str, Any] | None = None


class EventPage(_Model):
    """A page of the session timeline."""

    data: list[SessionEvent]
    page: PageInfo


class MediaCreate(_Model):
    """Metadata of media whose bytes are uploaded with PUT .../content."""

    filename: str = Field(min_length=1, max_length=v.MEDIA_FILENAME_MAX)
    title: str = Field("", max_length=v.MEDIA_TEXT_MAX)
    description: str = Field("", max_length=v.MEDIA_TEXT_MAX)
    contentType: str = Field("application/octet-stream", min_length=1, max_length=v.CONTENT_TYPE_MAX)
    totalBytes: int = Field(0, ge=0, le=v.MEDIA_BYTES_MAX)
    labels: list[str] = Field(default_factory=list, max_length=v.MEDIA_LABELS_MAX)
    properties: Properties | None = Field(None, max_length=v.PROPERTIES_MAX)


class MediaPatch(_Model):
    """Metadata fields to change, including archived."""

    filename: str | None = Field(None, min_length=1, max_length=v.MEDIA_FILENAME_MAX)
    title: str | None = Field(None, max_length=v.MEDIA_TEXT_MAX)
    description: str | None = Field(None, max_length=v.MEDIA_TEXT_MAX)
    labels: list[str] | None = Field(None, max_length=v.MEDIA_LABELS_MAX)
    properties: Properties | None = Field(None, max_length=v.PROPERTIES_MAX)
    archived: bool | None = None


class Media(_Model):
    """Media metadata; uploadedBytes grows to totalBytes as content is uploaded."""

    mediaId: str
    sessionId: str
    applicationId: str
    filename: str
    title: str
    description: str
    contentType: str
    labels: list[str]
    properties: Properties
    totalBytes: int
    uploadedBytes: int
    etag: str
    archived: bool
    annotations: list[dict[str, Any]]
    createdBy: str
    createdAt: str
    modifiedBy: str
    modifiedAt: str


class MediaPage(_Model):
    """A page of media metadata."""

    data: list[Media]
    page: PageInfo


REQUEST_MODELS: list[type[BaseModel]] = [
    LoginRequest,
    RefreshRequest,
    SessionCreate,
    SessionPatch,
    Participant,
    DataPatch,
    CustomEvent,
    MediaCreate,
    MediaPatch,
]
