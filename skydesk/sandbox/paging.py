"""Keyset pagination with opaque cursors, shared by every list endpoint.

Items are ordered by (sort column, seq) where ``seq`` is the row's unique creation number, and a
cursor records the position of the first or last item of a page. The next page starts strictly
after that position, so items added or removed during a walk never cause a repeat or a skip of
the items that were there all along (unlike offsets).
"""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from skydesk.api.limits import LIMIT_MAX, LIMIT_MIN

from .errors import BadRequest, FieldProblem
from .ordered_pages import OrderCache, ordered_page

LIMIT_DEFAULT = 50
#: The internal id: the reference's example request sorts by it and the media list defaults to it.
CREATION_ORDER = "_id"
_INT_BOUND = 2**62  # keeps forged cursor numbers inside SQLite's 64-bit integers


@dataclass(frozen=True)
class Sort:
    """An ordering: the API's sort key (e.g. ``-name``; empty = creation order) and its SQL column."""

    key: str
    column: str | None
    descending: bool


@dataclass(frozen=True)
class PageRequest:
    """Where a list request wants to read: sort, page size and at most one cursor."""

    sort: Sort
    limit: int
    cursor: str | None
    backward: bool


def _bad(field: str, message: str) -> BadRequest:
    return BadRequest.invalid([FieldProblem(field, message)])


def page_request(params: Mapping[str, str], columns: Mapping[str, str]) -> PageRequest:
    """Parse ``limit``, ``sort``, ``nextCursor`` and ``prevCursor`` (prevCursor is ignored if both)."""
    raw_limit = params.get("limit") or ""
    limit = LIMIT_DEFAULT
    if raw_limit:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise _bad("limit", f"must be an integer from {LIMIT_MIN} to {LIMIT_MAX}") from None
        if not LIMIT_MIN <= limit <= LIMIT_MAX:
            raise _bad("limit", f"must be an integer from {LIMIT_MIN} to {LIMIT_MAX}")
    raw_sort = params.get("sort") or ""
    name = raw_sort.removeprefix("-")
    if raw_sort and name not in columns and name != CREATION_ORDER:
        allowed = ", ".join([*columns, CREATION_ORDER])
        raise _bad("sort", f"must be one of {allowed}, optionally prefixed with '-'")
    sort = Sort(raw_sort, columns.get(name), raw_sort.startswith("-"))
    next_cursor = params.get("nextCursor") or None
    prev_cursor = params.get("prevCursor") or None
    if next_cursor:
        return PageRequest(sort, limit, next_cursor, backward=False)
    return PageRequest(sort, limit, prev_cursor, backward=prev_cursor is not None)


