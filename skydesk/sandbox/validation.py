"""Checks of request bodies against the contract's limits; every problem becomes a 400 detail.

Each ``*_body`` function takes parsed JSON and returns the normalised fields, or raises
:class:`BadRequest` listing every invalid field (not just the first).
"""

from __future__ import annotations

import math
from typing import Any

# The limits come from the SDK's one table (CONTRACT §4), so the two can never drift apart; the
# checks below are the sandbox's own, and tests/api/test_limits_table.py compares their verdicts.
from skydesk.api.limits import (
    CONTENT_TYPE_MAX,
    CONTENT_TYPE_RE,
    DATA_DEPTH_MAX,
    DATA_KEY_RE,
    DESCRIPTION_MAX,
    EVENT_TYPE_RE,
    MEDIA_BODY_MAX,
    MEDIA_BYTES_MAX,
    MEDIA_FILENAME_MAX,
    MEDIA_LABEL_MAX,
    MEDIA_LABELS_MAX,
    NAME_MAX,
    PARTICIPANT_ID_MAX,
    PARTICIPANT_TYPES,
    PROPERTIES_MAX,
    PROPERTY_KEY_MAX,
    PROPERTY_VALUE_MAX,
    VERSION_MAX,
)
from skydesk.api.limits import MEDIA_TITLE_MAX as MEDIA_TEXT_MAX
from skydesk.api.limits import SESSION_STATUSES as STATUSES

from .errors import BadRequest, FieldProblem

REQUIRED = "is required"

# The limits are re-exported for the schemas, routes and filters, which read them from here.
__all__ = [
    "CONTENT_TYPE_MAX",
    "DATA_KEY_RE",
    "DESCRIPTION_MAX",
    "EVENT_TYPE_RE",
    "MEDIA_BODY_MAX",
    "MEDIA_BYTES_MAX",
    "MEDIA_FILENAME_MAX",
    "MEDIA_LABELS_MAX",
    "MEDIA_LABEL_MAX",
    "MEDIA_TEXT_MAX",
    "NAME_MAX",
    "PARTICIPANT_ID_MAX",
    "PROPERTIES_MAX",
    "PROPERTY_KEY_MAX",
    "PROPERTY_VALUE_MAX",
    "STATUSES",
    "VERSION_MAX",
    "Problems",
    "custom_event_body",
    "data_keys",
    "data_patch_body",
    "media_create_body",
    "media_patch_body",
    "merge_patch",
    "participant",
    "participant_body",
    "properties",
    "require_object",
    "session_create_body",
    "session_patch_body",
]


class Problems:
    """Collects field problems so one 400 can report all of them."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, field: str, message: str) -> None:
        """Record one invalid field."""
        self.items.append(FieldProblem(field, message))

    def raise_if_any(self) -> None:
        """Raise a 400 listing every recorded problem."""
        if self.items:
            raise BadRequest.invalid(self.items)


def require_object(body: Any, field: str = "body") -> dict[str, Any]:
    """``body`` if it is a JSON object; otherwise a 400."""
    if not isinstance(body, dict):
        raise BadRequest.invalid([FieldProblem(field, "must be a JSON object")])
    return body


def _text(
    body: dict[str, Any], key: str, max_len: int, problems: Problems, *, min_len: int = 0, prefix: str = ""
) -> str | None:
    if key not in body:
        return None
    value = body[key]
    if not isinstance(value, str):
        problems.add(prefix + key, "must be a string")
        return None
    if len(value) < min_len:
        problems.add(prefix + key, f"must be at least {min_len} character{'s' if min_len > 1 else ''} long")
        return None
    if len(value) > max_len:
        problems.add(prefix + key, f"must be at most {max_len} characters long (got {len(value)})")
        return None
    return value


def _is_int(value: Any) -> bool:
    # JSON true/false arrive as Python bools, which are ints; they are not numbers here.
    return isinstance(value, int) and not isinstance(value, bool)


def _whole_number(value: Any) -> int | None:
    """``value`` as an int if it is a JSON integer; ``3.0`` counts (JSON has one number type)."""
    if _is_int(value):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _version(body: dict[str, Any], problems: Problems) -> int | None:
    if "version" not in body or body["version"] is None:
        return None
    value = _whole_number(body["version"])
    if value is None:
        problems.add("version", "must be an integer")
    elif value < 1:
        problems.add("version", "must be at least 1")
    elif value > VERSION_MAX:
        problems.add("version", f"must be at most {VERSION_MAX}")
    else:
        return int(value)
    return None


def _status(body: dict[str, Any], problems: Problems) -> str | None:
    if "status" not in body:
        return None
    value = body["status"]
    if value not in STATUSES:
        problems.add("status", "must be one of: open, closed")
        return None
    return str(value)


def participant(value: Any, field: str, problems: Problems) -> dict[str, Any] | None:
    """A normalised participant ``{id, type, isGuest}`` or None (with problems recorded)."""
    if not isinstance(value, dict):
        problems.add(field, "must be an object with id and type")
        return None
    ok = True
    pid = value.get("id")
    if not isinstance(pid, str) or not pid.strip():
        problems.add(f"{field}.id", "is required and must be a non-empty string")
        ok = False
    elif len(pid) > PARTICIPANT_ID_MAX:
        problems.add(f"{field}.id", f"must be at most {PARTICIPANT_ID_MAX} characters long")
        ok = False
    kind = value.get("type", "user")
    if kind not in PARTICIPANT_TYPES:
        problems.add(f"{field}.type", "must be one of: user, group")
        ok = False
    guest = value.get("isGuest", False)
    if not isinstance(guest, bool):
        problems.add(f"{field}.isGuest", "must be true or false")
        ok = False
    return {"id": pid, "type": kind, "isGuest": guest} if ok else None


def _participants(body: dict[str, Any], problems: Problems) -> list[dict[str, Any]] | None:
    if "participants" not in body or body["participants"] is None:
        return None
    value = body["participants"]
    if not isinstance(value, list):
        problems.add("participants", "must be an array of participants")
        return None
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        p = participant(item, f"participants[{i}]", problems)
        if p is not None and p["id"] not in seen:  # the same id twice is one participant
            seen.add(p["id"])
            result.append(p)
    return result


def properties(value: Any, field: str, problems: Problems) -> dict[str, Any] | None:
    """A checked properties object (null counts as empty), or None when invalid."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(field, "must be an object")
        return None
    if len(value) > PROPERTIES_MAX:
        problems.add(field, f"may have at most {PROPERTIES_MAX} keys (got {len(value)})")
        return None
    before = len(problems.items)
    for key, item in value.items():
        if not key or len(key) > PROPERTY_KEY_MAX:
            problems.add(f"{field}.{key}", f"keys must be 1-{PROPERTY_KEY_MAX} characters long")
        elif isinstance(item, bool) or (isinstance(item, int | float) and math.isfinite(item)):
            if _is_int(item) and abs(item) > 2**53:
                problems.add(f"{field}.{key}", "integers must be within ±2^53")
        elif isinstance(item, str):
            if len(item) > PROPERTY_VALUE_MAX:
                problems.add(f"{field}.{key}", f"must be at most {PROPERTY_VALUE_MAX} characters long")
        else:
            problems.add(f"{field}.{key}", "must be a string, number or boolean")
    return dict(value) if len(problems.items) == before else None


