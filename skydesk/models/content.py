"""Session content controllers (data editor, timeline, event log, unread marks), wired to the app's services.

AppServices builds one ``ContentControllers`` after its own controllers; everything here follows the
detail controller (which session is open, its data) and the event bridge (what happens live).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from skydesk.models.data_editor import DataEditorController
from skydesk.models.event_log_model import EventLogController
from skydesk.models.timeline import TimelineController

if TYPE_CHECKING:
    from skydesk.api import SessionEvent
    from skydesk.models.problems import Problem
    from skydesk.models.services import AppServices


class UnreadMarks(QObject):
    """Sessions changed by someone else since the user last looked at them; cleared when selected."""

    changed = Signal(list)  # session ids whose mark appeared or went

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unread: set[str] = set()
        self.looking_at: str | None = None  # the selected session never gets a mark
        self.me: str | None = None  # the signed-in user's own changes are not news

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._unread

    def apply_events(self, events: Sequence[SessionEvent]) -> None:
        """Mark the sessions these events changed (not the open one, not by me)."""
        fresh = {
            e.session_id
            for e in events
            if e.session_id != self.looking_at and e.user_id != self.me and e.session_id not in self._unread
        }
        if fresh:
            self._unread |= fresh
            self.changed.emit(sorted(fresh))

    def seen(self, session_id: str | None) -> None:
        """The user selected ``session_id``: its mark goes."""
        self.looking_at = session_id
        if session_id is not None and session_id in self._unread:
            self._unread.discard(session_id)
            self.changed.emit([session_id])

    def clear(self) -> None:
        """Forget every mark (sign-out)."""
        gone, self._unread = sorted(self._unread), set()
        if gone:
            self.changed.emit(gone)


class ContentControllers(QObject):
    """Owns and wires the content controllers for one AppServices."""

    def __init__(self, services: AppServices, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.event_log = EventLogController(services.settings.event_log_limit, self)
        self.data_editor = DataEditorController(services.ops, self)
        self.timeline = TimelineController(services.ops, self)
        self.unread = UnreadMarks(self)
        labels, detail, bridge = services.labels, services.detail, services.bridge
        self.timeline.model.user_label = labels.label
        self.event_log.model.user_label = labels.label
        self.event_log.model.app_label = self._application_name
        self.event_log.model.session_label = self._session_name
        labels.changed.connect(self.timeline.model.relabel)
        for slot in (
            self.event_log.add_events,
            self.data_editor.apply_events,
            self.timeline.apply_events,
            self.unread.apply_events,
        ):
            bridge.events_batch.connect(slot)
        self._follow = QTimer(self)
        self._follow.setSingleShot(True)
        self._follow.setInterval(0)
        # Deferred: when the detail's data changes because of a live event, the editor takes that event
        # itself (with who did it) in the same batch; the reset that follows then finds nothing new.
        self._follow.timeout.connect(self._follow_detail)
        detail.data_changed.connect(self._on_detail_changed)
        detail.session_loaded.connect(self._on_detail_changed)
        self.data_editor.reload_requested.connect(detail.reload)
        services.browser.model.unread = self.unread
        self.unread.changed.connect(services.browser.model.refresh_unread)
        services.auth.signed_in.connect(self._on_auth_signed_in)
        services.auth.signed_out.connect(self._on_auth_signed_out)
        # The user's rights (PEOPLE-API): data edits and custom events need session-data write rights.
        services.permissions.changed.connect(self._apply_rights)
        self.data_editor.save_failed.connect(self._note_forbidden)
        self.timeline.post_failed.connect(self._note_forbidden)

    def reconnect_now(self) -> None:
        """Ask the live-event stream to connect again at once ("Reconnect now")."""
        stream = self._services.live.stream
        if stream is not None:
            stream.reconnect()

    def _on_detail_changed(self, *_args: object) -> None:
        self._follow.start()

    def _follow_detail(self) -> None:
        detail = self._services.detail
        session = detail.session
        if session is None or session.session_id != detail.session_id:
            self.data_editor.open(None, None, None)
            self.timeline.open(None, None)
            self.unread.seen(detail.session_id)
            return
        data = detail.data
        self._apply_rights()
        self.data_editor.open(session.application_id, session.session_id, data)
        self.timeline.open(session.application_id, session.session_id)
        self.event_log.note_data(session.session_id, data)
        self.unread.seen(session.session_id)

    def _apply_rights(self) -> None:
        """Make the editor read-only and the event form refuse when the role may not edit the data."""
        detail = self._services.detail
        session = detail.session if detail.session_id is not None else None
        verdict = self._services.permissions.verdict("edit_data", session)
        editor = self.data_editor
        editor.read_only_reason = "" if verdict.allowed else verdict.reason
        editor.read_only = session is None or not session.is_open or not verdict.allowed
        self.timeline.set_rights(verdict.allowed, verdict.reason)
        editor.state_changed.emit()

    def _note_forbidden(self, problem: Problem) -> None:
        # A 403 despite the rights we knew: the role changed on the server; read the rights again.
        if problem.kind == "forbidden":
            self._services.permissions.note_forbidden("edit_data")

    def _on_auth_signed_in(self, _label: str) -> None:
        client = self._services.auth.client
        self.unread.me = client.user_id if client is not None else None

    def _on_auth_signed_out(self) -> None:
        self.unread.clear()
        self.event_log.clear()

    def _application_name(self, app_id: str) -> str:
        apps = self._services.browser.applications
        return next((a.name for a in apps if a.application_id == app_id), app_id)

    def _session_name(self, session_id: str) -> str | None:
        model = self._services.browser.model
        session = model.session_at(model.row_of(session_id))
        return session.name if session is not None and session.name else None
