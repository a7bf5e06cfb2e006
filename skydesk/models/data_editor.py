"""The session-data editor's controller: the edit against the server's state, concurrent changes, Save.

``server`` is what the server holds as far as we know; ``base`` is the server state the user's edit started
from. Save sends ``merge_diff(base, edit)``: the minimal RFC 7386 patch. When the server's data changes
during an edit, what the user did not touch is merged in; where both changed, the user chooses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from skydesk.api.merge import merge_patch
from skydesk.events.types import SessionDataUpdated
from skydesk.models.data_edit_model import DataEditModel
from skydesk.models.detail import session_target
from skydesk.models.json_doc import (
    Clash,
    ThreeWay,
    format_path,
    merge_diff,
    null_members,
    patch_leaves,
    same,
    three_way,
)
from skydesk.models.problems import Doing, Problem

if TYPE_CHECKING:
    from skydesk.api import SessionEvent, SkylightClient
    from skydesk.models.operations import Operations

SAVING_DATA = Doing("saving the session data", "The session data was not saved", change=True)


class DataEditorController(QObject):
    """Holds the open session's data edit; ``state_changed`` whenever dirty / valid / busy may differ."""

    state_changed = Signal()
    conflict = Signal(list, str)  # [Clash], who changed it (user id)
    merged = Signal(list, str)  # paths (formatted) merged in silently, who
    saved = Signal(object)  # the patch that went out (dict; object: see SessionDetailController.data_changed)
    save_failed = Signal(object)  # Problem
    reload_requested = Signal()  # a save's outcome is unknown: read the server's data again

    def __init__(self, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self.model = DataEditModel(self)
        self._app_id: str | None = None
        self._session_id: str | None = None
        self._server: dict[str, Any] = {}
        self._base: dict[str, Any] = {}
        self._pending: ThreeWay | None = None
        self._theirs: dict[str, Any] = {}
        self.saving = False
        self.read_only = False
        self.read_only_reason = ""  # why the user may not edit (their role), shown as a notice
        self.last_patch: dict[str, Any] | None = None
        self.model.edited.connect(self.state_changed.emit)

    # ------------------------------------------------------------------ state
    @property
    def session_id(self) -> str | None:
        """The session whose data is open."""
        return self._session_id

    @property
    def base(self) -> dict[str, Any]:
        """The server state the edit started from ("before" in the diff)."""
        return self._base

    @property
    def server(self) -> dict[str, Any]:
        """The server's data as last known."""
        return self._server

    @property
    def pending_conflict(self) -> list[Clash]:
        """Fields both sides changed, waiting for "Reload theirs" or "Keep mine"."""
        return list(self._pending.clashes) if self._pending is not None else []

    def edit(self) -> dict[str, Any]:
        """The document as the user has it now ("after")."""
        return self.model.document()

    def patch(self) -> dict[str, Any]:
        """The minimal merge patch Save would send."""
        patch = merge_diff(self._base, self.edit())
        return patch if isinstance(patch, dict) else {}

    def is_dirty(self) -> bool:
        """Whether Save would send anything."""
        return bool(self.patch())

    def problems(self) -> list[str]:
        """Why Save is disabled, in words (refused keys first)."""
        words = [f"{format_path(path)}: {msg}" for path, msg in self.model.problems()]
        if self._pending is not None:
            words.append("The data changed on the server: choose Reload theirs or Keep mine first.")
        return words

    def can_save(self) -> bool:
        """An open, writable session, a change, no refused key, no open conflict, nothing in flight."""
        return (
            self._session_id is not None
            and not self.read_only
            and not self.saving
            and self._pending is None
            and not self.model.problems()
            and self.is_dirty()
        )

    def lost_nulls(self) -> list[str]:
        """Object members set to null: a merge patch deletes them (the diff view warns about it)."""
        return [format_path(p) for p in null_members(self.edit())]

    # ------------------------------------------------------------------ server side
    def open(self, app_id: str | None, session_id: str | None, data: dict[str, Any] | None) -> None:
        """Show another session's data (or none); a reload of the same session counts as a server change."""
        if session_id is not None and session_id == self._session_id:
            self.server_changed(data or {})
            return
        self._app_id, self._session_id = app_id, session_id
        self._server = self._base = dict(data or {})
        self._pending = None
        self.saving = False
        self.model.set_changed_paths(set())
        self.model.set_document(self._base)
        self.state_changed.emit()

    def apply_events(self, events: Sequence[SessionEvent]) -> None:
        """Take ``session_data_updated`` events of the open session (from the event bridge)."""
        data, who, patches = self._server, "", 0
        for event in events:
            if event.session_id == self._session_id and isinstance(event, SessionDataUpdated):
                if event.data is not None:
                    data, who, patches = merge_patch(data, event.data), event.user_id, patches + 1
        if patches:  # one merge per batch: a burst of changes is one step for the editor
            self.server_changed(data, who)

    def server_changed(self, data: dict[str, Any], who: str = "", patch: Any = None) -> None:
        """The server's data is now ``data``: follow it, merging it into an edit in progress."""
        if same(data, self._server):
            return  # our own save's echo, or a reload that found nothing new
        their_patch = patch if isinstance(patch, dict) else merge_diff(self._server, data)
        self._server = dict(data)
        changed = set(patch_leaves(their_patch)) if their_patch else set()
        if self._pending is not None:
            mine = self._pending.merged  # compare with everything the user has seen so far
        elif not self.is_dirty():
            self._base = self._server
            self.model.set_document(self._base)
            self.model.set_changed_paths(changed)
            self.state_changed.emit()
            return
        else:
            mine = self.edit()
        result = three_way(self._base, mine, self._server)
        if not result.clashes:
            self._base, self._pending = self._server, None
            self.model.set_document(result.merged)
            self.model.set_changed_paths(changed)
            self.merged.emit([format_path(p) for p in sorted(changed, key=str)], who)
        else:
            self._pending, self._theirs = result, self._server
            self.model.set_changed_paths(changed)
            self.conflict.emit(result.clashes, who)
        self.state_changed.emit()

    def resolve(self, keep_mine: bool) -> None:
        """End a conflict: keep my values where we clashed, or take theirs there; nothing else is lost."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        self._base = self._theirs
        self.model.set_document(pending.merged if keep_mine else pending.reloaded)
        self.state_changed.emit()

    def revert(self) -> None:
        """Throw the edit away: show the server's data."""
        self._pending = None
        self._base = self._server
        self.model.set_document(self._base)
        self.state_changed.emit()

    def replace_edit(self, document: dict[str, Any]) -> None:
        """The raw JSON mode hands back its (valid) text as the edit."""
        if not same(document, self.edit()):
            self.model.set_document(document)
            self.state_changed.emit()

    # ------------------------------------------------------------------ save
    def save(self) -> dict[str, Any] | None:
        """Send the minimal patch through the operation layer's write path; returns the patch sent."""
        if not self.can_save() or self._app_id is None or self._session_id is None:
            return None
        app_id, session_id, patch = self._app_id, self._session_id, self.patch()
        self.saving = True
        self.last_patch = patch
        self.state_changed.emit()

        async def call(client: SkylightClient) -> str:
            return await client.patch_session_data(app_id, session_id, patch)

        def done(_event_id: str) -> None:
            self.saving = False
            if session_id == self._session_id:
                self._server = merge_patch(self._server, patch)
                self._base = merge_patch(self._base, patch)
                if null_members(self.edit()):  # the server dropped them: show what it holds
                    self.model.set_document(merge_patch(self._base, self.patch()))
            self.saved.emit(patch)
            self.state_changed.emit()

        def failed(problem: Problem) -> None:
            self.saving = False
            self.save_failed.emit(problem)
            self.state_changed.emit()

        self._ops.write(
            session_target(session_id), call, doing=SAVING_DATA, scope="data",
            success=done, failure=failed, reload=self._reload_hint,
        )  # fmt: skip
        return patch

    def _reload_hint(self) -> None:
        """After an unknown outcome the detail controller's reload brings the server state back."""
        self.reload_requested.emit()
