"""The signed-in workspace: the session list beside the detail and participant panes, wired to controllers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QSplitter, QVBoxLayout, QWidget

from skydesk.models.filters import SessionFilters
from skydesk.models.problems import Problem
from skydesk.ui.detail_pane import SessionDetailPane
from skydesk.ui.errors import ProblemPresenter
from skydesk.ui.new_session import NewSessionDialog
from skydesk.ui.participants import ParticipantsPane
from skydesk.ui.session_list import SessionListPane
from skydesk.ui.unsaved import UnsavedEditsGuard

if TYPE_CHECKING:
    from skydesk.api import Application, Session
    from skydesk.models.browser import SessionBrowserController
    from skydesk.models.detail import SessionDetailController

log = logging.getLogger(__name__)

SAVED_WORDS = {"status": "Session closed", "participants": "Participants updated"}


class _NewSessionSurface:
    """Problems of "create" show in the New session dialog while it is open (else the presenter's dialog)."""

    def __init__(self, workspace: SessionWorkspace) -> None:
        self._workspace = workspace

    def show_banner(self, problem: Problem | None) -> None:
        dialog = self._workspace.new_session_dialog
        if dialog is not None and problem is not None:
            dialog.show_error(problem.message)
        elif problem is not None:
            self._workspace.presenter.expected("New session", problem.message)

    def show_field_problem(self, _field: str, _problem: Problem | None) -> bool:
        return False


def _titled(title: str, accessible: str, content: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    box.setAccessibleName(accessible)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(content)
    return box


class SessionWorkspace(QWidget):
    """Browse, inspect and edit sessions: every user action becomes a controller call, every signal a view."""

    def __init__(
        self,
        browser: SessionBrowserController,
        detail: SessionDetailController,
        presenter: ProblemPresenter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.browser = browser
        self.detail = detail
        self.presenter = presenter
        self.sessions = SessionListPane()
        self.detail_pane = SessionDetailPane()
        self.participants = ParticipantsPane()
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.side_splitter = QSplitter(Qt.Orientation.Vertical)
        self.new_session_dialog: NewSessionDialog | None = None
        # Runs on every New session dialog before it opens (the window puts in the people picker).
        self.prepare_new_session: Callable[[NewSessionDialog], None] = lambda _dialog: None
        self.guard = UnsavedEditsGuard(self.detail_pane, detail, self)
        self._setup_ui()
        self._connect()
        presenter.register("list", self.sessions)
        presenter.register("detail", self.detail_pane)
        presenter.register("participants", self.participants)
        presenter.register("create", _NewSessionSurface(self))

    def _setup_ui(self) -> None:
        self.sessions.set_model(self.browser.model)
        self.participants.set_model(self.detail.participants_model)
        self.sessions_box = _titled("Sessions", "Sessions", self.sessions)
        self.detail_box = _titled("Session details", "Session details", self.detail_pane)
        self.participants_box = _titled("Participants", "Participants", self.participants)
        self.side_splitter.addWidget(self.detail_box)
        self.side_splitter.addWidget(self.participants_box)
        self.side_splitter.setStretchFactor(0, 3)
        self.side_splitter.setStretchFactor(1, 1)
        self.side_splitter.setChildrenCollapsible(False)
        self.main_splitter.addWidget(self.sessions_box)
        self.main_splitter.addWidget(self.side_splitter)
        self.main_splitter.setStretchFactor(0, 3)
        self.main_splitter.setStretchFactor(1, 2)
        self.main_splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.main_splitter)
        self.sessions.filter_bar.set_filters(self.browser.filters)
        self.sessions.apply_sort_indicator(self.browser.filters.sort)

    def _connect(self) -> None:
        self.sessions.filter_bar.filters_changed.connect(self._on_filter_bar_filters_changed)
        self.sessions.session_selected.connect(self._on_sessions_session_selected)
        self.detail_pane.save_requested.connect(self._on_detail_pane_save_requested)
        self.detail_pane.close_requested.connect(self.detail.close_session)
        self.participants.add_requested.connect(self.detail.add_participant)
        self.participants.remove_requested.connect(self.detail.remove_participant)
        self.detail.session_loaded.connect(self._on_detail_session_loaded)
        self.detail.saved.connect(self._on_detail_saved)
        self.detail.busy.connect(self.detail_pane.set_busy)
        self.detail.session_created.connect(self._on_detail_session_created)
        self.detail.left_session.connect(self._on_detail_left_session)
        model = self.browser.model
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._update_listed)

    # ------------------------------------------------------------------ actions

    def new_session(self, application: Application | None) -> NewSessionDialog | None:
        """Open the New session dialog for ``application`` (Ctrl+N)."""
        if application is None:
            self.presenter.transient("Choose an application first.")
            return None
        if self.new_session_dialog is not None:
            self.new_session_dialog.raise_()
            return self.new_session_dialog
        # The property keys this application's loaded sessions use, offered as rows to fill in.
        keys = {k for s in self.browser.model.sessions() for k in s.properties}
        dialog = NewSessionDialog(application, self, property_keys=sorted(keys))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.create_requested.connect(self._on_new_session_create_requested)
        dialog.finished.connect(self._on_new_session_finished)
        self.prepare_new_session(dialog)
        self.new_session_dialog = dialog
        dialog.open()
        return dialog

    def refresh(self) -> None:
        """F5: fetch the visible list and the open session again."""
        self.browser.refresh()
        self.detail.reload()

    def show_application(self, application_id: str | None) -> None:
        """Switch to another application: clear the detail, load its sessions (callers ask first)."""
        self.detail.show(None, None)
        self.browser.set_application(application_id)

    def open_session(self, application_id: str | None, session_id: str) -> None:
        """Show ``session_id`` in the detail pane, asking first if the pane holds unsaved edits."""
        current = self.detail_pane.session
        if current is not None and current.session_id == session_id:
            return

        def proceed() -> None:
            self.detail.show(application_id, session_id)

        def cancel() -> None:
            # Put the selection back on the session whose edits the user kept.
            if current is not None and not self.sessions.select_session(current.session_id):
                self.sessions.clear_selection()

        self.guard.check(proceed, cancel, action="opening another session")

    # ------------------------------------------------------------------ slots

    def _on_filter_bar_filters_changed(self, filters: SessionFilters) -> None:
        self.browser.set_filters(filters)

    def _on_sessions_session_selected(self, session_id: str) -> None:
        if not session_id:
            # The selection went away (the row left the filter, a reload): the pane keeps its session
            # and says that it is not in the current list.
            self._update_listed()
            return
        self.open_session(self.browser.application_id, session_id)

    def _update_listed(self, *_args: object) -> None:
        session = self.detail_pane.session
        listed = session is None or self.browser.model.row_of(session.session_id) >= 0
        was = self.detail_pane.listed
        self.detail_pane.set_listed(listed)
        if listed and not was and session is not None and not self.sessions.selected_session_id():
            self.sessions.select_session(session.session_id)  # back in the list: select and scroll to it

    def _on_detail_left_session(self, session: Session) -> None:
        name = session.name or session.session_id
        self.detail_pane.show_gone(
            f"You are no longer a participant of “{name}”, so it is not shown any more."
        )
        self.participants.show_message(None)

    def _on_detail_session_loaded(self, session: Session | None) -> None:
        self.detail_pane.show_session(session)
        self._update_listed()
        self.participants.set_editable(session is not None and session.is_open)
        if session is None:
            self.participants.show_message(None)

    def _on_detail_pane_save_requested(self, edits: dict[str, Any]) -> None:
        self.detail.save(edits, self.detail_pane.edit_base.session)

    def _on_detail_saved(self, fields: list[str]) -> None:
        self.detail_pane.show_saved(fields)
        words = SAVED_WORDS.get(fields[0], "Changes saved") if len(fields) == 1 else "Changes saved"
        self.presenter.transient(words, 4000)

    def _on_new_session_create_requested(
        self,
        app_id: str,
        name: str,
        description: str,
        version: int | None,
        participants: list[Any],
        properties: dict[str, str],
    ) -> None:
        self.detail.create_session(app_id, name, description, version, participants, properties)

    def _on_detail_session_created(self, session: Session) -> None:
        if self.new_session_dialog is not None:
            self.new_session_dialog.set_busy(False)
            self.new_session_dialog.accept()
        if session.application_id == self.browser.application_id:
            # The controller has already put it in the list (where the sort places it) if it matches
            # the filters. Selecting its row opens it (asking first about unsaved edits); if the row is
            # not there yet, open it directly and the row is selected as soon as it appears.
            if not self.sessions.select_session(session.session_id):
                self.open_session(session.application_id, session.session_id)
        self.presenter.transient(f"Session “{session.name or session.session_id}” created", 5000)

    def _on_new_session_finished(self, _result: int) -> None:
        self.new_session_dialog = None
