"""Walking a cursor-paged list item by item, for every ``iter_*`` method of the SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from skydesk.api.errors import BadResponse
from skydesk.api.models import Page

T = TypeVar("T")


async def walk(fetch: Callable[[str | None], Awaitable[Page[T]]], host: str) -> AsyncIterator[T]:
    """Every item of every page, fetching the next page (``fetch(next_cursor)``) only when needed."""
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page = await fetch(cursor)
        for item in page.items:
            yield item
        cursor = page.next_cursor
        if not cursor or not page.items:
            return
        if cursor in seen:  # a server bug must not turn into an endless loop
            raise BadResponse(f"{host} returned the same page cursor twice.", host=host)
        seen.add(cursor)
