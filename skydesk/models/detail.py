"""The open session: detail, participants and data; a Save is one PATCH, run through the operation layer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from skydesk.api.merge import merge_patch
from skydesk.events.types import (
    SessionClosed,
    SessionCreated,
    SessionDataUpdated,
    SessionPropertiesUpdated,
    SessionUpdated,
)
from skydesk.models.edits import changed_fields
from skydesk.models.labels import UserLabels
from skydesk.models.operations import Operations
from skydesk.models.participants import ParticipantListModel
from skydesk.models.problems import (
    ADDING_PARTICIPANT,
    CLOSING_SESSION,
    CREATING_SESSION,
    LOADING_SESSION,
    REMOVING_PARTICIPANT,
    SAVING_CHANGES,
    Doing,
    Problem,
    Severity,
)

if TYPE_CHECKING:
    from skydesk.api import Participant, Session, SessionEvent, SkylightClient

log = logging.getLogger(__name__)

EVENTS_WITH_SESSION = (SessionCreated, SessionUpdated, SessionPropertiesUpdated, SessionClosed)
#: The API's names of the editable fields, as the pane names them.
EDITABLE = ("name", "description", "properties")
#: Problem kinds after which what the server holds may differ from what is shown: read it again.
RELOAD_AFTER = frozenset({"closed", "maybe_saved", "gone"})


@dataclass(frozen=True)
class SaveConflict:
    """A save that was not sent: someone else changed ``fields`` of ``session`` since the edit began."""

    session: Session
    fields: list[str]

    def problem(self) -> Problem:
        """The words for it (the conflict notices next to the fields say who and what)."""
        listed = ", ".join(self.fields)
        return Problem(
            f"The changes were not saved: someone else changed the {listed} meanwhile. "
            "Choose “Use theirs” or “Keep mine”, then save again.",
            Severity.WARNING,
            kind="edit_conflict",
            doing=SAVING_CHANGES.what,
            scope="detail",
        )


def session_target(session_id: str) -> str:
    """The operation target (busy count, write queue) of the writes to one session."""
    return f"session:{session_id}"


def session_load_target(session_id: str) -> str:
    """The busy target of loading one session (kept apart: a load never disables Save)."""
    return f"{session_target(session_id)}/load"


class SessionDetailController(QObject):
    """Loads and edits the selected session; every change is one write, never resent blindly."""

    session_loaded = Signal(object)  # Session | None
    saved = Signal(list)  # the fields one write changed ("name", "description", "properties", "status", ...)
    save_failed = Signal(list, object)  # those fields, the Problem (the presenter shows it)
    busy = Signal(bool)  # writes to the open session are on their way (Save stays disabled)
    session_created = Signal(object)  # Session
    session_changed = Signal(object)  # Session this controller changed (for the list)
    left_session = Signal(object)  # Session: the user removed themself and can no longer see it
    # object, not dict: Qt would convert a dict to a QVariantMap, and a JSON integer beyond 64 bits (valid in
    # any session's data) then raised OverflowError out of emit() (found by test_bad_answers_in_the_app.py).
    data_changed = Signal(object)  # the open session's data document (dict), loaded or changed live

    def __init__(
        self, ops: Operations, labels: UserLabels | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._labels = labels
        self.participants_model = ParticipantListModel(self)
        if labels is not None:
            self.participants_model.label_for = labels.label
            labels.changed.connect(self.participants_model.relabel)
        self._app_id: str | None = None
        self._session_id: str | None = None
        self._session: Session | None = None
        self._data: dict[str, Any] = {}
        self._stale = False
        self._leaving_id: str | None = None  # the session the user is removing themself from, until answered
        #: field -> value the user asked to save and that is not saved yet (kept across re-auth)
        self.pending_edits: dict[str, Any] = {}
        ops.busy_changed.connect(self._on_ops_busy_changed)

    @property
    def session(self) -> Session | None:
        """The last good (server-confirmed) state of the open session."""
        return self._session

    @property
    def session_id(self) -> str | None:
        """Id of the open session."""
        return self._session_id

    @property
    def stale(self) -> bool:
        """True since loading the open session failed, until a load succeeds."""
        return self._stale

    @property
    def data(self) -> dict[str, Any]:
        """The open session's data document."""
        return dict(self._data)

    # ------------------------------------------------------------------ loading
    def show(self, app_id: str | None, session_id: str | None) -> None:
        """Open a session (None clears the pane); loads session and data together."""
        if session_id != self._session_id:
            self.pending_edits.clear()
        self._app_id, self._session_id = app_id, session_id
        if app_id is None or session_id is None:
            self._stale = False
            self._ops.cancel("detail.session")
            self._set_session(None)
            self._set_data({})
            return
        self._load(app_id, session_id)
        self.busy.emit(self._ops.busy(session_target(session_id)) > 0)

    def reload(self) -> None:
        """Fetch the open session again (after a resync, a reconnect, a change elsewhere)."""
        if self._session_id is not None and self._session_id == self._leaving_id:
            return  # the read that follows the user's removal of themself is on its way
        if self._app_id and self._session_id:
            self._load(self._app_id, self._session_id)

    def clear(self) -> None:
        """Close the pane (sign-out)."""
        self.show(None, None)

    def _load(self, app_id: str, session_id: str, leaving: Session | None = None) -> None:
        """Read the session and its data; ``leaving``: the user just removed themself from it."""

        async def call(client: SkylightClient) -> tuple[Session, dict[str, Any]]:
            session, data = await asyncio.gather(
                client.get_session(app_id, session_id), client.get_session_data(app_id, session_id)
            )
            return session, data

        def loaded(result: tuple[Session, dict[str, Any]]) -> None:
            if (app_id, session_id) != (self._app_id, self._session_id):
                return
            self._stale = False
            shown = self._session
            if shown is None or shown.session_id != session_id or result[0].modified_at >= shown.modified_at:
                self._set_session(result[0])  # (a load sent before a save may answer after it)
            self._set_data(result[1])

        def failed(problem: Problem) -> None:
            if leaving is not None and problem.kind in ("gone", "forbidden"):
                self.show(None, None)
                self.left_session.emit(leaving)
                return
            self._stale = problem.kind != "sign_in"

        self._ops.read(
            "detail.session", call, doing=LOADING_SESSION, scope="detail",
            target=session_load_target(session_id), success=loaded, failure=failed,
            quiet=leaving is not None,  # losing access after leaving is expected: no "not found" banner
        )  # fmt: skip

    def _set_session(self, session: Session | None) -> None:
        self._session = session
        participants = list(session.participants) if session is not None else []
        self.participants_model.set_participants(participants)
        self.session_loaded.emit(session)

    def _set_data(self, data: dict[str, Any]) -> None:
        self._data = dict(data)
        self.data_changed.emit(dict(self._data))

    # ------------------------------------------------------------------ edits
    def save(self, edits: Mapping[str, Any], base: Session | None = None) -> None:
        """Send every changed field (name, description, properties) in one PATCH.

        ``base`` is the state the edit started from: if the server's session has moved on since and one
        of the edited fields differs, nothing is sent; the newer session is shown (the pane then asks
        "Use theirs" / "Keep mine") and ``save_failed`` reports a problem of kind "edit_conflict".
        """
        patch: dict[str, Any] = {k: v for k, v in edits.items() if k in EDITABLE}
        if "properties" in patch:
            patch["properties"] = {str(k): str(v) for k, v in patch["properties"].items()}
        if not patch:
            return
        self.pending_edits.update(patch)

        async def send(c: SkylightClient, app_id: str, session_id: str) -> Session | SaveConflict:
            if base is not None:
                current = await c.get_session(app_id, session_id)
                if current.modified_at != base.modified_at:
                    clash = changed_fields(base, current, tuple(patch))
                    if clash:
                        return SaveConflict(current, sorted(clash))
            return await c.patch_session(app_id, session_id, patch)

        self._write(list(patch), SAVING_CHANGES, "detail", send)

    def close_session(self) -> None:
        """Close the open session (the UI asked for confirmation)."""
        self._write(["status"], CLOSING_SESSION, "detail", lambda c, a, s: c.close_session(a, s))

    def add_participant(self, participant_id: str, type: str = "user", is_guest: bool = False) -> None:
        """Add a participant, then read the session again to show it."""
        self._write(
            ["participants"], ADDING_PARTICIPANT, "participants",
            lambda c, a, s: c.add_participant(a, s, participant_id, type, is_guest=is_guest),
        )  # fmt: skip

    def remove_participant(self, participant_id: str) -> None:
        """Remove a participant (the UI asked for confirmation), then read the session again.

        When the user removed themself and may no longer read the session, ``left_session`` says so
        and the pane is cleared, instead of a "not found" problem.
        """
        # Only the read that follows this removal may take a failure for "you left" (a reload sent
        # meanwhile, for a live event or a resync, was sent while the user could still read it).
        leaving = self._session if self._labels is not None and self._labels.is_me(participant_id) else None
        if leaving is not None:
            # A read already on its way would answer either the session the user is leaving or "not
            # found" as a plain problem: the read after the removal replaces it, and reloads wait for it.
            self._ops.cancel("detail.session")
            self._leaving_id = leaving.session_id
        self._write(
            ["participants"], REMOVING_PARTICIPANT, "participants",
            lambda c, a, s: c.remove_participant(a, s, participant_id), leaving=leaving,
        )  # fmt: skip

    def _write(
        self, fields: list[str], doing: Doing, scope: str, send: Any, leaving: Session | None = None
    ) -> None:
        app_id, session_id = self._app_id, self._session_id
        if app_id is None or session_id is None:
            return

        def done(result: Session | SaveConflict | None) -> None:
            if leaving is not None:
                self._leaving_id = None
            for field in fields:
                self.pending_edits.pop(field, None)
            if isinstance(result, SaveConflict):
                if session_id == self._session_id:
                    self._set_session(result.session)  # the pane shows the conflict next to the field
                self.session_changed.emit(result.session)
                self.save_failed.emit(fields, result.problem())
                return
            if result is None:  # participants: the answer has no session; read it
                if session_id == self._session_id:
                    self._load(app_id, session_id, leaving)
            else:
                if session_id == self._session_id:
                    self._set_session(result)
                self.session_changed.emit(result)
            self.saved.emit(fields)

        def failed(problem: Problem) -> None:
            if leaving is not None and problem.kind != "sign_in":
                self._leaving_id = None  # still a participant: reloads are the usual ones again
            if problem.kind == "sign_in":
                return  # kept pending: it is sent again once the password is entered
            for field in fields:
                self.pending_edits.pop(field, None)
            if session_id == self._session_id:
                self.session_loaded.emit(self._session)  # the last good state
                if problem.kind in RELOAD_AFTER:
                    self.reload()
            self.save_failed.emit(fields, problem)

        self._ops.write(
            session_target(session_id), lambda c: send(c, app_id, session_id),
            doing=doing, scope=scope, success=done, failure=failed, reload=self.reload,
            field=fields[0] if len(fields) == 1 and fields[0] in EDITABLE else None,
        )  # fmt: skip

    def _on_ops_busy_changed(self, target: str, _count: int) -> None:
        if self._session_id is not None and target == session_target(self._session_id):
            self.busy.emit(self._ops.busy(target) > 0)

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
        """POST a new session once (never resent); emits session_created, or the presenter says why not."""

        def created(session: Session) -> None:
            self.session_changed.emit(session)
            self.session_created.emit(session)

        self._ops.write(
            f"create:{app_id}",
            lambda c: c.create_session(
                app_id, name=name, description=description, properties=dict(properties or {}),
                version=version, participants=list(participants or []),
            ),
            doing=CREATING_SESSION, scope="create", success=created,
        )  # fmt: skip

    # ------------------------------------------------------------------ live events
    def apply_events(self, events: Sequence[SessionEvent]) -> None:
        """Update the open session/participants/data from a bridge batch (events consumed by type)."""
        if self._session_id is None:
            return
        newest: Session | None = None
        data = None
        for event in events:
            if event.session_id != self._session_id:
                continue
            if isinstance(event, EVENTS_WITH_SESSION) and event.session is not None:
                newest = event.session
            elif isinstance(event, SessionDataUpdated) and event.data is not None:
                data = merge_patch(data if data is not None else self._data, event.data)
        if newest is not None and (self._session is None or newest.modified_at >= self._session.modified_at):
            self._set_session(newest)
        if data is not None:
            self._set_data(data)
