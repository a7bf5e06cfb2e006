"""Reading one field of an API object: type checks, defaults, and errors that name the field.

These readers are the careful path of every model's ``from_json``. The hot models (sessions,
participants, events) first try a fast path that accepts only the canonical shape and fall back to
these readers for anything else, so every error message still comes from here.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from skydesk.api.errors import BadResponse

MISSING: Any = object()


def bad(where: str, key: str, expected: str, value: Any = MISSING) -> BadResponse:
    got = "missing" if value is MISSING else f"{type(value).__name__} instead of {expected}"
    return BadResponse(f"The server sent a malformed {where}: field '{key}' is {got}.")


def as_object(d: object, where: str) -> Mapping[str, Any]:
    if not isinstance(d, Mapping):
        raise BadResponse(f"The server sent a malformed {where}: expected an object, got {type(d).__name__}.")
    return d


def text(d: Mapping[str, Any], key: str, where: str, default: Any = MISSING, *, intern: bool = False) -> str:
    value = d.get(key, MISSING)
    if value is MISSING or (value is None and default is not MISSING):
        if default is MISSING:
            raise bad(where, key, "text")
        return str(default)
    if not isinstance(value, str):
        raise bad(where, key, "text", value)
    return sys.intern(value) if intern else value


def opt_text(d: Mapping[str, Any], key: str, where: str) -> str | None:
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad(where, key, "text", value)
    return value


def whole(d: Mapping[str, Any], key: str, where: str, default: Any = MISSING) -> int:
    value = d.get(key, MISSING)
    if value is MISSING or (value is None and default is not MISSING):
        if default is MISSING:
            raise bad(where, key, "a whole number")
        return int(default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(where, key, "a whole number", value)
    return value


def flag(d: Mapping[str, Any], key: str, where: str, default: bool | None = None) -> bool:
    value = d.get(key, MISSING)
    if value is MISSING or value is None:
        if default is None:
            raise bad(where, key, "true/false")
        return default
    if not isinstance(value, bool):
        raise bad(where, key, "true/false", value)
    return value


def mapping(d: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = d.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad(where, key, "an object", value)
    return value


def array(d: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad(where, key, "a list", value)
    return value


def texts(d: Mapping[str, Any], key: str, where: str, *, intern: bool = False) -> tuple[str, ...]:
    """A list of text (missing or null is empty); an item that is not text is named in the error."""
    items = array(d, key, where)
    for item in items:
        if not isinstance(item, str):
            raise BadResponse(
                f"The server sent a malformed {where}: field '{key}' holds {type(item).__name__} "
                "instead of text."
            )
    return tuple(sys.intern(x) for x in items) if intern else tuple(items)


def parse_datetime(value: str) -> datetime:
    """Parse an RFC 3339 timestamp into an aware datetime (a missing offset means UTC)."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def date(d: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> datetime:
    value = d.get(key, MISSING)
    if value is MISSING or value is None:
        if optional:
            return EPOCH
        raise bad(where, key, "a date-time")
    if not isinstance(value, str):
        raise bad(where, key, "a date-time", value)
    try:
        return parse_datetime(value)
    except ValueError:
        raise BadResponse(
            f"The server sent a malformed {where}: field '{key}' is not a date-time ({value[:40]!r})."
        ) from None


def opt_date(d: Mapping[str, Any], key: str, where: str) -> datetime | None:
    return None if d.get(key) is None else date(d, key, where)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
