"""The realm's directory of users and groups (CONTRACT §10, adopted from the older SDK).

A realm may refuse these endpoints (404 or 403, raised as :class:`~skydesk.api.errors.NotFound` or
:class:`~skydesk.api.errors.Forbidden`); callers should then keep showing ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from skydesk.api._fields import as_object, date, text, texts
from skydesk.api._http import HttpCore
from skydesk.api._query import Query, segment
from skydesk.api.errors import FieldError
from skydesk.api.models import Page
from skydesk.api.validation import raise_if

__all__ = ["IDS_PER_REQUEST", "DirectoryMixin", "Group", "User"]

USERS = "/v1/authentication/users"
GROUPS = "/v1/authentication/groups"
IDS_PER_REQUEST = 100  # the most ids one request may name (CONTRACT §10)
_PAGE = 200
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class User:
    """A person of the realm as the directory shows them."""

    id: str
    username: str
    first_name: str
    last_name: str
    display_name: str
    job_title: str
    created_at: datetime

    @classmethod
    def from_json(cls, d: object) -> User:
        """Read ``{id, username, firstName, lastName, displayName, jobTitle, createdAt}``.

        Only ``id`` and ``username`` are required; a missing display name is built from the first
        and last name, else the user name.
        """
        w = "user"
        m = as_object(d, w)
        first, last = text(m, "firstName", w, ""), text(m, "lastName", w, "")
        username = text(m, "username", w)
        shown = text(m, "displayName", w, "") or f"{first} {last}".strip() or username
        return cls(
            id=text(m, "id", w),
            username=username,
            first_name=first,
            last_name=last,
            display_name=shown,
            job_title=text(m, "jobTitle", w, ""),
            created_at=date(m, "createdAt", w, optional=True),
        )


@dataclass(frozen=True, slots=True)
class Group:
    """A group of the realm and the ids of its member users."""

    id: str
    name: str
    description: str
    members: tuple[str, ...]

    @classmethod
    def from_json(cls, d: object) -> Group:
        """Read ``{id, name, description, members}`` (members: user ids)."""
        w = "group"
        m = as_object(d, w)
        return cls(
            id=text(m, "id", w),
            name=text(m, "name", w),
            description=text(m, "description", w, ""),
            members=texts(m, "members", w),
        )


def _check_limit(limit: int | None) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise_if([FieldError("limit", "must be a whole number of at least 1")])


class DirectoryMixin(HttpCore):
    """``get_users``, ``get_user``, ``get_groups``, ``get_group``."""

    async def get_users(
        self, search: str | None = None, *, ids: Sequence[str] | None = None, limit: int | None = None
    ) -> list[User]:
        """Users whose user name or display name holds ``search`` (any case), or all of them.

        ``ids`` keeps only those users (unknown ids are left out), looked up 100 per request;
        ``limit`` stops after that many users. Walks every page otherwise.

        Reference: REST ``GET /v1/authentication/users`` (adopted from the older SDK).
        """
        return await self._directory(USERS, User.from_json, "users", search, ids, limit)

    async def get_user(self, user_id: str) -> User:
        """One user by id; NotFound when the realm has no such user.

        Reference: REST ``GET /v1/authentication/users/{userId}`` (adopted from the older SDK).
        """
        body = await self._json("GET", f"{USERS}/{segment(user_id, 'user_id')}")
        return self._parse(User.from_json, body)

    async def get_groups(
        self, search: str | None = None, *, ids: Sequence[str] | None = None, limit: int | None = None
    ) -> list[Group]:
        """Groups whose name holds ``search`` (any case), or all; ``ids`` and ``limit`` as for users.

        Reference: REST ``GET /v1/authentication/groups`` (adopted from the older SDK).
        """
        return await self._directory(GROUPS, Group.from_json, "groups", search, ids, limit)

    async def get_group(self, group_id: str) -> Group:
        """One group by id, with its members; NotFound when the realm has no such group.

        Reference: REST ``GET /v1/authentication/groups/{groupId}`` (adopted from the older SDK).
        """
        body = await self._json("GET", f"{GROUPS}/{segment(group_id, 'group_id')}")
        return self._parse(Group.from_json, body)

    async def _directory(
        self,
        path: str,
        item: Callable[[Any], T],
        what: str,
        search: str | None,
        ids: Sequence[str] | None,
        limit: int | None,
    ) -> list[T]:
        """Every match across pages, in batches of at most 100 ids when ``ids`` is given."""
        _check_limit(limit)
        if ids is None:
            return await self._walk(path, item, what, Query().text("search", search), limit)
        wanted = list(dict.fromkeys([ids] if isinstance(ids, str) else ids))
        found: list[T] = []
        for start in range(0, len(wanted), IDS_PER_REQUEST):
            batch = wanted[start : start + IDS_PER_REQUEST]
            query = Query().text("search", search).ids("ids", batch)
            found += await self._walk(path, item, what, query, None if limit is None else limit - len(found))
            if limit is not None and len(found) >= limit:
                break
        return found

    async def _walk(
        self, path: str, item: Callable[[Any], T], what: str, query: Query, limit: int | None
    ) -> list[T]:
        base = query.limit(min(_PAGE, limit or _PAGE)).done()
        found: list[T] = []
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            params = {**base, **({"nextCursor": cursor} if cursor else {})}
            page = self._parse(
                Page.from_json,
                await self._json("GET", path, params=params),
                item=item,
                where=f"list of {what}",
            )
            found.extend(page.items)
            cursor = page.next_cursor
            if limit is not None and len(found) >= limit:
                return found[:limit]
            if not cursor or not page.items or cursor in seen:
                return found
            seen.add(cursor)
