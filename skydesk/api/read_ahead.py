"""Paging through sessions with the next page already on its way: SessionPages.

A caller that shows a long list page by page (a view scrolling down) spends a while on each page after it
arrived: decoding it, building its Sessions, showing them. Meanwhile the server would sit idle. SessionPages
asks for the following page as soon as a page's cursor is known (read from the end of its bytes, checked
against the decoded JSON), so the server produces page n+1 while the caller handles page n. It reads at most
one page ahead, and only a caller that asks for the page at that cursor gets it, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from typing import TYPE_CHECKING, Any

from skydesk.api._http import Trace
from skydesk.api.models import Page, Session
from skydesk.api.sessions import session_list_params

if TYPE_CHECKING:
    from skydesk.api.client import SkylightClient

__all__ = ["SessionPages"]


class SessionPages:
    """One application's sessions, page by page, each next page requested while the caller handles this one.

    ``SessionPages(client, application_id, limit=200, **filters)`` takes the filters and sort of
    :meth:`~skydesk.api.SkylightClient.list_sessions` (not its cursors). ``await pages.page(cursor)`` is
    ``list_sessions(..., next_cursor=cursor)``; the page after it is then requested in the background.
    ``discard()`` forgets that read-ahead (call it when it may be out of date); ``close()`` when done.
    """

    def __init__(
        self, client: SkylightClient, application_id: str, *, limit: int | None = None, **filters: Any
    ) -> None:
        self.client = client
        self.application_id = application_id
        self._params = session_list_params(limit=limit, **filters)  # a bad filter fails here, at once
        self._ahead: tuple[str, asyncio.Task[Any]] | None = None  # (its cursor, the request for its JSON)
        self._closed = False

    @property
    def ahead(self) -> str | None:
        """The cursor of the page read ahead (requested, or already here), or None."""
        return self._ahead[0] if self._ahead is not None else None

    async def page(
        self, cursor: str | None = None, *, left: asyncio.Future[None] | None = None, ahead: bool = True
    ) -> Page[Session]:
        """The page at ``cursor`` (None: the first page); asks for the one after it before returning.

        ``left``, if given, is made done once this page's request is on its way (its headers written),
        or has ended. ``ahead=False`` reads no page ahead after this one (a first page nobody scrolled
        past yet: its reader waits for the page alone).

        Reference: REST ``GET /applications/{app}/sessions`` (this page, and the next one ahead).
        """
        early, self._ahead = self._ahead, None
        if early is not None and (early[0] != cursor or early[1].cancelled()):
            early[1].cancel()  # another page was asked for: the one read ahead is not wanted
            early = None
        if early is not None and left is not None:
            _done_leaving(left, None)  # read ahead: it left before this call
        trace = None if left is None else _until_left(left)
        try:
            # A failed read-ahead raises here, once, as the request itself would have; asking again re-sends.
            content = await (early[1] if early is not None else self._bytes(cursor, trace))
        finally:
            if left is not None:
                _done_leaving(left, None)  # it ended before httpcore said it left (or was cancelled)
        hint = cursor_hint(content) if ahead else None
        if hint is not None:
            next_left = self._read_ahead(hint)
            # Decoding this page, building its Sessions and handing them over is one step of ~3 ms (more
            # on a busy machine). The request's own steps (the pool's lock, the connection) take several
            # loop turns: one turn let it reach only the first, and it left after all that work. So wait
            # until its headers are written, a few turns on a kept-alive connection (never a handshake),
            # and never longer than LEAVING_WAIT (a token refresh it waits for must not hold this page).
            if next_left is not None:
                await asyncio.wait([next_left], timeout=LEAVING_WAIT)
        try:
            body = self.client._session_page_json(self.application_id, content)
            following = _next_cursor(body)
            if ahead and following != hint:  # a wrong hint (not the documented shape): ask for the right page
                self.discard()
                if following is not None:
                    self._read_ahead(following)
            page = self.client._session_page(body)
        except BaseException:
            self.discard()
            raise
        if page.next_cursor != following:  # never, for a reply of the documented shape
            self.discard()
        return page

    def discard(self) -> None:
        """Cancel and forget the page read ahead; the next ``page()`` asks the server afresh.

        Reference: none (no request).
        """
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead[1].cancel()

    def close(self) -> None:
        """Discard the page read ahead, and read none ahead from now on (a page still on its way included).

        Reference: none (no request).
        """
        self._closed = True
        self.discard()

    def _bytes(self, cursor: str | None, trace: Trace | None = None) -> Any:
        params = dict(self._params) | ({"nextCursor": cursor} if cursor is not None else {})
        return self.client._session_page_bytes(self.application_id, params, trace)

    def _read_ahead(self, cursor: str) -> asyncio.Future[None] | None:
        """Ask for the page at ``cursor``; the future is done once the request has left (or ended)."""
        if self._closed:
            return None
        left = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(self._bytes(cursor, _until_left(left)))
        task.add_done_callback(_consume_error)
        task.add_done_callback(functools.partial(_done_leaving, left))
        self._ahead = (cursor, task)
        return left


LEAVING_WAIT = 0.05  # seconds a page waits at most for the next page's request to leave

# The page object closes the reply ({"data": [...], "page": {..., "nextCursor": "..."}}): its cursor can be
# read from the last bytes before the JSON is decoded, so the next request leaves ~1 ms sooner. Only a hint:
# the decoded reply decides, and a wrong hint's request is cancelled.
_CURSOR_IN_TAIL = re.compile(rb'"nextCursor"\s*:\s*"([^"\\]{1,1024})"')
TAIL_BYTES = 2048


def cursor_hint(content: bytes) -> str | None:
    """The last ``"nextCursor": "..."`` in the end of a page's raw JSON, or None (the decode then decides)."""
    found = list(_CURSOR_IN_TAIL.finditer(content, max(0, len(content) - TAIL_BYTES)))
    if not found:
        return None
    try:
        return found[-1].group(1).decode("ascii")
    except UnicodeDecodeError:
        return None


def _next_cursor(body: Any) -> str | None:
    """The next page's cursor in a page's JSON, read without judging the rest (the parse does that)."""
    page = body.get("page") if type(body) is dict else None
    cursor = page.get("nextCursor") if type(page) is dict else None
    return cursor if type(cursor) is str and cursor else None


# httpcore's steps after which a request is on its way, or will not be soon (a new connection, a failure).
_LEFT_STEPS = ("send_request_headers.complete", "connect_tcp.started", ".failed")


def _done_leaving(left: asyncio.Future[None], _task: object) -> None:
    if not left.done():  # the request ended (or never started) before httpcore reported it left
        left.set_result(None)


def _until_left(left: asyncio.Future[None]) -> Trace:
    """An httpcore ``trace`` that makes ``left`` done once the request has left."""

    async def trace(step: str, _info: dict[str, Any]) -> None:
        if not left.done() and step.endswith(_LEFT_STEPS):
            left.set_result(None)

    return trace


def _consume_error(task: asyncio.Task[Any]) -> None:
    # A read-ahead nobody asked for in the end must not log "Task exception was never retrieved"; one that
    # is asked for raises its error to that caller all the same.
    if not task.cancelled():
        with contextlib.suppress(BaseException):
            task.exception()
