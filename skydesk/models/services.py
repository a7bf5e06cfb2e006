"""The app's non-visual parts wired together; app.py builds one and calls shutdown() before leaving."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from skydesk.core.credentials import CredentialStore
from skydesk.core.settings import Settings
from skydesk.core.tasks import TaskRegistry
from skydesk.models.auth import AuthController, ClientFactory
from skydesk.models.browser import SessionBrowserController
from skydesk.models.detail import SessionDetailController
from skydesk.models.live import EventBridge, LiveController

log = logging.getLogger(__name__)


class AppServices(QObject):
    """Settings, credentials, tasks and the controllers, with their signals connected."""

    def __init__(
        self,
        settings: Settings,
        credentials: CredentialStore | None = None,
        tasks: TaskRegistry | None = None,
        client_factory: ClientFactory | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.credentials = credentials if credentials is not None else CredentialStore()
        self.tasks = tasks if tasks is not None else TaskRegistry()
        self.auth = AuthController(settings, self.credentials, self.tasks, client_factory, parent=self)
        self.browser = SessionBrowserController(self.auth, self.tasks, settings, parent=self)
        self.detail = SessionDetailController(self.auth, self.tasks, parent=self)
        self.bridge = EventBridge(self)  # main thread, before any stream exists
        self.live = LiveController(self.auth, settings, self.bridge, parent=self)
        self._closing = False

        self.auth.signed_in.connect(self._on_auth_signed_in)
        self.auth.signed_out.connect(self._on_auth_signed_out)
        self.bridge.events_batch.connect(self.browser.apply_events)
        self.bridge.events_batch.connect(self.detail.apply_events)
        self.bridge.resync_needed.connect(self._on_bridge_resync_needed)
        self.detail.session_changed.connect(self.browser.apply_session)

    def _on_auth_signed_in(self, _label: str) -> None:
        if self._closing:
            return
        self.browser.model.participant_label = self._participant_label
        self.detail.participants_model.label_for = self._participant_label
        self.live.start()
        self.browser.load_applications()

    def _participant_label(self, participant_id: str) -> str:
        client = self.auth.client
        if client is not None and participant_id == client.user_id:
            return f"{self.auth.username} (you)"
        return participant_id

    def _on_auth_signed_out(self) -> None:
        self.tasks.run("live.stop", self.live.stop())
        self.detail.clear()
        self.browser.clear()

    def _on_bridge_resync_needed(self) -> None:
        # Events may have been missed while offline: fetch again what the user is looking at.
        self.browser.refresh()
        self.detail.reload()

    async def shutdown(self) -> None:
        """Stop the stream, finish keyring writes, cancel tasks, close HTTP, save settings; all awaited."""
        self._closing = True
        try:
            await self.live.stop()
        except Exception as exc:  # shutdown must go on, whatever failed
            log.warning("Stopping live events failed: %s", type(exc).__name__)
        await self.auth.settle_keyring()  # before cancelling: a rotated refresh token must reach the keyring
        await self.tasks.shutdown()
        await self.auth.aclose()
        try:
            self.settings.save()
        except OSError as exc:
            log.warning("Could not save settings: %s", exc)