def data_keys(value: Any, path: str, problems: Problems, depth: int = 0) -> None:
    """Check every object key at every depth against ``[A-Za-z0-9_-]{1,64}``."""
    if depth > DATA_DEPTH_MAX:
        problems.add(path, f"is nested deeper than {DATA_DEPTH_MAX} levels")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not DATA_KEY_RE.fullmatch(key):
                problems.add(
                    f"{path}.{key}"[:300],
                    "keys may contain only letters, digits, '-' and '_', 1-64 characters",
                )
            else:
                data_keys(item, f"{path}.{key}", problems, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            data_keys(item, f"{path}[{i}]", problems, depth + 1)


def _require(body: dict[str, Any], keys: tuple[str, ...], problems: Problems, lenient: bool) -> None:
    """Record every required key that is absent or null (the reference's ``*`` fields), unless lenient."""
    if lenient:
        return
    for key in keys:
        if body.get(key) is None:
            problems.add(key, REQUIRED)


def session_create_body(body: Any, *, lenient: bool = False) -> dict[str, Any]:
    """Fields of a session to create: name, description, participants, status, properties, version.

    ``version`` and ``participants`` are required (ref); ``lenient`` (the sandbox's ``--lenient``)
    lets them default instead: version None (the caller picks published, else draft) and no one.
    """
    body = require_object(body)
    problems = Problems()
    _require(body, ("version", "participants"), problems, lenient)
    fields = {
        "name": _text(body, "name", NAME_MAX, problems) or "",
        "description": _text(body, "description", DESCRIPTION_MAX, problems) or "",
        "participants": _participants(body, problems) or [],
        "status": _status(body, problems) or "open",
        "properties": properties(body.get("properties"), "properties", problems) or {},
        "version": _version(body, problems),
    }
    problems.raise_if_any()
    return fields


def session_patch_body(body: Any) -> dict[str, Any]:
    """Only the fields present in a session patch, checked."""
    body = require_object(body)
    problems = Problems()
    patch: dict[str, Any] = {}
    for key, max_len in (("name", NAME_MAX), ("description", DESCRIPTION_MAX)):
        value = _text(body, key, max_len, problems)
        if value is not None:
            patch[key] = value
    if "participants" in body:
        if body["participants"] is None:
            problems.add("participants", "must be an array of participants")
        people = _participants(body, problems)
        if people is not None:
            patch["participants"] = people
    if "status" in body:
        status = _status(body, problems)
        if status is not None:
            patch["status"] = status
    if "properties" in body:
        props = properties(body["properties"], "properties", problems)
        if props is not None:
            patch["properties"] = props
    if "version" in body:
        if body["version"] is None:
            problems.add("version", "must be an integer")
        version = _version(body, problems)
        if version is not None:
            patch["version"] = version
    problems.raise_if_any()
    return patch


def participant_body(body: Any, *, lenient: bool = False) -> dict[str, Any]:
    """A participant to add; ``type`` is required (ref) unless ``lenient`` (then it defaults to user)."""
    problems = Problems()
    body = require_object(body)
    if not lenient and "type" not in body:
        problems.add("body.type", REQUIRED)
    result = participant(body, "body", problems)
    # Report fields as the client named them ("id", not "body.id").
    problems.items = [FieldProblem(p.field.removeprefix("body."), p.message) for p in problems.items]
    problems.raise_if_any()
    assert result is not None
    return result


def data_patch_body(body: Any, *, lenient: bool = False) -> tuple[dict[str, Any], int | None]:
    """The ``data`` object of a data patch (keys checked at every depth) and its version.

    ``version`` is required (ref); only ``lenient`` lets it be left out (None: the session's own).
    """
    body = require_object(body)
    problems = Problems()
    _require(body, ("version",), problems, lenient)
    data = body.get("data")
    if not isinstance(data, dict):
        problems.add("data", "is required and must be an object")
    else:
        data_keys(data, "data", problems)
    version = _version(body, problems)
    problems.raise_if_any()
    assert isinstance(data, dict)
    return data, version


def custom_event_body(body: Any) -> tuple[str, dict[str, Any]]:
    """The ``eventType`` and ``data`` of a custom session event."""
    body = require_object(body)
    problems = Problems()
    event_type = body.get("eventType")
    if not isinstance(event_type, str) or not EVENT_TYPE_RE.fullmatch(event_type):
        problems.add("eventType", "is required: 1-64 letters, digits or any of . _ : -")
    data = body.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.add("data", "must be an object")
    else:
        data_keys(data, "data", problems)
    problems.raise_if_any()
    return str(event_type), data


def _labels(body: dict[str, Any], problems: Problems) -> list[str] | None:
    if "labels" not in body or body["labels"] is None:
        return None
    value = body["labels"]
    if not isinstance(value, list) or len(value) > MEDIA_LABELS_MAX:
        problems.add("labels", f"must be an array of at most {MEDIA_LABELS_MAX} strings")
        return None
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not 1 <= len(item) <= MEDIA_LABEL_MAX or "," in item:
            problems.add(f"labels[{i}]", f"must be 1-{MEDIA_LABEL_MAX} characters without commas")
        elif item not in out:
            out.append(item)
    return out


def _content_type(body: dict[str, Any], problems: Problems) -> str:
    """A valid RFC 6838 ``type/subtype`` (default application/octet-stream); it becomes a header."""
    value = _text(body, "contentType", CONTENT_TYPE_MAX, problems, min_len=1)
    if value is not None and not CONTENT_TYPE_RE.fullmatch(value):
        problems.add("contentType", "must be a media type type/subtype (RFC 6838), e.g. image/jpeg")
    return value or "application/octet-stream"


def media_create_body(body: Any) -> dict[str, Any]:
    """Metadata of media to create: filename, contentType, totalBytes and optional title etc."""
    body = require_object(body)
    problems = Problems()
    fields: dict[str, Any] = {
        "filename": _text(body, "filename", MEDIA_FILENAME_MAX, problems, min_len=1),
        "title": _text(body, "title", MEDIA_TEXT_MAX, problems) or "",
        "description": _text(body, "description", MEDIA_TEXT_MAX, problems) or "",
        "content_type": _content_type(body, problems),
        "labels": _labels(body, problems) or [],
        "properties": properties(body.get("properties"), "properties", problems) or {},
    }
    if "filename" not in body:
        problems.add("filename", "is required")
    total = _whole_number(body.get("totalBytes", 0))
    if total is None or not 0 <= total <= MEDIA_BYTES_MAX:
        problems.add("totalBytes", f"must be an integer from 0 to {MEDIA_BYTES_MAX}")
    fields["total_bytes"] = total
    problems.raise_if_any()
    return fields


def media_patch_body(body: Any) -> dict[str, Any]:
    """Only the media metadata fields present in a patch, checked (``archived`` included)."""
    body = require_object(body)
    problems = Problems()
    patch: dict[str, Any] = {}
    for key, column, max_len, min_len in (
        ("filename", "filename", MEDIA_FILENAME_MAX, 1),
        ("title", "title", MEDIA_TEXT_MAX, 0),
        ("description", "description", MEDIA_TEXT_MAX, 0),
    ):
        value = _text(body, key, max_len, problems, min_len=min_len)
        if value is not None:
            patch[column] = value
    if "labels" in body:
        labels = _labels(body, problems)
        patch["labels"] = labels or []
    if "properties" in body:
        props = properties(body["properties"], "properties", problems)
        if props is not None:
            patch["properties"] = props
    if "archived" in body:
        if not isinstance(body["archived"], bool):
            problems.add("archived", "must be true or false")
        else:
            patch["archived"] = body["archived"]
    problems.raise_if_any()
    return patch


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: objects merge recursively, null deletes, anything else replaces.

    Deliberately not shared with ``skydesk.api.merge_patch``: the sandbox is the independent implementation
    the SDK is tested against (tests/api/test_merge.py compares the two).
    """
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
