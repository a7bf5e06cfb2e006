"""The reference's input limits, checked in the client before any request is sent.

Every ``validate_*`` helper is public and cheap, so a GUI can call it on each keystroke. Helpers for a
single value return an error message or ``None``; helpers for structures return ``list[FieldError]``.
:func:`raise_if` turns collected errors into one :class:`~skydesk.api.errors.ValidationError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from skydesk.api.errors import FieldError, ValidationError

__all__ = [
    "DATA_KEY_MAX",
    "DATA_KEY_RE",
    "DESCRIPTION_MAX",
    "EVENT_TYPE_MAX",
    "LIMIT_MAX",
    "LIMIT_MIN",
    "MEDIA_ARCHIVED_VALUES",
    "MEDIA_DESCRIPTION_MAX",
    "MEDIA_FILENAME_MAX",
    "MEDIA_SORT_FIELDS",
    "MEDIA_TITLE_MAX",
    "NAME_MAX",
    "PARTICIPANT_TYPES",
    "PROPERTIES_MAX",
    "SESSION_SORT_FIELDS",
    "SESSION_STATUSES",
    "check",
    "raise_if",
    "validate_archived",
    "validate_data_keys",
    "validate_description",
    "validate_event_type",
    "validate_limit",
    "validate_media_description",
    "validate_media_filename",
    "validate_media_title",
    "validate_name",
    "validate_participant_type",
    "validate_properties",
    "validate_sort",
    "validate_status",
    "validate_version",
]

NAME_MAX = 255
DESCRIPTION_MAX = 1000
PROPERTIES_MAX = 50
DATA_KEY_MAX = 64
#: Session data keys: letters, digits, "-" and "_", 1 to 64 characters, at every depth.
DATA_KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
LIMIT_MIN = 1
LIMIT_MAX = 200
MEDIA_FILENAME_MAX = 255
MEDIA_TITLE_MAX = 255
MEDIA_DESCRIPTION_MAX = 255
EVENT_TYPE_MAX = 255
PARTICIPANT_TYPES = ("user", "group")
SESSION_STATUSES = ("open", "closed")
SESSION_SORT_FIELDS = ("name", "createdAt", "modifiedAt")
MEDIA_SORT_FIELDS = ("filename", "createdAt", "modifiedAt")
MEDIA_ARCHIVED_VALUES = ("include", "exclude", "only")
_PROPERTY_VALUE_TYPES = (str, int, float, bool)


def _text(value: object, what: str, maximum: int, *, minimum: int = 0) -> str | None:
    if not isinstance(value, str):
        return f"{what} must be text"
    if len(value) < minimum:
        return f"{what} must not be empty"
    if len(value) > maximum:
        return f"{what} is {len(value)} characters long; the limit is {maximum}"
    return None


def validate_name(name: object) -> str | None:
    """Check a session name (at most 255 characters)."""
    return _text(name, "The name", NAME_MAX)


def validate_description(description: object) -> str | None:
    """Check a session description (at most 1000 characters)."""
    return _text(description, "The description", DESCRIPTION_MAX)


def validate_version(version: object) -> str | None:
    """Check an application version number (an integer, at least 1)."""
    if isinstance(version, bool) or not isinstance(version, int):
        return "The version must be a whole number"
    if version < 1:
        return f"The version must be at least 1, not {version}"
    return None


def validate_participant_type(kind: object) -> str | None:
    """Check a participant type (``user`` or ``group``)."""
    if kind not in PARTICIPANT_TYPES:
        return f"The participant type must be 'user' or 'group', not {kind!r}"
    return None


def validate_status(status: object) -> str | None:
    """Check a session status (``open`` or ``closed``)."""
    if status not in SESSION_STATUSES:
        return f"The status must be 'open' or 'closed', not {status!r}"
    return None


def validate_limit(limit: object) -> str | None:
    """Check a page size (1 to 200)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not LIMIT_MIN <= limit <= LIMIT_MAX:
        return f"The page size must be a whole number from {LIMIT_MIN} to {LIMIT_MAX}, not {limit!r}"
    return None


