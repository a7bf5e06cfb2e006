"""People and rights in the window: names and the picker in the panes, actions the user may not take disabled.

The window builds one :class:`PeopleHooks` after its own wiring. It puts the people picker behind every
"Add participant" and the people filters, names people wherever ids were shown (the id stays in the
tooltip and can be copied), and keeps New session, Save, Close and Add/Remove participant enabled only
when the user's roles allow them, with the reason in the tooltip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from skydesk.models.roles import RolesTableModel
from skydesk.models.session_table import SessionRole
from skydesk.ui.copy_actions import copy_action
from skydesk.ui.people_picker import PeoplePickerDialog
from skydesk.ui.roles_view import RolesDialog

if TYPE_CHECKING:
    from skydesk.api import Session
    from skydesk.ui.main_window import MainWindow
    from skydesk.ui.new_session import NewSessionDialog

NEW_SESSION_TIP = "Create a session in the current application (Ctrl+N)"


class PeopleHooks(QObject):
    """Wires the people directory and the signed-in user's rights into one MainWindow."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        services = window.services
        self._people = services.people
        self._permissions = services.permissions
        self._auth = services.auth
        workspace = window.workspace
        self._workspace = workspace
        self.roles_model = RolesTableModel(self._permissions, self._people, self)
        self.roles_dialog: RolesDialog | None = None
        self.picker: PeoplePickerDialog | None = None

        participants = workspace.participants
        participants.dialog_factory = self._participant_dialog
        participants.is_me = self._is_me
        copy_action(participants.list_view, "Copy id", lambda: participants.selected_id())
        self.name_action = QAction("Name this person…", participants.list_view)
        self.name_action.triggered.connect(self._on_name_action_triggered)
        participants.list_view.addAction(self.name_action)
        self.name_dialog: QInputDialog | None = None
        detail = workspace.detail_pane
        detail.may = self._permissions.verdict
        services.labels.changed.connect(detail.relabel)
        copy_action(detail.created_value, "Copy creator's id", lambda: _who(detail.session, "created_by"))
        copy_action(detail.modified_value, "Copy modifier's id", lambda: _who(detail.session, "modified_by"))
        table = workspace.sessions.table
        copy_action(
            table, "Copy participant ids", lambda: _participant_ids(table.currentIndex().data(SessionRole))
        )
        filters = workspace.sessions.filter_bar
        for field in (filters.participant, filters.created_by):
            field.set_directory(self._people)
        workspace.prepare_new_session = self._prepare_new_session

        self.roles_action = QAction("&Roles…", window)
        self.roles_action.setToolTip("The roles of the current application, and which apply to you")
        self.roles_action.triggered.connect(self.show_roles)
        menus = {a.text(): a.menu() for a in window.menuBar().actions()}
        menu = menus.get("&Edit")
        (menu if isinstance(menu, QMenu) else window.menuBar().addMenu("&People")).addAction(
            self.roles_action
        )

        self._permissions.changed.connect(self.apply_rights)
        self._auth.signed_in.connect(self.apply_rights)
        self._auth.signed_out.connect(self.apply_rights)
        services.detail.session_loaded.connect(self.apply_rights)  # after the workspace's own slot
        self.apply_rights()

    # ------------------------------------------------------------------ rights
    def apply_rights(self, *_args: object) -> None:
        """Enable what the user may do now; what they may not is disabled with the reason as tooltip."""
        signed_in = self._auth.is_signed_in
        create = self._permissions.verdict("create_session")
        action = self._window.new_session_action
        action.setEnabled(signed_in and create.allowed)
        action.setToolTip(create.reason or NEW_SESSION_TIP)
        self.roles_action.setEnabled(signed_in and self._permissions.rights is not None)
        session = self._workspace.detail_pane.session
        if session is not None:
            add = self._permissions.verdict("add_participant", session)
            self._workspace.participants.set_editable(session.is_open, add.reason)
        self._workspace.detail_pane.rights_changed()

    def _is_me(self, participant_id: str) -> bool:
        rights = self._permissions.rights
        client = self._auth.client
        if client is not None and participant_id == client.user_id:
            return True
        return rights is not None and participant_id in rights.identities

    def _on_name_action_triggered(self) -> None:
        pid = self._workspace.participants.selected_id()
        if not pid:
            return
        dialog = QInputDialog(self._window)
        dialog.setWindowTitle("Name this person")
        dialog.setLabelText(f"Your own name for {pid} (kept on this computer; empty removes it):")
        dialog.setTextValue(self._people.local_label(pid) or "")
        dialog.textValueSelected.connect(lambda text: self._people.set_local_label(pid, text))
        self.name_dialog = dialog
        dialog.open()

    # ------------------------------------------------------------------ the picker
    def _participant_dialog(self, parent: QWidget, existing: set[str]) -> PeoplePickerDialog:
        self.picker = PeoplePickerDialog(self._people, parent, exclude=existing)
        return self.picker

    def _prepare_new_session(self, dialog: NewSessionDialog) -> None:
        dialog.participant_dialog_factory = self._participant_dialog
        dialog.participant_label = self._window.services.labels.label

    def show_roles(self) -> RolesDialog:
        """Open (or raise) the read-only roles view of the current application."""
        if self.roles_dialog is None:
            self.roles_dialog = RolesDialog(self.roles_model, self._permissions, self._window)
        self.roles_dialog.show()
        self.roles_dialog.raise_()
        return self.roles_dialog


def _who(session: Session | None, attr: str) -> str:
    return str(getattr(session, attr, "") or "")


def _participant_ids(session: Any) -> str:
    participants = getattr(session, "participants", ())
    return "\n".join(p.id for p in participants)
