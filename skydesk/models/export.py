"""The export controller: the session list (all pages) to CSV or JSON, and one session to JSON.

Every export runs as one read operation (``Operations.read``), so failures are described and shown the way
every other call's are, and a new sign-in re-runs it. The file is streamed page by page into a hidden temp
file next to the target and renamed over it only when complete: a cancelled or failed export leaves nothing
under the real name, and memory stays flat at 100,000 sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from skydesk import __version__
from skydesk.api.read_ahead import SessionPages
from skydesk.models.export_format import ExportSpec, SessionWriter, iso, session_document
from skydesk.models.problems import Doing, Problem

if TYPE_CHECKING:
    from skydesk.api import Application, Media, SkylightClient
    from skydesk.models.filters import SessionFilters
    from skydesk.models.operations import Operations

log = logging.getLogger(__name__)

EXPORT_KEY = "export"
EXPORTING_LIST = Doing("exporting the sessions", "The sessions were not exported", subject="export")
EXPORTING_SESSION = Doing("exporting the session", "The session was not exported")
PAGE_SIZE = 200  # the API's largest page: fewest round trips
RECENT_CURSORS = 64
Producer = Callable[["SkylightClient", IO[str]], Awaitable[int]]
T = TypeVar("T")


class ExportController(QObject):
    """Runs one export at a time; reports progress, and the outcome or the problem."""

    started = Signal(str)  # target path
    progress = Signal(int, int)  # sessions written, total the server reported (0 = unknown yet)
    finished = Signal(str, int)  # target path, sessions written
    failed = Signal(str)  # plain words (API problems are also shown by the presenter)
    cancelled = Signal()

    def __init__(self, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._running = False
        self.page_size = PAGE_SIZE

    @property
    def running(self) -> bool:
        """True while an export has not ended."""
        return self._running

    def export_sessions(
        self, path: Path, application: Application, filters: SessionFilters, spec: ExportSpec
    ) -> None:
        """Export every session matching ``filters`` (sorted as they are) with ``spec``'s columns."""
        about = {
            "exportedBy": f"skydesk {__version__}",
            "exportedAt": iso(datetime.now(UTC)),
            "application": {"id": application.application_id, "name": application.name},
            "filters": filters.to_json(),
        }
        app_id, kwargs = application.application_id, filters.to_kwargs()

        async def pages(client: SkylightClient, out: IO[str]) -> int:
            writer = SessionWriter(out, spec, about)
            await off_gui_thread(writer.header)
            # A server handing back a cursor it gave recently would loop for ever; the recent ones are
            # enough to notice (all of them would grow with the export: 500 strings at 100,000 sessions).
            written, cursor, recent = 0, None, deque[str](maxlen=RECENT_CURSORS)
            # Page n+1 is asked for as soon as page n's bytes are in (SessionPages reads one page ahead),
            # so the server produces it while page n is decoded and built here and then written off the
            # GUI thread; page n is written before page n+2 is asked for: at most three pages in memory.
            reader = SessionPages(client, app_id, limit=self.page_size, **kwargs)
            writing: asyncio.Future[None] | None = None
            try:
                while True:
                    page = await reader.page(cursor)
                    if writing is not None:
                        await writing  # in order, one page at a time
                    writing = asyncio.ensure_future(off_gui_thread(writer.write, page.items))
                    written += len(page.items)
                    self.progress.emit(written, max(page.total, written))
                    cursor = page.next_cursor
                    if not cursor or not page.items or cursor in recent:
                        break
                    recent.append(cursor)
                await writing
            finally:
                reader.close()  # nothing is read ahead past the end, a failure or a cancel
                await _settled(writing)  # failed or cancelled: no thread may still write the file
            await off_gui_thread(writer.footer)
            return written

        self._start(path, spec.encoding, pages, EXPORTING_LIST)

    def export_session(self, path: Path, application_id: str, session_id: str) -> None:
        """Export one session as JSON: its fields, data, participants and media metadata."""

        async def document(client: SkylightClient, out: IO[str]) -> int:
            session = await client.get_session(application_id, session_id)
            data = await client.get_session_data(application_id, session_id)
            participants = await client.get_participants(application_id, session_id)
            media: list[Media] = []
            cursor: str | None = None
            while True:
                page = await client.list_session_media(
                    application_id, session_id, archived="include", limit=PAGE_SIZE, next_cursor=cursor
                )
                media.extend(page.items)
                cursor = page.next_cursor
                if not cursor or not page.items:
                    break
            document = session_document(session, data, participants, media)
            await off_gui_thread(lambda: out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n"))
            return 1

        self._start(path, "utf-8", document, EXPORTING_SESSION)

    def cancel(self) -> None:
        """Stop the running export; its temp file is removed and the target left as it was."""
        if self._running:
            self._ops.cancel(EXPORT_KEY)

    # ------------------------------------------------------------------ internals

    def _start(self, path: Path, encoding: str, produce: Producer, doing: Doing) -> None:
        self.cancel()
        self._running = True
        self.started.emit(str(path))
        self.progress.emit(0, 0)

        async def call(client: SkylightClient) -> int | str:
            try:
                return await write_atomically(path, encoding, lambda out: produce(client, out))
            except OSError as exc:  # the file, not the API: a full disk, a folder that went away
                return f"Could not write {path.name}: {exc.strerror or exc}"

        task = self._ops.read(
            EXPORT_KEY,
            call,
            doing=doing,
            scope="export",
            success=lambda outcome: self._on_done(path, outcome),
            failure=self._on_problem,
        )
        task.add_done_callback(self._on_task_done)

    def _on_done(self, path: Path, outcome: int | str) -> None:
        self._running = False
        if isinstance(outcome, str):
            self.failed.emit(outcome)
        else:
            self.finished.emit(str(path), outcome)

    def _on_problem(self, problem: Problem) -> None:
        self._running = False
        self.failed.emit(problem.message)

    def _on_task_done(self, task: asyncio.Future[None]) -> None:
        if task.cancelled() and self._running:
            self._running = False
            self.cancelled.emit()


async def off_gui_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` on a worker thread; if cancelled, wait for it first, as it may be using the file."""
    work = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        await asyncio.wait([work])  # the caller then closes and removes the file: not under a writing thread
        raise


async def _settled(work: asyncio.Future[None] | None) -> None:
    """Wait until ``work`` has ended, whatever its outcome (the caller is already raising, or done)."""
    if work is not None and not work.done():
        await asyncio.wait([work])
    if work is not None and not work.cancelled():
        work.exception()  # retrieved: the caller's own exception is the one reported


def _flush_to_disk(out: IO[str]) -> None:
    out.flush()
    os.fsync(out.fileno())


async def write_atomically(path: Path, encoding: str, produce: Callable[[IO[str]], Awaitable[int]]) -> int:
    """Let ``produce`` write into a hidden temp file beside ``path``, then rename it over ``path``.

    Returns what ``produce`` returns. On any failure or cancellation the temp file is removed and ``path``
    is untouched (a spreadsheet never opens half an export).
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        # newline="": the CSV writer ends records with CRLF itself (RFC 4180); no translation on Windows.
        with os.fdopen(fd, "w", encoding=encoding, newline="") as out:
            count = await produce(out)
            await off_gui_thread(_flush_to_disk, out)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    log.info("Exported %d item(s) to %s", count, path)
    return count
