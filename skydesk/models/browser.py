"""The session browser: application choice, filtered/sorted cursor paging, live rows, F5."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from skydesk.api.errors import ApiError, SignInRequired
from skydesk.core.settings import Settings
from skydesk.core.tasks import TaskRegistry
from skydesk.models.auth import AuthController
from skydesk.models.filters import SessionFilters
from skydesk.models.session_table import SessionTableModel

if TYPE_CHECKING:
    from skydesk.api import Application, Session, SessionEvent

log = logging.getLogger(__name__)

PAGE_TASK = "browser.page"
APPS_TASK = "browser.applications"


def describe_error(exc: BaseException) -> str:
    """Plain words for a failed call (SDK messages already name the host and never hold tokens)."""
    if isinstance(exc, ApiError):
        return exc.message
    return f"unexpected error ({type(exc).__name__})"


class SessionBrowserController(QObject):
    """Loads the sessions of one application into `model`, page by page, and keeps them live."""

    applications_loaded = Signal(list)
    busy = Signal(bool)
    failed = Signal(str)

    def __init__(
        self,
        auth: AuthController,
        tasks: TaskRegistry,
        settings: Settings | None = None,
        page_size: int = 100,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._auth = auth
        self._tasks = tasks
        self._settings = settings
        self.page_size = page_size
        self.model = SessionTableModel(self)
        self.model.set_fetch_callback(self._on_model_fetch_more)
        self.model.sort_requested.connect(self._on_model_sort_requested)
        self.applications: list[Application] = []
        self._application_id: str | None = None
        self._filters = SessionFilters()
        self._generation = 0
        self._next_cursor: str | None = None
        if settings is not None:
            self._filters = SessionFilters.from_json(settings.filters)

    @property
    def application_id(self) -> str | None:
        """The application whose sessions are shown."""
        return self._application_id

    @property
    def filters(self) -> SessionFilters:
        """The filters and sort in effect."""
        return self._filters

    # ------------------------------------------------------------------ applications
    def load_applications(self) -> None:
        """Fetch the applications the user can read; emits applications_loaded(list)."""
        self._tasks.run(APPS_TASK, self._load_applications())

    async def _load_applications(self) -> None:
        client = self._auth.client
        if client is None:
            return
        self.busy.emit(True)
        try:
            apps = await client.get_applications()
        except SignInRequired as exc:
            self._auth.handle_sign_in_required(exc, self.load_applications)
            return
        except ApiError as exc:
            self.failed.emit(f"Could not load applications: {describe_error(exc)}")
            return
        finally:
            self.busy.emit(False)
        self.applications = sorted(apps, key=lambda a: a.name.casefold())
        self.applications_loaded.emit(list(self.applications))

    def set_application(self, application_id: str | None) -> None:
        """Show the sessions of `application_id` (remembered in settings)."""
        self._application_id = application_id or None
        if self._settings is not None:
            self._settings.last_application_id = self._application_id
        self._start_load()

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
        """Fetch again what is visible: at least as many rows as are loaded now (F5, resync)."""
        self._start_load(min_rows=len(self.model.sessions()))

    def clear(self) -> None:
        """Drop everything (sign-out)."""
        self._generation += 1
        self._tasks.cancel(PAGE_TASK)
        self._application_id = None
        self.applications = []
        self.model.begin_load(self._filters)
        self.model.append_page([], 0, False)
        self.model.fetch_finished()

    # ------------------------------------------------------------------ paging
    def _start_load(self, min_rows: int = 0) -> None:
        self._generation += 1
        self._next_cursor = None
        self.model.begin_load(self._filters)
        if self._application_id is None or self._auth.client is None:
            self.model.append_page([], 0, False)
            self.model.fetch_finished()
            return
        self._run_page(min_rows)

    def _on_model_fetch_more(self) -> None:
        self._run_page(0)

    def _run_page(self, min_rows: int) -> None:
        generation = self._generation
        task = self._tasks.run(PAGE_TASK, self._load_pages(generation, min_rows))
        task.add_done_callback(functools.partial(self._on_page_done, generation))

    def _on_page_done(self, generation: int, _task: object = None) -> None:
        # Always clear the fetchMore guard, whether the page arrived, failed or was cancelled;
        # but a superseded load must not clear the guard of its successor.
        if generation == self._generation:
            self.model.fetch_finished()
            self.busy.emit(False)

    async def _load_pages(self, generation: int, min_rows: int) -> None:
        client, app_id = self._auth.client, self._application_id
        if client is None or app_id is None:
            return
        self.busy.emit(True)
        kwargs: dict[str, Any] = self._filters.to_kwargs()
        while True:
            try:
                page = await client.list_sessions(
                    app_id, limit=self.page_size, next_cursor=self._next_cursor, **kwargs
                )
            except SignInRequired as exc:
                self.model.set_error("you need to sign in again")
                self._auth.handle_sign_in_required(exc, self.refresh)
                return
            except ApiError as exc:
                message = describe_error(exc)
                self.model.set_error(message)
                self.failed.emit(f"Could not load sessions: {message}")
                return
            if generation != self._generation:
                return  # superseded while awaiting (the task was not cancelled in time)
            self._next_cursor = page.next_cursor
            self.model.append_page(page.items, page.total, page.next_cursor is not None)
            if page.next_cursor is None or len(self.model.sessions()) >= min_rows:
                return
            await asyncio.sleep(0)  # let the view paint between pages of a refresh

    # ------------------------------------------------------------------ live events
    def apply_events(self, events: Sequence[SessionEvent]) -> None:
        """Apply a batch of live events to the table (one call per bridge batch)."""
        latest: dict[str, Session] = {}
        for event in events:
            session = getattr(event, "session", None)
            if session is None or event.application_id != self._application_id:
                continue
            latest[session.session_id] = session  # within a batch only the newest state matters
        if latest:
            self.model.apply_sessions(list(latest.values()))

    def apply_session(self, session: Session) -> None:
        """Show a session this app changed or created itself (no need to wait for its event)."""
        if session.application_id == self._application_id:
            self.model.apply_sessions([session])
