"""Query-string filters of the list endpoints, turned into SQL conditions over indexed lookup tables."""

# SQL here is assembled from constant fragments and "?" placeholders only; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from skydesk.api.limits import LIST_VALUES_MAX  # per comma list; keeps SQL parameter counts bounded

from .errors import BadRequest, FieldProblem
from .paging import ListQuery
from .validation import STATUSES

# Names sort case-insensitively: by their casefold() key (stored and indexed), ties in creation order.
SESSION_SORTS = {"name": "s.name_folded", "createdAt": "s.created_at", "modifiedAt": "s.modified_at"}
MEDIA_SORTS = {
    "filename": "m.filename_key",
    "name": "m.filename_key",
    "createdAt": "m.created_at",
    "modifiedAt": "m.modified_at",
}
EVENT_SORTS = {"createdAt": "e.created_at"}
APPLICATION_SORTS = {"name": "casefold(a.name)", "createdAt": "a.created_at"}  # few rows: no index
ARCHIVED = ("include", "exclude", "only")
_DATE_BOUNDS = (
    ("createdFrom", "created_at", ">="),
    ("createdTo", "created_at", "<="),
    ("modifiedFrom", "modified_at", ">="),
    ("modifiedTo", "modified_at", "<="),
)


def _bad(field: str, message: str) -> BadRequest:
    return BadRequest.invalid([FieldProblem(field, message)])


def csv_values(params: Mapping[str, str], key: str) -> list[str]:
    """The non-empty comma-separated values of ``key`` (400 when there are too many)."""
    raw = params.get(key) or ""
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if len(values) > LIST_VALUES_MAX:
        raise _bad(key, f"may list at most {LIST_VALUES_MAX} values")
    return values


_LEAP_SECOND = re.compile(r"(\d\d:\d\d:)60(\.\d+)?", re.ASCII)
_EARLIEST, _LATEST = "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"


def parse_time(raw: str, field: str, *, clamp: bool = False) -> str:
    """An RFC 3339 date-time in the stored text form (UTC, milliseconds); 400 if it is not one.

    With ``clamp`` (filter bounds), a time whose UTC form falls outside years 1-9999 becomes the
    earliest or latest possible bound instead of a 400.
    """
    # RFC 3339 allows a lower-case "t"/"z" and leap seconds; Python's parser takes neither.
    text = _LEAP_SECOND.sub(r"\g<1>59.999", raw.strip().upper())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(field, "must be an RFC 3339 date-time, e.g. 2024-05-01T12:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # a time without offset is taken as UTC
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        if clamp:
            return _EARLIEST if moment.year == 1 else _LATEST
        raise _bad(field, "is out of range") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def _common(query: ListQuery, alias: str, params: Mapping[str, str]) -> None:
    """createdBy, modifiedBy and the four inclusive date bounds, shared by sessions and media."""
    for key, column in (("createdBy", "created_by"), ("modifiedBy", "modified_by")):
        ids = csv_values(params, key)
        if ids:
            query.where.append(f"{alias}.{column} IN ({_marks(ids)})")
            query.params.extend(ids)
    for key, column, op in _DATE_BOUNDS:
        if params.get(key):
            query.where.append(f"{alias}.{column} {op} ?")
            query.params.append(parse_time(params[key], key, clamp=True))


def _props(query: ListQuery, params: Mapping[str, str], table: str, owner: str, seq_expr: str) -> None:
    """``prop.<key>=A,B``: values of one key are ORed, different keys ANDed."""
    for name in sorted(k for k in params if k.startswith("prop.")):
        key = name.removeprefix("prop.")
        values = csv_values(params, name)
        if not key:
            raise _bad(name, "needs a property name after 'prop.'")
        if not values:
            continue
        query.where.append(
            f"{seq_expr} IN (SELECT {owner} FROM {table} WHERE key = ? AND value IN ({_marks(values)}))"
        )
        query.params.extend([key, *values])


def session_list_query(
    application_id: str, params: Mapping[str, str], visible_to: Sequence[str] | None
) -> ListQuery:
    """Sessions of an application matching the filters; ``visible_to`` limits to those participants."""
    query = ListQuery("sessions", "s.*", "sessions s", "s.seq", ["s.application_id = ?"], [application_id])
    if visible_to is not None:
        # Correlated EXISTS, not IN: most sessions are visible, so the planner should walk sessions in
        # page order and probe the participants primary key, instead of sorting every visible session.
        query.where.append(
            "EXISTS (SELECT 1 FROM session_participants p "
            f"WHERE p.session_seq = s.seq AND p.participant_id IN ({_marks(visible_to)}))"
        )
        query.params.extend(visible_to)
    status = params.get("status") or ""
    if status:
        if status not in STATUSES:
            raise _bad("status", "must be open or closed")
        query.where.append("s.status = ?")
        query.params.append(status)
    wanted = csv_values(params, "participants")
    if wanted:
        query.where.append(
            "s.seq IN (SELECT session_seq FROM session_participants "
            f"WHERE participant_id IN ({_marks(wanted)}))"
        )
        query.params.extend(wanted)
    name = (params.get("name") or "").casefold()
    if name:
        query.where.append("instr(s.name_folded, ?) > 0")
        query.params.append(name)
    _common(query, "s", params)
    _props(query, params, "session_properties", "session_seq", "s.seq")
    return query


def media_list_query(session_seq: int, params: Mapping[str, str]) -> ListQuery:
    """Media of a session matching the filters (archived items excluded unless asked for)."""
    query = ListQuery("media", "m.*", "media m", "m.seq", ["m.session_seq = ?"], [session_seq])
    archived = params.get("archived") or "exclude"
    if archived not in ARCHIVED:
        raise _bad("archived", "must be include, exclude or only")
    if archived != "include":
        query.where.append("m.archived = ?")
        query.params.append(1 if archived == "only" else 0)
    types = csv_values(params, "contentType")
    if types:
        # "image/*" matches every image type; other values match exactly.
        conds = []
        for t in types:
            if t.endswith("/*"):
                conds.append("substr(m.content_type, 1, ?) = ?")
                query.params.extend([len(t) - 1, t[:-1]])
            else:
                conds.append("m.content_type = ?")
                query.params.append(t)
        query.where.append(f"({' OR '.join(conds)})")
    labels = csv_values(params, "labels")
    if labels:
        query.where.append(f"m.seq IN (SELECT media_seq FROM media_labels WHERE label IN ({_marks(labels)}))")
        query.params.extend(labels)
    excluded = csv_values(params, "excludeLabels")
    if excluded:
        query.where.append(
            f"m.seq NOT IN (SELECT media_seq FROM media_labels WHERE label IN ({_marks(excluded)}))"
        )
        query.params.extend(excluded)
    _common(query, "m", params)
    _props(query, params, "media_properties", "media_seq", "m.seq")
    return query


def event_list_query(session_seq: int) -> ListQuery:
    """A session's timeline, oldest first by default."""
    return ListQuery("events", "e.payload", "events e", "e.seq", ["e.session_seq = ?"], [session_seq])


def application_list_query(application_ids: Sequence[str]) -> ListQuery:
    """The given applications (those the caller may read)."""
    return ListQuery(
        "applications",
        "a.*",
        "applications a",
        "a.seq",
        [f"a.id IN ({_marks(application_ids) or 'NULL'})"],
        list(application_ids),
    )
