"""Pages of a filtered list cut from its whole sort order, computed once and kept until the next write.

A filtered, sorted list cannot stop after one page: SQLite walks the sort index testing every row against
the filters, and counting the matches walks them all again, on every page of a walk through the list. Here
the ordered keys ``(sort value, seq)`` of all matches are read once per query; the page, its ``total`` and
its neighbours then come from a binary search in that list, and only the page's own rows are read. The
answer is exactly what :func:`skydesk.sandbox.paging.paginate` computes with SQL alone (a property test
compares the two): the keys are the same query's result, and Python orders ``str`` and ``int`` keys the
way SQLite's BINARY collation orders TEXT and INTEGER values. Any change made through the connection
(``total_changes``) or by another connection (``PRAGMA data_version``) makes every kept order stale.
"""

from __future__ import annotations

import sqlite3
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .paging import ListQuery, PageRequest

Key = tuple[Any, ...]
KEPT_ORDERS = 8  # queries whose order is kept; a walk through a list repeats one query page after page


class OrderCache:
    """The sort orders of the last few filtered queries, valid while the database has not changed."""

    def __init__(self, size: int = KEPT_ORDERS) -> None:
        self._size = size
        self._orders: OrderedDict[tuple[Any, ...], list[Key]] = OrderedDict()
        self._version: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def order(self, conn: sqlite3.Connection, query: ListQuery, column: str | None) -> list[Key] | None:
        """All keys of ``query`` in ascending order, or None when they cannot be compared in Python."""
        version = (conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0])
        columns = [column, query.seq_column] if column else [query.seq_column]
        where = " AND ".join(query.where) or "1"
        order_by = ", ".join(f"{c} ASC" for c in columns)
        sql = f"SELECT {', '.join(columns)} FROM {query.table} WHERE {where} ORDER BY {order_by}"  # noqa: S608
        cache_key = (sql, tuple(query.params))
        with self._lock:
            if version != self._version:
                self._orders.clear()
                self._version = version
            keys = self._orders.get(cache_key)
            if keys is not None:
                self._orders.move_to_end(cache_key)
                return keys
        keys = [tuple(r) for r in conn.execute(sql, query.params)]
        if column and not all(type(k[0]) is str for k in keys):
            return None  # NULLs or numbers sort by SQLite's type order, which Python cannot compare
        with self._lock:
            if version == self._version:
                self._orders[cache_key] = keys
                while len(self._orders) > self._size:
                    self._orders.popitem(last=False)
        return keys


def ordered_page(
    conn: sqlite3.Connection,
    query: ListQuery,
    request: PageRequest,
    keys: Sequence[Key],
    start: list[Any] | None,
) -> tuple[list[sqlite3.Row], bool, bool]:
    """The page's rows in display order, whether items come after it, and whether items come before it.

    ``keys`` ascend; ``start`` is the cursor's position (None on a first page).
    """
    n = len(keys)
    ascending = not request.sort.descending

    def after(position: list[Any]) -> int:  # index in display order of the first key strictly after it
        p = tuple(position)
        return bisect_right(keys, p) if ascending else n - bisect_left(keys, p)

    def before(position: list[Any]) -> int:  # how many keys come strictly before it in display order
        p = tuple(position)
        return bisect_left(keys, p) if ascending else n - bisect_right(keys, p)

    if start is None:
        lo, hi = 0, min(n, request.limit)
        has_next, has_prev = n > hi, False
    elif request.backward:
        hi = before(start)
        lo = max(0, hi - request.limit)
        has_prev = lo > 0
        has_next = hi < n if hi > lo else after(start) < n
    else:
        lo = after(start)
        hi = min(n, lo + request.limit)
        has_next = n > hi
        has_prev = lo > 0 if hi > lo else before(start) > 0
    if ascending:
        wanted = list(keys[lo:hi])
    else:
        wanted = [keys[n - 1 - i] for i in range(lo, hi)]
    return _rows(conn, query, request, wanted), has_next, has_prev


def _rows(
    conn: sqlite3.Connection, query: ListQuery, request: PageRequest, wanted: list[Key]
) -> list[sqlite3.Row]:
    if not wanted:
        return []
    column = request.sort.column
    sort_select = f", {column} AS _sort_value" if column else ""
    seqs = [k[-1] for k in wanted]
    sql = (
        f"SELECT {query.select}{sort_select}, {query.seq_column} AS _seq FROM {query.table} "  # noqa: S608
        f"WHERE {query.seq_column} IN ({','.join('?' * len(seqs))})"
    )
    by_seq = {row["_seq"]: row for row in conn.execute(sql, seqs)}
    return [by_seq[s] for s in seqs]