def validate_sort(sort: object, fields: Iterable[str] = SESSION_SORT_FIELDS) -> str | None:
    """Check a sort key: one of ``fields``, optionally prefixed with ``-`` for descending."""
    allowed = tuple(fields)
    if isinstance(sort, str) and sort.removeprefix("-") in allowed:
        return None
    listed = ", ".join(allowed)
    return f"Sorting is possible by {listed} (prefix '-' for descending), not {sort!r}"


def validate_archived(archived: object) -> str | None:
    """Check the media ``archived`` filter (include, exclude or only)."""
    if archived not in MEDIA_ARCHIVED_VALUES:
        return f"The archived filter must be include, exclude or only, not {archived!r}"
    return None


def validate_event_type(event_type: object) -> str | None:
    """Check a custom session event type (non-empty text, at most 255 characters)."""
    return _text(event_type, "The event type", EVENT_TYPE_MAX, minimum=1)


def validate_media_filename(filename: object) -> str | None:
    """Check a media filename (1 to 255 characters)."""
    return _text(filename, "The filename", MEDIA_FILENAME_MAX, minimum=1)


def validate_media_title(title: object) -> str | None:
    """Check a media title (at most 255 characters)."""
    return _text(title, "The title", MEDIA_TITLE_MAX)


def validate_media_description(description: object) -> str | None:
    """Check a media description (at most 255 characters)."""
    return _text(description, "The description", MEDIA_DESCRIPTION_MAX)


def validate_properties(properties: object, *, field: str = "properties") -> list[FieldError]:
    """Check a properties dictionary: at most 50 text keys, values text, numbers or booleans."""
    if not isinstance(properties, Mapping):
        return [FieldError(field, "Properties must be a dictionary of names to values")]
    errors: list[FieldError] = []
    if len(properties) > PROPERTIES_MAX:
        errors.append(
            FieldError(field, f"There are {len(properties)} properties; the limit is {PROPERTIES_MAX}")
        )
    for key, value in properties.items():
        if not isinstance(key, str) or not key:
            errors.append(FieldError(field, f"Property name {key!r} must be non-empty text"))
        elif not isinstance(value, _PROPERTY_VALUE_TYPES):
            errors.append(
                FieldError(f"{field}.{key}", "A property value must be text, a number or true/false")
            )
    return errors


def validate_data_keys(obj: object, *, field: str = "data", keys: bool = True) -> list[FieldError]:
    """Check every key of session data at every depth, reporting paths like ``data.steps.0.bad key``.

    Also rejects values that cannot be sent as JSON; with ``keys=False`` only that is checked.
    """
    errors: list[FieldError] = []
    # Iterative walk: deeply nested data must not hit the recursion limit.
    stack: list[tuple[str, object]] = [(field, obj)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, Mapping):
            for key, child in value.items():
                child_path = f"{path}.{key}"
                if not isinstance(key, str):
                    errors.append(FieldError(child_path, f"Key {key!r} must be text"))
                elif keys and not DATA_KEY_RE.fullmatch(key):
                    errors.append(
                        FieldError(
                            child_path,
                            f"Key {key!r} must be 1-{DATA_KEY_MAX} letters, digits, '-' or '_'",
                        )
                    )
                stack.append((child_path, child))
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}.{i}", child) for i, child in enumerate(value))
        elif value is not None and not isinstance(value, str | int | float | bool):
            errors.append(FieldError(path, f"A value of type {type(value).__name__} cannot be sent as JSON"))
        elif isinstance(value, float) and not _finite(value):
            errors.append(FieldError(path, "NaN and infinity cannot be sent as JSON"))
    errors.sort(key=lambda e: e.field)
    return errors


def _finite(value: float) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return False
    return True


def check(field: str, message: str | None) -> list[FieldError]:
    """Wrap a single-value helper's result as a list for :func:`raise_if`."""
    return [] if message is None else [FieldError(field, message)]


def raise_if(errors: list[FieldError]) -> None:
    """Raise one ValidationError listing ``errors``, if there are any."""
    if errors:
        raise ValidationError.from_fields(errors)
