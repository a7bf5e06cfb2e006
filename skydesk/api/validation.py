"""The reference's input limits, checked in the client before any request is sent.

Every ``validate_*`` helper is public and cheap, so a GUI can call it on each keystroke. Helpers for a
single value return an error message or ``None``; helpers for structures return ``list[FieldError]``.
:func:`raise_if` turns collected errors into one :class:`~skydesk.api.errors.ValidationError`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping

from skydesk.api.errors import FieldError, ValidationError
from skydesk.api.limits import (
    CONTENT_TYPE_MAX,
    CONTENT_TYPE_RE,
    DATA_DEPTH_MAX,
    DATA_KEY_MAX,
    DATA_KEY_RE,
    DESCRIPTION_MAX,
    EVENT_TYPE_MAX,
    EVENT_TYPE_RE,
    LIMIT_MAX,
    LIMIT_MIN,
    MEDIA_BYTES_MAX,
    MEDIA_DESCRIPTION_MAX,
    MEDIA_FILENAME_MAX,
    MEDIA_LABEL_MAX,
    MEDIA_LABELS_MAX,
    MEDIA_TITLE_MAX,
    NAME_MAX,
    PARTICIPANT_ID_MAX,
    PARTICIPANT_TYPES,
    PROPERTIES_MAX,
    PROPERTY_KEY_MAX,
    PROPERTY_VALUE_MAX,
    SESSION_STATUSES,
    VERSION_MAX,
    VERSION_MIN,
)

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
    "property_strings",
    "property_text",
    "raise_if",
    "validate_archived",
    "validate_content_type",
    "validate_data_keys",
    "validate_description",
    "validate_event_type",
    "validate_labels",
    "validate_limit",
    "validate_media_description",
    "validate_media_filename",
    "validate_media_title",
    "validate_name",
    "validate_participant_id",
    "validate_participant_type",
    "validate_properties",
    "validate_sort",
    "validate_status",
    "validate_total_bytes",
    "validate_version",
]

#: ``_id`` (and ``-_id``) is creation order, the reference's own example and the media list's default.
SESSION_SORT_FIELDS = ("name", "createdAt", "modifiedAt", "_id")
MEDIA_SORT_FIELDS = ("filename", "name", "createdAt", "modifiedAt", "_id")  # name: filename
MEDIA_ARCHIVED_VALUES = ("include", "exclude", "only")


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
    """Check an application version number (an integer from 1 to 2^31-1)."""
    if isinstance(version, bool) or not isinstance(version, int):
        return "The version must be a whole number"
    if version < VERSION_MIN:
        return f"The version must be at least {VERSION_MIN}, not {version}"
    if version > VERSION_MAX:
        return f"The version must be at most {VERSION_MAX}, not {version}"
    return None


def validate_participant_id(pid: object) -> str | None:
    """Check a participant id (non-blank text, at most 255 characters)."""
    if not isinstance(pid, str) or not pid.strip():
        return "A participant needs an id"
    return _text(pid, "The participant id", PARTICIPANT_ID_MAX)


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
    """Check a custom session event type (1-64 letters, digits or any of ``. _ : -``)."""
    if isinstance(event_type, str) and EVENT_TYPE_RE.fullmatch(event_type):
        return None
    return f"The event type must be 1-{EVENT_TYPE_MAX} letters, digits or any of . _ : -, not {event_type!r}"[
        :300
    ]


def validate_content_type(content_type: object) -> str | None:
    """Check a media content type: ``type/subtype`` as RFC 6838 defines it (at most 255 characters)."""
    if (
        isinstance(content_type, str)
        and len(content_type) <= CONTENT_TYPE_MAX
        and CONTENT_TYPE_RE.fullmatch(content_type)
    ):
        return None
    return "The content type must be a media type such as image/jpeg (RFC 6838 type/subtype)"


def validate_total_bytes(total: object) -> str | None:
    """Check a media size in bytes (0 to 2 GiB)."""
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= MEDIA_BYTES_MAX:
        return f"The size must be a whole number of bytes from 0 to {MEDIA_BYTES_MAX}"
    return None


def validate_labels(labels: object, *, field: str = "labels") -> list[FieldError]:
    """Check media labels: at most 50, each 1-64 characters without commas."""
    if isinstance(labels, str | bytes) or not isinstance(labels, list | tuple):
        return [FieldError(field, "Labels must be a list of text")]
    if len(labels) > MEDIA_LABELS_MAX:
        return [FieldError(field, f"There are {len(labels)} labels; the limit is {MEDIA_LABELS_MAX}")]
    return [
        FieldError(f"{field}.{i}", f"Every label must be 1-{MEDIA_LABEL_MAX} characters without commas")
        for i, label in enumerate(labels)
        if not isinstance(label, str) or not 1 <= len(label) <= MEDIA_LABEL_MAX or "," in label
    ]


def validate_media_filename(filename: object) -> str | None:
    """Check a media filename (1 to 255 characters)."""
    return _text(filename, "The filename", MEDIA_FILENAME_MAX, minimum=1)


def validate_media_title(title: object) -> str | None:
    """Check a media title (at most 255 characters)."""
    return _text(title, "The title", MEDIA_TITLE_MAX)


def validate_media_description(description: object) -> str | None:
    """Check a media description (at most 255 characters)."""
    return _text(description, "The description", MEDIA_DESCRIPTION_MAX)


def property_text(value: object) -> str | None:
    """A property value in the form the SDK sends (CONTRACT §4): text as is, ``true``/``false``,
    numbers as Python writes them; None for anything else (including NaN and infinity)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    return None


