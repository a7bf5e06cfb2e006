"""Pydantic models that describe request and response bodies in /openapi.json.

They document the wire format; the handlers check bodies with :mod:`.validation` so every
error has the contract's ``{"error", "details"}`` shape.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema, WithJsonSchema

from . import validation as v

ADOPTED = {"x-skydesk-adopted": True}
TIME = Field(description="RFC 3339 UTC time with milliseconds, e.g. 2024-05-01T12:00:00.000Z")

# Session data is recursive and its keys are restricted at every depth. Pydantic cannot point at
# schemas it does not know, so fields carry a marker that finish_components() turns into a $ref.
_DATA_MARKER = "x-skydesk-session-data"
SESSION_DATA_SCHEMAS: dict[str, dict[str, Any]] = {
    "SessionData": {
        "type": "object",
        "description": "Session data: keys match [A-Za-z0-9_-]{1,64} at every depth; up to 32 levels deep",
        "propertyNames": {"pattern": f"^{v.DATA_KEY_RE.pattern}$"},
        "additionalProperties": {"$ref": "#/components/schemas/SessionDataValue"},
    },
    "SessionDataValue": {
        "anyOf": [
            {"$ref": "#/components/schemas/SessionData"},
            {"type": "array", "items": {"$ref": "#/components/schemas/SessionDataValue"}},
            {"type": ["string", "number", "boolean", "null"]},
        ]
    },
}
SessionDataField = Annotated[dict[str, Any], WithJsonSchema({_DATA_MARKER: True})]
# Optional in a PATCH but never null: leaving a field out keeps it, null is refused.
_NotNull = SkipJsonSchema[None]
_Version = Annotated[int, Field(ge=1, le=v.VERSION_MAX)]


def _no_null_defaults(schema: dict[str, Any]) -> None:
    """Drop ``default: null`` from fields that may be left out but may not be null (see _NotNull)."""
    for field in schema.get("properties", {}).values():
        if "default" in field and field["default"] is None and "anyOf" not in field:
            del field["default"]


#: The reference's required fields that the sandbox's ``--lenient`` mode lets default (adopted).
LENIENT_DEFAULTS = {
    "SessionCreate": {
        "version": "the application's published version, else its draft version",
        "participants": "none (the caller is still added)",
    },
    "DataPatch": {"version": "the session's version"},
    "ParticipantAdd": {"type": "user"},
}


def relax_required(schemas: dict[str, Any]) -> None:
    """For a ``--lenient`` sandbox: the fields it lets default are optional, marked adopted."""
    for model, fields in LENIENT_DEFAULTS.items():
        schema = schemas.get(model, {})
        required = [name for name in schema.get("required", []) if name not in fields]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        for name, default in fields.items():
            prop = schema.get("properties", {}).get(name, {})
            prop.update(ADOPTED)
            prop["description"] = (
                f"Required by the reference; this --lenient sandbox defaults it to {default}"
            )


def finish_components(schemas: dict[str, Any]) -> None:
    """Add the session data schemas and point the marked fields at them."""
    schemas.update(SESSION_DATA_SCHEMAS)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.pop(_DATA_MARKER, False):
                node["$ref"] = "#/components/schemas/SessionData"
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schemas)


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
    realm: str = Field(min_length=1, description="Must equal the realm in the path")


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

    id: str = Field(min_length=1, max_length=v.PARTICIPANT_ID_MAX, pattern=r"\S", description="Not blank")
    type: Literal["user", "group"] = "user"
    isGuest: bool = False


class ParticipantAdd(Participant):
    """A participant to add to a session; ``type`` is required (ref)."""

    type: Literal["user", "group"]


PropertyValue = (
    Annotated[str, Field(max_length=v.PROPERTY_VALUE_MAX)]
    | Annotated[int, Field(ge=-(2**53), le=2**53)]
    | float
    | bool
)
Properties = dict[Annotated[str, Field(min_length=1, max_length=v.PROPERTY_KEY_MAX)], PropertyValue]


class SessionCreate(_Model):
    """A session to create; version and participants are required (ref; the SDK fills them)."""

    version: _Version
    name: str = Field("", max_length=v.NAME_MAX)
    description: str = Field("", max_length=v.DESCRIPTION_MAX)
    participants: list[Participant] = Field(description="The caller is added automatically (adopted)")
    status: Literal["open", "closed"] = "open"
    properties: Properties | None = Field(None, max_length=v.PROPERTIES_MAX)


class SessionPatch(_Model):
    """Fields to change; absent fields stay. properties (null = none) and participants are replaced whole."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_no_null_defaults)

    version: _Version | _NotNull = None
    name: str | _NotNull = Field(None, max_length=v.NAME_MAX)
    description: str | _NotNull = Field(None, max_length=v.DESCRIPTION_MAX)
    participants: list[Participant] | _NotNull = None
    status: Literal["open", "closed"] | _NotNull = None
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

    data: SessionDataField
    version: _Version = Field(description="The application version the data follows")


class EventId(_Model):
    """The id of the event a change produced."""

    eventId: str


class CustomEvent(_Model):
    """A custom session event (published as session_event_created with customEventType)."""

    eventType: str = Field(pattern=f"^{v.EVENT_TYPE_RE.pattern}$")
    data: SessionDataField | None = Field(default_factory=dict, description="null = {}")


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


Label = Annotated[str, Field(min_length=1, max_length=v.MEDIA_LABEL_MAX, pattern="^[^,]*$")]


class MediaCreate(_Model):
    """Metadata of media whose bytes are uploaded with PUT .../content."""

    filename: str = Field(min_length=1, max_length=v.MEDIA_FILENAME_MAX)
    title: str = Field("", max_length=v.MEDIA_TEXT_MAX)
    description: str = Field("", max_length=v.MEDIA_TEXT_MAX)
    contentType: str = Field("application/octet-stream", min_length=1, max_length=v.CONTENT_TYPE_MAX)
    totalBytes: int = Field(0, ge=0, le=v.MEDIA_BYTES_MAX)
    labels: list[Label] | None = Field(default_factory=list, max_length=v.MEDIA_LABELS_MAX)
    properties: Properties | None = Field(None, max_length=v.PROPERTIES_MAX)


class MediaPatch(_Model):
    """Metadata fields to change, including archived."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_no_null_defaults)

    filename: str | _NotNull = Field(None, min_length=1, max_length=v.MEDIA_FILENAME_MAX)
    title: str | _NotNull = Field(None, max_length=v.MEDIA_TEXT_MAX)
    description: str | _NotNull = Field(None, max_length=v.MEDIA_TEXT_MAX)
    labels: list[Label] | None = Field(None, max_length=v.MEDIA_LABELS_MAX, description="null = none")
    properties: Properties | None = Field(None, max_length=v.PROPERTIES_MAX, description="null = none")
    archived: bool | _NotNull = None


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
    ParticipantAdd,
    DataPatch,
    CustomEvent,
    MediaCreate,
    MediaPatch,
]
