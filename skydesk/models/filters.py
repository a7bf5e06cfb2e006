"""Session list filters: what goes to the server, and the same rules applied to live events."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skydesk.api import Session

SORT_KEYS = ("name", "createdAt", "modifiedAt")
_PROPERTY_KEY_RE = re.compile(r"^[\w.\-]{1,64}$")


def parse_property_filter(text: str) -> tuple[str, list[str]]:
    """Parse `"site = A, B"` into `("site", ["A", "B"])`; raises ValueError with a plain message."""
    if "=" not in text:
        raise ValueError(f"Write a property filter as key = value, value (got {text.strip()!r})")
    key, _, rest = text.partition("=")
    key = key.strip()
    if not key:
        raise ValueError("The property filter has no key before '='")
    if not _PROPERTY_KEY_RE.match(key):
        raise ValueError(f"Property key {key!r} may only hold letters, digits, '.', '-' and '_'")
    values = [v.strip() for v in rest.split(",")]
    values = [v for v in values if v]
    if not values:
        raise ValueError(f"The property filter for {key!r} has no value after '='")
    return key, values


def _split_ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _prop_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class SessionFilters:
    """The filters and sort of the session list, as the user set them."""

    status: str | None = None  # "open", "closed" or None for all
    name: str = ""
    participant: str = ""  # one id, or several separated by commas (any of them matches)
    properties: dict[str, list[str]] = field(default_factory=dict)
    created_from: datetime | None = None
    created_to: datetime | None = None
    modified_from: datetime | None = None
    modified_to: datetime | None = None
    created_by: str = ""  # one id, or several separated by commas
    sort: str | None = None  # "name", "-createdAt", ...; None = creation order

    def with_sort(self, sort: str | None) -> SessionFilters:
        """A copy with another sort order."""
        return replace(self, sort=sort)

    @property
    def advanced_count(self) -> int:
        """How many of the "More filters" are in effect (participant, creator, properties, two dates)."""
        return sum(
            (
                bool(_split_ids(self.participant)),
                bool(_split_ids(self.created_by)),
                bool(self.properties),
                self.created_from is not None or self.created_to is not None,
                self.modified_from is not None or self.modified_to is not None,
            )
        )

    @property
    def is_filtered(self) -> bool:
        """Whether any filter (not the sort) narrows the list."""
        return bool(self.status or self.name.strip() or self.advanced_count)

    def cleared(self) -> SessionFilters:
        """No filters, the same sort."""
        return SessionFilters(sort=self.sort)

    def to_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `SkylightClient.list_sessions` (only the filters that are set)."""
        kwargs: dict[str, Any] = {}
        if self.status:
            kwargs["status"] = self.status
        if self.name.strip():
            kwargs["name"] = self.name.strip()
        if _split_ids(self.participant):
            kwargs["participants"] = _split_ids(self.participant)
        if self.properties:
            kwargs["properties"] = {k: list(v) for k, v in self.properties.items()}
        if _split_ids(self.created_by):
            kwargs["created_by"] = _split_ids(self.created_by)
        for key in ("created_from", "created_to", "modified_from", "modified_to"):
            value = getattr(self, key)
            if value is not None:
                kwargs[key] = value
        if self.sort:
            kwargs["sort"] = self.sort
        return kwargs

    def matches(self, session: Session) -> bool:
        """Whether `session` belongs in a list filtered like this (the server's rules, applied locally)."""
        if self.status and session.status != self.status:
            return False
        needle = self.name.strip().casefold()
        if needle and needle not in session.name.casefold():
            return False
        wanted = _split_ids(self.participant)
        if wanted and not any(p.id in wanted for p in session.participants):
            return False
        creators = _split_ids(self.created_by)
        if creators and session.created_by not in creators:
            return False
        for key, values in self.properties.items():
            if key not in session.properties or _prop_text(session.properties[key]) not in values:
                return False
        return _in_range(session.created_at, self.created_from, self.created_to) and _in_range(
            session.modified_at, self.modified_from, self.modified_to
        )

    def sort_key(self, session: Session) -> tuple[Any, ...]:
        """Ascending key of `session` under the current sort (direction: see `descending`).

        The server's rule: the sort field (names compared case-insensitively, by `casefold()`), then
        creation order for ties, both in the same direction. Creation time stands in for creation order.
        """
        field_name = (self.sort or "createdAt").lstrip("-")
        if field_name == "name":
            return (session.name.casefold(), session.created_at)
        if field_name == "modifiedAt":
            return (session.modified_at, session.created_at)
        return (session.created_at,)

    @property
    def descending(self) -> bool:
        """True when the sort order is descending (`-key`)."""
        return bool(self.sort and self.sort.startswith("-"))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for the settings file."""
        return {
            "status": self.status,
            "name": self.name,
            "participant": self.participant,
            "properties": {k: list(v) for k, v in self.properties.items()},
            "created_from": _iso(self.created_from),
            "created_to": _iso(self.created_to),
            "modified_from": _iso(self.modified_from),
            "modified_to": _iso(self.modified_to),
            "created_by": self.created_by,
            "sort": self.sort,
        }

    @classmethod
    def from_json(cls, data: Any) -> SessionFilters:
        """Rebuild from settings; anything malformed falls back to 'no filter' for that field."""
        if not isinstance(data, dict):
            return cls()
        props_raw = data.get("properties") or {}
        props: dict[str, list[str]] = {}
        if isinstance(props_raw, dict):
            for key, values in props_raw.items():
                if isinstance(values, list) and values:
                    props[str(key)] = [str(v) for v in values]
        status = data.get("status")
        sort = data.get("sort")
        return cls(
            status=status if status in ("open", "closed") else None,
            name=str(data.get("name") or ""),
            participant=str(data.get("participant") or ""),
            properties=props,
            created_from=_from_iso(data.get("created_from")),
            created_to=_from_iso(data.get("created_to")),
            modified_from=_from_iso(data.get("modified_from")),
            modified_to=_from_iso(data.get("modified_to")),
            created_by=str(data.get("created_by") or ""),
            sort=sort if isinstance(sort, str) and sort.lstrip("-") in SORT_KEYS else None,
        )


def _in_range(value: datetime, start: datetime | None, end: datetime | None) -> bool:
    # Inclusive on both ends, like the server (CONTRACT §2).
    if start is not None and value < start:
        return False
    return not (end is not None and value > end)