def validate_properties(properties: object, *, field: str = "properties") -> list[FieldError]:
    """Check a properties dictionary: at most 50 keys of 1-64 characters, values text (at most 1000
    characters once written as text), numbers or booleans; the SDK sends every value as text."""
    if not isinstance(properties, Mapping):
        return [FieldError(field, "Properties must be a dictionary of names to values")]
    errors: list[FieldError] = []
    if len(properties) > PROPERTIES_MAX:
        errors.append(
            FieldError(field, f"There are {len(properties)} properties; the limit is {PROPERTIES_MAX}")
        )
    for key, value in properties.items():
        if not isinstance(key, str) or not 1 <= len(key) <= PROPERTY_KEY_MAX:
            errors.append(
                FieldError(field, f"Property name {key!r} must be 1-{PROPERTY_KEY_MAX} characters"[:300])
            )
            continue
        written = property_text(value)
        if written is None:
            errors.append(
                FieldError(f"{field}.{key}", "A property value must be text, a number or true/false")
            )
        elif len(written) > PROPERTY_VALUE_MAX:
            errors.append(
                FieldError(
                    f"{field}.{key}", f"A property value may have at most {PROPERTY_VALUE_MAX} characters"
                )
            )
    return errors


def property_strings(properties: Mapping[str, object]) -> dict[str, str]:
    """Every property value as the text the SDK sends (checked first with :func:`validate_properties`)."""
    raise_if(validate_properties(properties))
    return {key: str(property_text(value)) for key, value in properties.items()}


def validate_data_keys(obj: object, *, field: str = "data", keys: bool = True) -> list[FieldError]:
    """Check every key of session data at every depth, reporting paths like ``data.steps.0.bad key``.

    Also rejects values nested deeper than 32 levels and values that cannot be sent as JSON; with
    ``keys=False`` only those are checked.
    """
    errors: list[FieldError] = []
    # Iterative walk: deeply nested data must not hit the recursion limit.
    stack: list[tuple[str, object, int]] = [(field, obj, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > DATA_DEPTH_MAX:
            errors.append(FieldError(path[:300], f"Data may be nested at most {DATA_DEPTH_MAX} levels deep"))
            continue
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
                stack.append((child_path, child, depth + 1))
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}.{i}", child, depth + 1) for i, child in enumerate(value))
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
