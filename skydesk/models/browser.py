"""The session browser: application choice, filtered/sorted cursor paging, live rows, F5.

A failed load never empties the list: the rows shown stay, the problem goes to the presenter (a banner
with Retry above the list), and the list is marked ``stale`` until a load succeeds again.

Once the view pages (a fetchMore after the first page), each page is read one page ahead
(:class:`~skydesk.api.SessionPages`): the server produces the next page while this one is built and shown.
The page read ahead is shown only when the view asks for it, and dropped on a new load (application,
filters, sort, F5, sign-out) and when a live event concerns a session beyond the loaded rows (it could hold
an older copy of that session).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from skydesk.api.read_ahead import SessionPages
from skydesk.core.settings import Settings
from skydesk.models.auth import AuthController
from skydesk.models.filters import SessionFilters
from skydesk.models.labels import UserLabels
from skydesk.models.operations import Operations
from skydesk.models.problems import LOADING_APPLICATIONS, LOADING_LIST, Problem
from skydesk.models.session_table import SessionTableModel

if TYPE_CHECKING:
    from skydesk.api import Application, Session, SessionEvent, SkylightClient

log = logging.getLogger(__name__)

PAGE_KEY = "browser.page"
APPS_KEY = "browser.applications"
UNFILTERED_KEY = "browser.unfiltered_total"
LIST_TARGET = "list"


class SessionBrowserController(QObject):
    """Loads the sessions of one application into `model`, page by page, and keeps them live."""

    applications_loaded = Signal(list)
    applications_failed = Signal()
    busy = Signal(bool)
    stale_changed = Signal(bool)  # True after a failed load: the rows shown may be out of date
    application_changed = Signal(str)  # the application now shown ("" for none): rights are read for it
    # The request for a new load's first page is on its way (its headers written), or ended: signing in
    # to a remembered application, the window shows the list, loading, while the server works (B2).
    first_page_sent = Signal()

    def __init__(
        self,
        auth: AuthController,
        ops: Operations,
        settings: Settings | None = None,
        labels: UserLabels | None = None,
        page_size: int = 100,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._auth = auth
        self._ops = ops
        self._settings = settings
        self.page_size = page_size
        self.model = SessionTableModel(self)
        if labels is not None:
            self.model.participant_label = labels.label
            labels.changed.connect(self.model.relabel)
        self.model.set_fetch_callback(self._on_model_fetch_more)
        self.model.sort_requested.connect(self._on_model_sort_requested)
        self.applications: list[Application] = []
        self._application_id: str | None = None
        self._filters = SessionFilters()
        self._generation = 0
        self._next_cursor: str | None = None
        self._stale = False
        self._page_task: asyncio.Future[None] | None = None
        self._pages: SessionPages | None = None  # the pages of this load once the view pages (read ahead)
        self._pages_key: tuple[int, int] = (0, 0)  # (generation, page size) that self._pages was made for
        # The remembered application whose first page was asked for with the list of applications, until
        # that list says it is still there (see open_remembered); and whether that page failed meanwhile.
        self._guessed: str | None = None
        self._guess_failed = False
        self._unannounced = False  # the list is in, its first application's page not yet on its way
        if settings is not None:
            self._filters = SessionFilters.from_json(settings.filters)
        ops.busy_changed.connect(self._on_ops_busy_changed)

    @property
    def application_id(self) -> str | None:
        """The application whose sessions are shown."""
        return self._application_id

    @property
    def page_task(self) -> asyncio.Future[None] | None:
        """The load of the page last asked for (done once it is in, failed or superseded)."""
        return self._page_task

    def is_showing(self, application_id: str | None) -> bool:
        """Whether ``application_id``'s sessions are listed, or their first page is on its way."""
        page = self._page_task
        on_its_way = page is not None and not page.done()
        return (
            bool(application_id)
            and application_id == self._application_id
            and (on_its_way or bool(self.model.sessions()))
        )

    @property
    def filters(self) -> SessionFilters:
        """The filters and sort in effect."""
        return self._filters

    @property
    def stale(self) -> bool:
        """True since a load failed, until one succeeds: the rows may not be what the server holds."""
        return self._stale

    # ------------------------------------------------------------------ applications
    def load_applications(self, *, open_first: bool = False) -> None:
        """Fetch the applications the user can read; emits applications_loaded(list).

        With ``open_first`` (signing in), an application is opened as soon as the list is in, before it is
        announced: the remembered one if listed, else the first by name (what the window's application box
        then shows). Its first page is asked for at once, and applications_loaded waits until that request
        has left (or ended): filling the application box and the other receivers' work took ~3-5 ms of the
        GUI thread that the page's request waited for (benchmark B2); now they run while the server works.
        """

        def loaded(apps: list[Application]) -> None:
            self.applications = sorted(apps, key=lambda a: a.name.casefold())
            listed = {a.application_id for a in self.applications}
            self._settle_guess(listed)
            if open_first and self._application_id is None and self.applications:
                remembered = self._settings.last_application_id if self._settings is not None else None
                first = self.applications[0].application_id
                self.set_application(remembered if remembered in listed else first)
                page = self._page_task
                if page is not None and not page.done():
                    self._unannounced = True  # see _announce_applications
                    return
            self.applications_loaded.emit(list(self.applications))

        def failed(_problem: Problem) -> None:
            self._settle_guess(set())
            self.applications_failed.emit()

        self._ops.read(
            APPS_KEY, lambda c: c.get_applications(), doing=LOADING_APPLICATIONS, scope="list",
            target=LIST_TARGET, success=loaded, failure=failed,
        )  # fmt: skip

    def open_remembered(self) -> None:
        """Ask for the remembered application's first page now, before its list of applications is in.

        Signing in, the page was asked for only once that list was in, a round trip later (benchmark B2).
        The list still decides: if the application is no longer in it (or its page failed), this load is
        dropped without a word (nothing of it is shown) and the window opens the one it would have opened.
        """
        remembered = self._settings.last_application_id if self._settings is not None else None
        if not remembered or self._application_id is not None or self._auth.client is None:
            return
        self._application_id, self._guessed, self._guess_failed = remembered, remembered, False
        self._start_load()

    def _settle_guess(self, listed: set[str]) -> None:
        guess, self._guessed = self._guessed, None
        failed, self._guess_failed = self._guess_failed, False
        if guess is None or guess != self._application_id:
            return
        if guess in listed:
            if failed:
                self._start_load()  # asked again, now as any load: a failure shows as usual
            self.application_changed.emit(guess)  # its rights follow its first page
            return
        # Gone, or the list failed: its page is dropped, unseen.
        self._application_id = None
        if not listed:
            self._start_load()  # nothing to open: an empty list, as after a sign-out
            return
        self._generation += 1  # the window opens another application now: the list goes on "Loading"
        self._ops.cancel(PAGE_KEY)
        if self.model.session_count():
            self.model.begin_load(self._filters)

    def _announce_applications(self) -> None:
        """Emit applications_loaded for a list held back until its first page's request left (or ended)."""
        if self._unannounced:
            self._unannounced = False
            self.applications_loaded.emit(list(self.applications))

    def set_application(self, application_id: str | None) -> None:
        """Show the sessions of `application_id` (remembered in settings)."""
        changed = (application_id or None) != self._application_id
        self._application_id = application_id or None
        if self._settings is not None:
            self._settings.last_application_id = self._application_id
        # The first page is asked for before anything that follows the application (its rights): it is
        # what the user waits for after signing in (benchmark B2).
        self._start_load()
        if changed:
            self.application_changed.emit(self._application_id or "")

    # ------------------------------------------------------------------ filters, sort, refresh
    def set_filters(self, filters: SessionFilters) -> None:
        """Reload with new filters; the superseded load is cancelled."""
        self._filters = filters
        if self._settings is not None:
            self._settings.filters = filters.to_json()
        self._start_load()

    def set_sort(self, sort: str | None) -> None:
        """Reload sorted by a server sort key ('name', '-modifiedAt', ...)."""
        self.set_filters(self._filters.with_sort(sort))

    def _on_model_sort_requested(self, key: str) -> None:
        self.set_sort(key)

    def refresh(self) -> None:
        """Fetch again what is visible (F5, resync, Retry); the rows stay until the new ones arrived."""
        if self._application_id is None or self._auth.client is None or self.model.filters != self._filters:
            self._start_load()
            return
        self._generation += 1
        self.discard_read_ahead()
        self.model.begin_refresh()
        self._run_pages(self._generation, max(self.model.session_count(), 1), replace=True)

    def clear(self) -> None:
        """Drop everything (sign-out)."""
        self._generation += 1
        self._guessed, self._guess_failed = None, False
        self._unannounced = False
        self._ops.cancel(PAGE_KEY)
        self.discard_read_ahead()
        self._application_id = None
        self.applications = []
        self._set_stale(False)
        self.model.begin_load(self._filters)
        self.model.append_page([], 0, False)
        self.model.fetch_finished()

    # ------------------------------------------------------------------ paging
    def discard_read_ahead(self) -> None:
        """Cancel and forget the page read ahead (a new load, sign-out, shutdown)."""
        pages, self._pages = self._pages, None
        if pages is not None:
            pages.close()  # a page of it still on its way reads nothing ahead either

    def _read_ahead_pages(
        self, generation: int, client: SkylightClient, app_id: str, kwargs: dict[str, Any]
    ) -> SessionPages:
        pages = self._pages
        key = (generation, self.page_size)
        if pages is None or pages.client is not client or self._pages_key != key:
            self.discard_read_ahead()
            pages = SessionPages(client, app_id, limit=self.page_size, **kwargs)
            self._pages, self._pages_key = pages, key
        return pages

    def _start_load(self) -> None:
        self._generation += 1
        self._next_cursor = None
        self.discard_read_ahead()
        self.model.begin_load(self._filters)
        if self._application_id is None or self._auth.client is None:
            self._ops.cancel(PAGE_KEY)
            self.model.append_page([], 0, False)
            self.model.fetch_finished()
            return
        self._run_pages(self._generation, 0, replace=False)

    def _on_model_fetch_more(self) -> None:
        self._run_pages(self._generation, 0, replace=False)

    def _run_pages(self, generation: int, min_rows: int, *, replace: bool) -> None:
        app_id, kwargs = self._application_id, self._filters.to_kwargs()
        cursor = None if replace else self._next_cursor
        if app_id is None:
            return
        guessed = self._guessed is not None  # until the list of applications confirms it: quiet

        async def call(client: SkylightClient) -> tuple[list[Session], int, str | None]:
            if not replace and cursor is not None:  # the view is paging: read the page after this ahead
                pages = self._read_ahead_pages(generation, client, app_id, kwargs)
                page = await pages.page(cursor)
                return page.items, page.total, page.next_cursor
            if not replace and cursor is None:  # a first page: no read-ahead until the view pages
                left = asyncio.get_running_loop().create_future()
                left.add_done_callback(functools.partial(self._on_first_page_left, generation))
                first = SessionPages(client, app_id, limit=self.page_size, **kwargs)
                page = await first.page(left=left, ahead=False)
                return page.items, page.total, page.next_cursor
            rows: list[Session] = []
            next_cursor, total = cursor, 0
            while True:
                page = await client.list_sessions(
                    app_id, limit=self.page_size, next_cursor=next_cursor, **kwargs
                )
                rows.extend(page.items)
                next_cursor, total = page.next_cursor, page.total
                if not replace or next_cursor is None or len(rows) >= min_rows:
                    return rows, total, next_cursor
                await asyncio.sleep(0)  # let the view paint between the pages of a refresh

        def loaded(result: tuple[list[Session], int, str | None]) -> None:
            if generation != self._generation:
                return  # superseded while awaiting (the task was not cancelled in time)
            rows, total, next_cursor = result
            self._next_cursor = next_cursor
            if replace:
                self.model.replace_sessions(rows, total, next_cursor is not None)
            else:
                self.model.append_page(rows, total, next_cursor is not None)
            self._set_stale(False)
            self.model.fetch_finished()
            if cursor is None:  # a first page (or a refresh): the count without filters may have moved
                self._load_unfiltered_total(app_id)

        def failed(problem: Problem) -> None:
            if generation != self._generation:
                return
            if guessed and self._guessed is not None:
                # The remembered application may be gone: the list of applications decides (the list
                # stays "loading" until then; _on_page_done leaves it alone for this generation).
                self._guess_failed = True
                return
            self.model.fetch_finished()
            if problem.kind != "sign_in":
                self._set_stale(True)
                if not self.model.sessions():
                    self.model.set_error(problem.message)

        task = self._ops.read(
            PAGE_KEY, call, doing=LOADING_LIST, scope="list", target=LIST_TARGET,
            success=loaded, failure=failed, quiet=guessed,
        )  # fmt: skip
        self._page_task = task
        task.add_done_callback(functools.partial(self._on_page_done, generation))

    def _on_first_page_left(self, generation: int, _left: asyncio.Future[None]) -> None:
        self._announce_applications()  # first: the window then knows this load is not a remembered guess
        if generation == self._generation:
            self.first_page_sent.emit()

    def _load_unfiltered_total(self, app_id: str) -> None:
        if not self._filters.is_filtered:
            self.model.set_unfiltered_total(None)
            return
        self._ops.read(
            UNFILTERED_KEY, lambda c: c.list_sessions(app_id, limit=1), doing=LOADING_LIST, scope="list",
            target=LIST_TARGET, success=lambda page: self.model.set_unfiltered_total(page.total), quiet=True,
        )  # fmt: skip

    def _on_page_done(self, generation: int, task: asyncio.Future[None]) -> None:
        self._announce_applications()  # (if it ended, or was cancelled, before it left)
        # Always clear the fetchMore guard, whether the page arrived, failed or was cancelled; but a
        # superseded load must not clear the guard of its successor. Done-callbacks run a loop pass after
        # the page arrived, when the view may already have asked for the next page: only the current
        # page's task may clear it (else a second fetchMore cancelled the next page mid-request).
        if generation == self._generation and task is self._page_task and not self._guess_failed:
            self.model.fetch_finished()

    def _set_stale(self, stale: bool) -> None:
        if stale != self._stale:
            self._stale = stale
            self.stale_changed.emit(stale)

    def _on_ops_busy_changed(self, target: str, count: int) -> None:
        if target == LIST_TARGET:
            self.busy.emit(count > 0)

    # ------------------------------------------------------------------ live events
    def apply_events(self, events: Sequence[SessionEvent]) -> None:
        """Apply a batch of live events to the table (one call per bridge batch)."""
        latest: dict[str, Session] = {}
        for event in events:
            session = event.session
            if session is None or event.application_id != self._application_id:
                continue
            latest[session.session_id] = session  # within a batch only the newest state matters
        if latest:
            self._apply(list(latest.values()))

    def apply_session(self, session: Session) -> None:
        """Show a session this app changed or created itself (no need to wait for its event)."""
        if session.application_id == self._application_id:
            self._apply([session])

    def _apply(self, sessions: list[Session]) -> None:
        if self._pages is not None and self._pages.ahead is not None:
            # A session beyond the loaded rows changed: the page read ahead may hold its older copy.
            if any(self.model.row_of(s.session_id) < 0 for s in sessions):
                self._pages.discard()
        self.model.apply_sessions(sessions)
