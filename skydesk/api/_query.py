"""Building paths and query strings: escaped ids, comma lists, RFC 3339 dates, ``prop.*`` filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import quote

from skydesk.api.errors import FieldError
from skydesk.api.limits import LIST_VALUES_MAX
from skydesk.api.validation import check, raise_if, validate_limit, validate_sort

APPS = "/v1/application/applications"


def segment(value: str, field: str) -> str:
    """One path segment; ids are escaped so a "/" or ".." in an id can never change the path."""
    if not isinstance(value, str) or not value:
        raise_if([FieldError(field, "An id is required")])
    return quote(value, safe="")


def app_path(application_id: str, *rest: str) -> str:
    """``/v1/application/applications/{applicationId}/...``."""
    return "/".join([APPS, segment(application_id, "application_id"), *rest])


def session_path(application_id: str, session_id: str, *rest: str) -> str:
    """``.../applications/{applicationId}/sessions/{sessionId}/...``."""
    return app_path(application_id, "sessions", segment(session_id, "session_id"), *rest)


def rfc3339(value: datetime) -> str:
    """A date for a filter; a naive datetime is taken as local time, as a person would mean it."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Query:
    """Collects query parameters and the validation errors found while adding them."""

    def __init__(self) -> None:
        self.params: dict[str, str] = {}
        self.errors: list[FieldError] = []

    def text(self, key: str, value: str | None) -> Query:
        """Add a plain text parameter when given."""
        if value is not None:
            if not isinstance(value, str):
                self.errors.append(FieldError(key, "must be text"))
            else:
                self.params[key] = value
        return self

    def ids(self, key: str, values: Sequence[str] | str | None) -> Query:
        """Add a comma-separated list (a single string counts as a one-item list)."""
        if values is None:
            return self
        items = [values] if isinstance(values, str) else list(values)
        bad = [v for v in items if not isinstance(v, str) or not v or "," in v]
        if bad:
            self.errors.append(FieldError(key, f"values must be non-empty text without commas: {bad[0]!r}"))
        elif len(items) > LIST_VALUES_MAX:
            self.errors.append(FieldError(key, f"at most {LIST_VALUES_MAX} values, not {len(items)}"))
        elif items:
            self.params[key] = ",".join(items)
        return self

    def date(self, key: str, value: datetime | None) -> Query:
        """Add a date-time filter."""
        if value is not None:
            if not isinstance(value, datetime):
                self.errors.append(FieldError(key, "must be a date and time"))
            else:
                self.params[key] = rfc3339(value)
        return self

    def props(self, properties: Mapping[str, str | Sequence[str]] | None) -> Query:
        """Add ``prop.<key>=A,B`` filters (any listed value matches; different keys must all match)."""
        for key, value in (properties or {}).items():
            if not isinstance(key, str) or not key:
                self.errors.append(FieldError("properties", f"filter name {key!r} must be non-empty text"))
                continue
            self.ids(f"prop.{key}", value)
        return self

    def who_and_when(
        self,
        created_by: Sequence[str] | None,
        modified_by: Sequence[str] | None,
        created_from: datetime | None,
        created_to: datetime | None,
        modified_from: datetime | None,
        modified_to: datetime | None,
    ) -> Query:
        """Add the author and date-range filters that sessions and media share (dates inclusive)."""
        self.ids("createdBy", created_by).ids("modifiedBy", modified_by)
        self.date("createdFrom", created_from).date("createdTo", created_to)
        return self.date("modifiedFrom", modified_from).date("modifiedTo", modified_to)

    def limit(self, value: int | None) -> Query:
        """Add the page size (1-200)."""
        if value is not None:
            self.errors += check("limit", validate_limit(value))
            self.params["limit"] = str(value)
        return self

    def sort(self, value: str | None, fields: Sequence[str]) -> Query:
        """Add the sort key, checked against ``fields``."""
        if value is not None:
            self.errors += check("sort", validate_sort(value, fields))
            self.params["sort"] = str(value)
        return self

    def cursors(self, next_cursor: str | None, prev_cursor: str | None) -> Query:
        """Add the paging cursor (the API ignores prevCursor when both are given, so we send one)."""
        if next_cursor:
            self.params["nextCursor"] = next_cursor
        elif prev_cursor:
            self.params["prevCursor"] = prev_cursor
        return self

    def done(self) -> dict[str, str]:
        """The parameters, or a ValidationError listing every problem found."""
        raise_if(self.errors)
        return self.params
