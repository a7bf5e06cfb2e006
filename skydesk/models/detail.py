"""The open session: detail, participants and data; edits as PATCH with rollback on failure."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from skydesk.api.errors import (
    ApiError,
    Conflict,
    Forbidden,
    NotFound,
    SignInRequired,
    TransportError,
    ValidationError,
)
from skydesk.api.merge import merge_patch
from skydesk.core.tasks import TaskRegistry
from skydesk.models.auth import AuthController
from skydesk.models.json_tree import JsonTreeModel
from skydesk.models.participants import ParticipantListModel

if TYPE_CHECKING:
    from skydesk.api import Participant, Session, SessionEvent, SkylightClient

log = logging.getLogger(__name__)

SESSION_EVENTS_WITH_SESSION = {
    "session_created",
    "session_updated",
    "session_properties_updated",
    "session_closed",
}


def describe_save_error(exc: BaseException) -> str:
    """Plain words for a failed change."""
    if isinstance(exc, Conflict):
        return "This session is closed, so it can no longer be changed."
    if isinstance(exc, Forbidden):
        return "You are not allowed to change this session."
    if isinstance(exc, NotFound):
        return "This session no longer exists or is no longer visible to you."
    if isinstance(exc, ValidationError):
        return exc.message
    if isinstance(exc, TransportError):
        if exc.outcome_unknown:
            return (
                f"The connection to {exc.host or 'the server'} broke while saving; the change may or may "
                "not have been saved. The view shows the server's current state."
            )
        return f"Could not reach {exc.host or 'the server'}; nothing was saved. Try again."
    if isinstance(exc, ApiError):
        return exc.message
    return f"Saving failed unexpectedly ({type(exc).__name__})."


class SessionDetailController(QObject):
    """Loads and edits the selected session; every change is one PATCH, never resent blindly."""

    session_loaded = Signal(object)  # Session | None
    save_failed = Signal(str, str)  # field, message
    saved = Signal(str)  # field
    busy = Signal(bool)
    failed = Signal(str)
    session_created = Signal(object)  # Session
    session_changed = Signal(object)  # Session this controller changed (for the list)

    def __init__(self, auth: AuthController, tasks: TaskRegistry, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._auth = auth
        self._tasks = tasks
        self.participants_model = ParticipantListModel(self)
        self.data_model = JsonTreeModel(self)
        self._app_id: str | None = None
        self._session_id: str | None = None
        self._session: Session | None = None
        self._data: dict[str, Any] = {}
        #: field -> value the user asked to save and that is not saved yet (kept across re-auth)
        self.pending_edits: dict[str, Any] = {}

    @property
    def session(self) -> Session | None:
        """The last good (server-confirmed) state of the open session."""
        return self._session

    @property
    def session_id(self) -> str | None:
        """Id of the open session."""
        return self._session_id

    @property
    def data(self) -> dict[str, Any]:
        """The open session's data document."""
        return dict(self._data)

    # ------------------------------------------------------------------ loading
    def show(self, app_id: str | None, session_id: str | None) -> None:
        """Open a session (None clears the pane); loads session, participants and data together."""
        if session_id != self._session_id:
            self.pending_edits.clear()
        self._app_id, self._session_id = app_id, session_id
        if app_id is None or session_id is None:
            self._tasks.cancel("detail.show")
            self._set_session(None)
            self._set_data({})
            return
        self._tasks.run("detail.show", self._load(app_id, session_id))

    def reload(self) -> None:
        """Fetch the open session again (after a resync or reconnect)."""
        if self._app_id and self._session_id:
            self._tasks.run("detail.show", self._load(self._app_id, self._session_id))

    def clear(self) -> None:
        """Close the pane (sign-out)."""
        self.show(None, None)

    async def _load(self, app_id: str, session_id: str) -> None:
        client = self._auth.client
        if client is None:
            return
        self.busy.emit(True)
        try:
            session, data = await asyncio.gather(
                client.get_session(app_id, session_id), client.get_session_data(app_id, session_id)
            )
        except SignInRequired as exc:
            self._auth.handle_sign_in_required(exc, self.reload)
            return
        except ApiError as exc:
            self.failed.emit(f"Could not load the session: {exc.message}")
            return
        finally:
            self.busy.emit(False)
        if (app_id, session_id) != (self._app_id, self._session_id):
            return
        self._set_session(session)
        self._set_data(data)

    def _set_session(self, session: Session | None) -> None:
        self._session = session
        participants = list(session.participants) if session is not None else []
        self.participants_model.set_participants(participants)
        self.session_loaded.emit(session)

    def _set_data(self, data: dict[str, Any]) -> None:
        self._data = dict(data)
        self.data_model.set_document(self._data)

    # ------------------------------------------------------------------ edits
    def save_name(self, text: str) -> None:
        """PATCH the name."""
        self._save("name", text, lambda c, a, s: c.update_session_name(a, s, text))

    def save_description(self, text: str) -> None:
        """PATCH the description."""
        self._save("description", text, lambda c, a, s: c.update_session_description(a, s, text))

    def save_properties(self, properties: Mapping[str, str]) -> None:
        """Replace the properties (the API overwrites the whole dictionary)."""
        props = {str(k): str(v) for k, v in properties.items()}
        self._save("properties", props, lambda c, a, s: c.update_session_properties(a, s, props))

    def close_session(self) -> None:
        """Close the open session (the UI asked for confirmation)."""
        self._save("status", "closed", lambda c, a, s: c.close_session(a, s))

    def add_participant(self, participant_id: str, type: str = "user", is_guest: bool = False) -> None:
        """Add a participant, then reload the session to show it."""

        async def op(c: SkylightClient, a: str, s: str) -> Session:
            await c.add_participant(a, s, participant_id, type, is_guest=is_guest)
            return await c.get_session(a, s)

        self._save("participants", participant_id, op)

    def remove_participant(self, participant_id: str) -> None:
        """Remove a participant (the UI asked for confirmation), then reload the session."""

        async def op(c: SkylightClient, a: str, s: str) -> Session:
            await c.remove_participant(a, s, participant_id)
            return await c.get_session(a, s)

        self._save("participants", participant_id, op)

    def _save(
        self,
        field: str,
        value: Any,
        op: Callable[[SkylightClient, str, str], Awaitable[Session]],
    ) -> None:
        if self._app_id is None or self._session_id is None:
            self.save_failed.emit(field, "No session is open.")
            return
        self.pending_edits[field] = value
        app_id, session_id = self._app_id, self._session_id
        self._tasks.run(f"detail.save.{field}", self._run_save(field, app_id, session_id, op))

    async def _run_save(
        self,
        field: str,
        app_id: str,
        session_id: str,
        op: Callable[[SkylightClient, str, str], Awaitable[Session]],
    ) -> None:
        client = self._auth.client
        if client is None:
            self.save_failed.emit(field, "You are signed out; sign in to save.")
            return
        self.busy.emit(True)
        try:
            session = await op(client, app_id, session_id)
        except SignInRequired as exc:
            # The request never left (the token could not be renewed), so re-running it after the
            # password is entered again is safe; the edit stays pending meanwhile.
            self._auth.handle_sign_in_required(exc, lambda: self._retry_save(field, app_id, session_id, op))
            return
        except ApiError as exc:
            self.pending_edits.pop(field, None)
            self._rollback(field, describe_save_error(exc), app_id, session_id, exc)
            return
        finally:
            self.busy.emit(False)
        self.pending_edits.pop(field, None)
        if session_id == self._session_id:
            self._set_session(session)
        self.session_changed.emit(session)
        self.saved.emit(field)

    def _retry_save(
        self,
        field: str,
        app_id: str,
        session_id: str,
        op: Callable[[SkylightClient, str, str], Awaitable[Session]],
    ) -> None:
        if field in self.pending_edits:
            self._tasks.run(f"detail.save.{field}", self._run_save(field, app_id, session_id, op))

    def _rollback(self, field: str, message: str, app_id: str, session_id: str, exc: ApiError) -> None:
        if session_id == self._session_id:
            self.session_loaded.emit(self._session)  # the last good state
        self.save_failed.emit(field, message)
        if isinstance(exc, Conflict | TransportError) and session_id == self._session_id:
            # What the server holds now may differ from what we showed (closed, or maybe saved): re-read.
            self._tasks.run("detail.show", self._load(app_id, session_id))

    # ------------------------------------------------------------------ create
    def create_session(
        self,
        app_id: str,
        name: str,
        description: str = "",
        version: int | None = None,
        participants: Sequence[Participant] | None = None,
        properties: Mapping[str, str] | None = None,
    ) -> None:
        """POST a new session once (never resent); emits session_created or failed."""
        self._tasks.run(
            "detail.create",
            self._create(app_id, name, description, version, participants, properties),
        )

    async def _create(
        self,
        app_id: str,
        name: str,
        description: str,
        version: int | None,
        participants: Sequence[Participant] | None,
        properties: Mapping[str, str] | None,
    ) -> None:
        client = self._auth.client
        if client is None:
            self.failed.emit("You are signed out; sign in to create a session.")
            return
        self.busy.emit(True)
        try:
            session = await client.create_session(
                app_id,
                name=name,
                description=description,
                properties=dict(properties or {}),
                version=version,
                participants=list(participants or []),
            )
        except SignInRequired as exc:
            retry = lambda: self.create_session(  # noqa: E731
                app_id, name, description, version, participants, properties
            )
            self._auth.handle_sign_in_required(exc, retry)
            return
        except ApiError as exc:
            self.failed.emit(f"Could not create the session: {describe_save_error(exc)}")
            return
        finally:
            self.busy.emit(False)
        self.session_changed.emit(session)
        self.session_created.emit(session)

    # ------------------------------------------------------------------ live events
    def apply_events(self, events: Sequence[SessionEvent]) -> None:
        """Update the open session/participants/data from a bridge batch."""
        if self._session_id is None:
            return
        newest: Session | None = None
        data = None
        for event in events:
            if event.session_id != self._session_id:
                continue
            if event.session is not None and event.event_type in SESSION_EVENTS_WITH_SESSION:
                newest = event.session
            elif event.event_type == "session_data_updated" and event.data is not None:
                data = merge_patch(data if data is not None else self._data, event.data)
        if newest is not None and (self._session is None or newest.modified_at >= self._session.modified_at):
            self._set_session(newest)
        if data is not None:
            self._set_data(data)
