"""The app's non-visual parts wired together; app.py builds one and calls shutdown() before leaving."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from skydesk.core.credentials import CredentialStore
from skydesk.core.logs import report_exception
from skydesk.core.settings import Settings
from skydesk.core.tasks import TaskRegistry
from skydesk.models.auth import AuthController, ClientFactory
from skydesk.models.browser import SessionBrowserController
from skydesk.models.content import ContentControllers
from skydesk.models.detail import SessionDetailController
from skydesk.models.export import ExportController
from skydesk.models.labels import UserLabels
from skydesk.models.live import EventBridge, LiveController
from skydesk.models.media_services import build_media
from skydesk.models.operations import Operations, UnexpectedReporter
from skydesk.models.people import PeopleDirectory
from skydesk.models.permissions import Permissions
from skydesk.models.profiles import ProfilesController
from skydesk.models.settings_saver import SettingsSaver

log = logging.getLogger(__name__)


#: Live-event states after which a "connected" means the app was cut off and is back.
_OFFLINE_STATES = frozenset({"offline", "reconnecting", "auth_failed"})


class AppServices(QObject):
    """Settings, credentials, tasks, the operation layer and the controllers, with their signals connected.

    The one place where the non-visual parts are wired; the window connects ``ops.problem_raised`` to the
    presenter.
    """

    def __init__(
        self,
        settings: Settings,
        credentials: CredentialStore | None = None,
        tasks: TaskRegistry | None = None,
        client_factory: ClientFactory | None = None,
        report_unexpected: UnexpectedReporter = report_exception,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.credentials = credentials if credentials is not None else CredentialStore()
        self.report_unexpected = report_unexpected
        self.tasks = tasks if tasks is not None else TaskRegistry(on_error=self._on_task_error)
        self.saver = SettingsSaver(settings)  # settings are written on a worker thread, never the GUI's
        self.auth = AuthController(
            settings, self.credentials, self.tasks, client_factory, parent=self, saver=self.saver
        )
        self.ops = Operations(self.auth, self.tasks, report_unexpected, parent=self)
        self.labels = UserLabels(self.auth, parent=self)
        self.people = PeopleDirectory(self.auth, self.ops, settings, parent=self)
        self.permissions = Permissions(self.auth, self.ops, parent=self)
        self.labels.fallback = self.people.label
        self.browser = SessionBrowserController(self.auth, self.ops, settings, self.labels, parent=self)
        self.detail = SessionDetailController(self.ops, self.labels, parent=self)
        self.detail.participants_model.detail_for = self.people.subtitle
        self.export = ExportController(self.ops, parent=self)
        self.profiles = ProfilesController(
            settings, self.credentials, self.tasks, parent=self, saver=self.saver
        )
        self.bridge = EventBridge(self)  # main thread, before any stream exists
        self.live = LiveController(self.auth, settings, self.bridge, parent=self)
        # After the controllers above: the content controllers follow the detail and the bridge.
        self.content = ContentControllers(self, parent=self)
        self.thumbnails, self.media = build_media(self)  # the Media tab (issue 15)
        self._closing = False
        self._live_state = "stopped"
        self._live_due = False  # signed in; the live stream starts after the first page (see below)
        # Signing in, open an application as soon as the list is in (the window sets it: it always shows
        # one); the browser then asks for its first page before it announces the list (benchmark B2).
        self.opens_application = False

        self.auth.signed_in.connect(self._on_auth_signed_in)
        self.auth.signed_out.connect(self._on_auth_signed_out)
        self.bridge.events_batch.connect(self.browser.apply_events)
        self.bridge.events_batch.connect(self.detail.apply_events)
        self.bridge.resync_needed.connect(self._on_bridge_resync_needed)
        self.bridge.state_changed.connect(self._on_bridge_state_changed)
        self.ops.api_recovered.connect(self._on_ops_api_recovered)
        self.detail.session_changed.connect(self.browser.apply_session)
        self.people.changed.connect(self._on_people_changed)
        self.browser.application_changed.connect(self._on_browser_application_changed)
        self.browser.applications_loaded.connect(self._on_browser_applications_loaded)
        self.browser.applications_failed.connect(self._on_browser_applications_failed)
        self.detail.left_session.connect(self._on_detail_left_session)

    def _on_detail_left_session(self, session: Any) -> None:
        self.browser.model.forget(session.session_id)

    def _on_task_error(self, name: str, exc: BaseException) -> None:
        # A task that failed outside the operation layer: the same crash path (log + dialog).
        self.report_unexpected(type(exc), exc, exc.__traceback__, where=f"task {name}")

    def _on_auth_signed_in(self, _label: str) -> None:
        if self._closing:
            return
        # What the user waits for comes first: the applications, then the first page of sessions. The live
        # stream (a TLS connection set up on its own thread, which takes the CPU and the server for tens of
        # ms) starts once that page is in (benchmark B2). Started together with the page, its subscription
        # was in place only ~80 ms after the page had been read anyway, so events in that gap were never
        # covered by starting it first.
        self._live_due = True
        # The remembered application's first page first (on the connection the sign-in used): the list of
        # applications, asked for at the same time, only confirms it; the page was asked for a round trip
        # later, once the list was in (benchmark B2).
        self.browser.open_remembered()
        self.browser.load_applications(open_first=self.opens_application)

    def after_page(self, then: Callable[[], None]) -> None:
        """Run ``then`` once the page of sessions being loaded is in (or failed), or now if none is."""
        page = self.browser.page_task
        if page is None or page.done():
            then()
        else:
            page.add_done_callback(lambda _page: then())

    def _start_live_after_page(self) -> None:
        # A turn of the loop after the applications arrived: the window has asked for the first page.
        if self._live_due and not self._closing:
            self._live_due = False
            self.after_page(self.live.start)

    def _on_browser_applications_failed(self) -> None:
        if self._live_due and not self._closing:
            self._live_due = False
            self.live.start()

    def _on_people_changed(self, ids: list[str]) -> None:
        # Names the directory found go to the one label service; a local label only needs a repaint.
        names = {pid: p.name for pid in ids if (p := self.people.person(pid)) is not None and p.name}
        self.labels.set_names(names)
        if len(names) < len(ids):
            self.labels.refresh()

    def _on_browser_application_changed(self, application_id: str) -> None:
        # The rights are read once the first page is in: they would take a second connection and the GUI
        # thread's time while the user waits for the page; until they arrive, everything is allowed.
        self.permissions.set_application(
            application_id or None, self._application_name(application_id), read=False
        )
        self.after_page(self.permissions.reload)

    def _on_browser_applications_loaded(self, _applications: object) -> None:
        if self._live_due:
            asyncio.get_running_loop().call_soon(self._start_live_after_page)
        # The rights of an application chosen before its name was known now get the name for the words.
        app_id = self.browser.application_id
        if app_id and self.permissions.application_name != self._application_name(app_id):
            self.permissions.set_application(app_id, self._application_name(app_id))

    def _application_name(self, application_id: str) -> str:
        return next((a.name for a in self.browser.applications if a.application_id == application_id), "")

    def _on_auth_signed_out(self) -> None:
        self._live_due = False
        self.ops.stop()
        self.tasks.run("live.stop", self.live.stop())
        self.detail.clear()
        self.browser.clear()

    def _on_bridge_resync_needed(self) -> None:
        # Events may have been missed while offline: fetch again what the user is looking at.
        self.browser.refresh()
        self.detail.reload()

    def _on_bridge_state_changed(self, state: str, _detail: str) -> None:
        was, self._live_state = self._live_state, state
        if state == "connected" and was in _OFFLINE_STATES:
            self._on_ops_api_recovered()

    def _on_ops_api_recovered(self) -> None:
        # The API is back after an outage: reload, once, what a failed load left out of date.
        if self.browser.stale:
            self.browser.refresh()
        if self.detail.stale:
            self.detail.reload()

    async def shutdown(self) -> None:
        """Stop the stream, finish keyring writes, cancel tasks, close HTTP, save settings; all awaited."""
        self._closing = True
        self.ops.stop()
        for timer in self.findChildren(QTimer):  # nothing ticks after shutdown (rates, highlights, ...)
            timer.stop()
        try:
            await self.live.stop()
        except Exception as exc:  # shutdown must go on, whatever failed
            log.warning("Stopping live events failed: %s", type(exc).__name__)
        await self.auth.settle_keyring()  # before cancelling: a rotated refresh token must reach the keyring
        self.browser.discard_read_ahead()  # a page read ahead is the one request not run as a task of ours
        await self.tasks.shutdown()
        await self.auth.aclose()
        self.saver.save()  # the layout app.py recorded, after any save still on its way
        await self.saver.flush()
