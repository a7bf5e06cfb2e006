"""The realm's user and group directory (adopted from the older SDK's authentication service)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from .errors import BadRequest, FieldProblem, Forbidden, NotFound
from .filters import csv_values
from .paging import ListQuery, page_request, paginate
from .service_base import Actor, ServiceBase

# Names sort like every other name (casefold, ties in creation order); the default is creation order.
USER_SORTS = {"name": "casefold(u.display_name)", "username": "casefold(u.username)"}
GROUP_SORTS = {"name": "casefold(u.name)"}
USER_SEARCH = ("u.username", "u.display_name", "u.first_name || ' ' || u.last_name")
SEARCH_MAX = 100
REFUSALS = (403, 404)


def _search_term(params: Mapping[str, str]) -> str:
    term = (params.get("search") or "").strip()
    if len(term) > SEARCH_MAX:
        raise BadRequest.invalid([FieldProblem("search", f"must be at most {SEARCH_MAX} characters")])
    return term.casefold()


def _directory_query(table: str, params: Mapping[str, str], searched: tuple[str, ...]) -> ListQuery:
    """Rows of ``table`` (aliased ``u``): only ``ids`` if given, and those where a ``searched`` column
    holds ``search`` (case-insensitive); in creation (rowid) order unless sorted."""
    query = ListQuery(table.split()[0], "u.*", table, "u.rowid", [], [])
    ids = csv_values(params, "ids")
    if ids:
        query.where.append(f"u.id IN ({','.join('?' * len(ids))})")
        query.params.extend(ids)
    term = _search_term(params)
    if term:
        query.where.append("(" + " OR ".join(f"instr(casefold({c}), ?) > 0" for c in searched) + ")")
        query.params.extend([term] * len(searched))
    return query


def user_json(row: sqlite3.Row) -> dict[str, Any]:
    """A users row as the directory's User object (never the password hash)."""
    display = row["display_name"]
    first, last = row["first_name"], row["last_name"]
    if not first and not last:  # a database from before the directory columns: split the display name
        first, _, last = display.partition(" ")
    return {
        "id": row["id"],
        "username": row["username"],
        "firstName": first,
        "lastName": last,
        "displayName": display,
        "jobTitle": row["job_title"],
        "createdAt": row["created_at"],
    }


class DirectoryOps(ServiceBase):
    """Reading the realm's users and groups; any signed-in user of the realm may."""

    # When set (403 or 404), every directory request is refused like a realm without the endpoints.
    directory_refusal: int | None = None

    def refuse_directory(self, status: int | None) -> None:
        """Make the directory answer ``status`` (403 or 404) from now on; None serves it again."""
        if status is not None and status not in REFUSALS:
            raise ValueError(f"status must be one of {REFUSALS} or None")
        self.directory_refusal = status

    def _check_directory(self) -> None:
        if self.directory_refusal == 403:
            raise Forbidden("You do not have permission to read the user directory")
        if self.directory_refusal == 404:
            raise NotFound("Not found")

    def list_users(self, actor: Actor, params: Mapping[str, str]) -> dict[str, Any]:
        """One page of users: only ``ids`` if given, and those whose user or display name holds ``search``."""
        del actor  # every user of the realm may read the directory; the token already proved the realm
        self._check_directory()
        request = page_request(params, USER_SORTS)
        query = _directory_query("users u", params, USER_SEARCH)
        with self.store.read() as conn:
            rows, page = paginate(conn, query, request)
        return {"data": [user_json(r) for r in rows], "page": page}

    def get_user(self, actor: Actor, user_id: str) -> dict[str, Any]:
        """One user of the realm; 404 when unknown."""
        del actor
        self._check_directory()
        with self.store.read() as conn:
            row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        if row is None:
            raise NotFound(f"User {user_id} not found")
        return user_json(row)

    def list_groups(self, actor: Actor, params: Mapping[str, str]) -> dict[str, Any]:
        """One page of groups with their members: only ``ids`` if given, and names holding ``search``."""
        del actor
        self._check_directory()
        request = page_request(params, GROUP_SORTS)
        query = _directory_query("groups u", params, ("u.name",))
        with self.store.read() as conn:
            rows, page = paginate(conn, query, request)
            data = [self._group_json(conn, r) for r in rows]
        return {"data": data, "page": page}

    def get_group(self, actor: Actor, group_id: str) -> dict[str, Any]:
        """One group of the realm with its members; 404 when unknown."""
        del actor
        self._check_directory()
        with self.store.read() as conn:
            row = conn.execute("SELECT * FROM groups WHERE id = ?", (group_id,)).fetchone()
            if row is None:
                raise NotFound(f"Group {group_id} not found")
            return self._group_json(conn, row)

    @staticmethod
    def _group_json(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
        members = conn.execute(
            "SELECT m.user_id FROM group_members m JOIN users u ON u.id = m.user_id "
            "WHERE m.group_id = ? ORDER BY u.rowid",
            (row["id"],),
        ).fetchall()
        return {
            "id": row["id"],
            "name": row["name"],
            "description": row["description"],
            "members": [m["user_id"] for m in members],
        }