def encode_cursor(resource: str, sort: Sort, value: Any, seq: int) -> str:
    """An opaque cursor for the position (value, seq) of a list of ``resource`` sorted by ``sort``."""
    raw = json.dumps({"r": resource, "s": sort.key, "v": value, "i": seq}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(raw: str, resource: str, sort: Sort, field: str) -> tuple[Any, int]:
    """The (value, seq) position in a cursor; 400 if it is malformed or made for another list or sort."""
    try:
        padded = raw + "=" * (-len(raw) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise _bad(field, "is not a valid cursor; start again without one") from None
    if not isinstance(decoded, dict) or decoded.get("r") != resource:
        raise _bad(field, "is not a valid cursor for this list; start again without one")
    if decoded.get("s") != sort.key:
        raise _bad(field, "was made for another sort order; start again without a cursor")
    seq, value = decoded.get("i"), decoded.get("v")
    if not isinstance(seq, int) or isinstance(seq, bool) or abs(seq) > _INT_BOUND:
        raise _bad(field, "is not a valid cursor; start again without one")
    if sort.column is not None and not isinstance(value, str):
        raise _bad(field, "is not a valid cursor; start again without one")
    return value, seq


@dataclass
class ListQuery:
    """A filtered list: FROM clause, WHERE conditions with parameters, and the unique ``seq`` column."""

    resource: str
    select: str
    table: str
    seq_column: str
    where: list[str]
    params: list[Any]


def _order_columns(query: ListQuery, sort: Sort) -> list[str]:
    return [sort.column, query.seq_column] if sort.column else [query.seq_column]


def _position(sort: Sort, row: sqlite3.Row) -> list[Any]:
    return [row["_sort_value"], row["_seq"]] if sort.column else [row["_seq"]]


def _cursor_at(resource: str, sort: Sort, row: sqlite3.Row) -> str:
    return encode_cursor(resource, sort, row["_sort_value"] if sort.column else None, row["_seq"])


def _after(columns: Sequence[str], forward: bool) -> str:
    """SQL row-value comparison 'strictly after the position' in the walking direction."""
    op = ">" if forward else "<"
    if len(columns) == 1:
        return f"{columns[0]} {op} ?"
    return f"({', '.join(columns)}) {op} ({', '.join('?' * len(columns))})"


def paginate(
    conn: sqlite3.Connection, query: ListQuery, request: PageRequest, orders: OrderCache | None = None
) -> tuple[list[sqlite3.Row], dict[str, Any]]:
    """One page of ``query`` and its ``page`` object ``{count, limit, total, prevCursor, nextCursor}``.

    With ``orders``, the page is cut from the query's whole sort order kept there (see ordered_pages).
    """
    sort = request.sort
    start: list[Any] | None = None
    if request.cursor is not None:
        field = "prevCursor" if request.backward else "nextCursor"
        value, seq = decode_cursor(request.cursor, query.resource, sort, field)
        start = [value, seq] if sort.column else [seq]
    keys = orders.order(conn, query, sort.column) if orders is not None else None
    if keys is not None:
        rows, has_next, has_prev = ordered_page(conn, query, request, keys, start)
        return rows, _page(query, request, rows, len(keys), has_next, has_prev)
    rows, has_next, has_prev = _sql_page(conn, query, request, start)
    total_sql = f"SELECT count(*) FROM {query.table} WHERE {' AND '.join(query.where) or '1'}"  # noqa: S608
    total = conn.execute(total_sql, query.params).fetchone()[0]
    return rows, _page(query, request, rows, total, has_next, has_prev)


def _sql_page(
    conn: sqlite3.Connection, query: ListQuery, request: PageRequest, start: list[Any] | None
) -> tuple[list[sqlite3.Row], bool, bool]:
    sort = request.sort
    columns = _order_columns(query, sort)
    ascending = not sort.descending
    where = list(query.where)
    params = list(query.params)
    # Walking backward reads the items before the cursor in reverse order, then flips them.
    forward = ascending != request.backward
    if start is not None:
        where.append(_after(columns, forward))
    direction = "ASC" if forward else "DESC"
    order = ", ".join(f"{c} {direction}" for c in columns)
    sort_select = f", {sort.column} AS _sort_value" if sort.column else ""
    sql = (
        f"SELECT {query.select}{sort_select}, {query.seq_column} AS _seq FROM {query.table} "  # noqa: S608
        f"WHERE {' AND '.join(where) or '1'} ORDER BY {order} LIMIT ?"
    )
    rows = conn.execute(sql, [*params, *(start or []), request.limit + 1]).fetchall()
    more_ahead = len(rows) > request.limit
    rows = rows[: request.limit]
    if request.backward:
        rows.reverse()

    def exists_beyond(position: list[Any], walk_forward: bool) -> bool:
        cond = [*query.where, _after(columns, walk_forward)]
        probe = f"SELECT 1 FROM {query.table} WHERE {' AND '.join(cond)} LIMIT 1"  # noqa: S608
        return conn.execute(probe, [*query.params, *position]).fetchone() is not None

    if request.backward:
        has_prev = more_ahead
        has_next = exists_beyond(_position(sort, rows[-1]) if rows else start or [], ascending)
    else:
        has_next = more_ahead
        has_prev = start is not None and exists_beyond(
            _position(sort, rows[0]) if rows else start, not ascending
        )
    return rows, has_next, has_prev


def _page(
    query: ListQuery,
    request: PageRequest,
    rows: list[sqlite3.Row],
    total: int,
    has_next: bool,
    has_prev: bool,
) -> dict[str, Any]:
    sort = request.sort
    return {
        "count": len(rows),
        "limit": request.limit,
        "total": total,
        "prevCursor": _cursor_at(query.resource, sort, rows[0]) if has_prev and rows else None,
        "nextCursor": _cursor_at(query.resource, sort, rows[-1]) if has_next and rows else None,
    }
