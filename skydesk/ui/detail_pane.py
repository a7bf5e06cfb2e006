"""The "Session details" pane: every field of the selected session, inline edits, and its data tree."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from skydesk.api.validation import DESCRIPTION_MAX, NAME_MAX, validate_description, validate_name
from skydesk.models.edits import EDIT_FIELDS, EditBaseline
from skydesk.models.permissions import ALLOWED, Verdict
from skydesk.models.problems import Problem
from skydesk.ui.common import confirm, format_dt, name_widget, standard_icon
from skydesk.ui.detail_widgets import ConflictNotice, ValueLabel
from skydesk.ui.errors import ProblemBanner
from skydesk.ui.fields import ValidatedField
from skydesk.ui.properties_editor import PropertiesEditor

if TYPE_CHECKING:
    from skydesk.api import Session

PLACEHOLDER = "Select a session to see its details."
CLOSED_NOTICE = "Closed: this session can no longer be changed."
NOT_LISTED_NOTICE = "Not in the current list (filtered out or not loaded); the list keeps its place."
EMPTY_NAME_HINT = "The name is empty; Save will ask before saving a session without a name."


class SessionDetailPane(QWidget):
    """Shows one session; edits go to the detail controller, which reports back with signals."""

    save_requested = Signal(dict)  # {"name": str, "description": str, "properties": dict} (only changed ones)
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = None
        self._busy = False
        # Turns an application id into its name; the window sets it once applications are known.
        self.application_label: Callable[[str], str] = lambda app_id: app_id
        self.user_label: Callable[[str], str] = lambda user_id: user_id  # "tech (you)" for the signed-in user
        # May the signed-in user do an action ("edit_session", "close_session") on a session, and why not.
        self.may: Callable[[str, Session], Verdict] = lambda _action, _session: ALLOWED
        self.close_box: QWidget | None = None
        self.empty_name_box: QWidget | None = None
        self.edit_base = EditBaseline()
        self.listed = True
        self.stack = QStackedWidget()
        self.placeholder = QLabel(PLACEHOLDER)
        self.banner = ProblemBanner("Detail message")
        self.notice = ProblemBanner("Session notice")
        self.conflicts = {f: ConflictNotice(f"Conflict on the {f}") for f in EDIT_FIELDS}
        self.name = ValidatedField("Name", validate_name, NAME_MAX, placeholder="Session name")
        self.description = ValidatedField(
            "Description", validate_description, DESCRIPTION_MAX, multiline=True, placeholder="No description"
        )
        self.status_value = ValueLabel("Status")
        self.version_value = ValueLabel("Version")
        self.id_value = ValueLabel("Session ID")
        self.application_value = ValueLabel("Application")
        self.created_value = ValueLabel("Created")
        self.modified_value = ValueLabel("Modified")
        self.properties = PropertiesEditor("Properties")
        self.save_button = QPushButton("Save")
        self.revert_button = QPushButton("Revert")
        self.close_button = QPushButton("Close session…")
        self.tabs = QTabWidget()
        self._setup_ui()
        self._update_buttons()

    def _setup_ui(self) -> None:
        for field, notice in self.conflicts.items():
            notice.use_theirs.connect(lambda f=field: self._on_conflict_use_theirs(f))
            notice.keep_mine.connect(lambda f=field: self._on_conflict_keep_mine(f))
        self.setAccessibleName("Session details")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)
        self.placeholder.setWordWrap(True)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addRow(self._label("&Name:", self.name.editor), self.name)
        form.addRow(self.conflicts["name"])
        form.addRow(self._label("&Description:", self.description.editor), self.description)
        form.addRow(self.conflicts["description"])
        form.addRow("Status:", self.status_value)
        form.addRow("Version:", self.version_value)
        form.addRow("Session ID:", self.id_value)
        form.addRow("Application:", self.application_value)
        form.addRow("Created:", self.created_value)
        form.addRow("Modified:", self.modified_value)

        props_box = QGroupBox("Properties")
        props_layout = QVBoxLayout(props_box)
        props_layout.addWidget(self.conflicts["properties"])
        props_layout.addWidget(self.properties)

        for button, icon in (
            (self.save_button, QStyle.StandardPixmap.SP_DialogSaveButton),
            (self.revert_button, QStyle.StandardPixmap.SP_DialogResetButton),
            (self.close_button, QStyle.StandardPixmap.SP_DialogCloseButton),
        ):
            button.setIcon(standard_icon(self, icon))
            name_widget(button, button.text())
        self.save_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self.notice)
        column.addWidget(self.banner)
        column.addLayout(form)
        column.addWidget(props_box, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # Fields elide and wrap instead: a sideways scroll bar in a form is never what the user wants.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        # The data editor, the timeline (and media) get tabs of their own (add_section), so each has the
        # pane's full height instead of a few squeezed rows under the form.
        self.tabs.setDocumentMode(True)
        # The actions stay under the scrolling form, so Save is never scrolled out of sight.
        fields_page = QWidget()
        fields_layout = QVBoxLayout(fields_page)
        fields_layout.setContentsMargins(0, 0, 0, 0)
        fields_layout.addWidget(scroll, 1)
        fields_layout.addLayout(buttons)
        self.tabs.addTab(fields_page, "Fields")
        self.tabs.setAccessibleName("Session detail sections")
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.tabs)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        self.name.edited.connect(self._on_editor_edited)
        self.description.edited.connect(self._on_editor_edited)
        self.properties.edited.connect(self._on_editor_edited)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.revert_button.clicked.connect(self._on_revert_clicked)
        self.close_button.clicked.connect(self._on_close_clicked)

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    # ------------------------------------------------------------------ controller -> view

    def add_section(self, title: str, widget: QWidget) -> None:
        """Another tab of the pane after "Fields" (the data editor, the timeline, media …)."""
        self.tabs.addTab(widget, title)

    def show_session(self, session: Session | None) -> None:
        """Show ``session``; unsaved edits survive a refresh, and a change by someone else to an edited
        field shows as a conflict next to it."""
        if session is None:
            self.session = None
            self.edit_base.start(None)
            self.placeholder.setText(PLACEHOLDER)
            self.stack.setCurrentIndex(0)
            self._update_buttons()
            return
        same = self.session is not None and self.session.session_id == session.session_id
        self.session = session
        dirty = self.dirty_fields() if same else set()  # what the user typed in: left as typed
        if same:
            self.edit_base.update(session, self._values())
        else:
            self.edit_base.start(session)
            self.banner.show_problem(None)
            for field in (self.name, self.description):
                field.show_error(None)
        if "name" not in dirty:
            self.name.set_text(session.name)
        if "description" not in dirty:
            self.description.set_text(session.description)
        if "properties" not in dirty:
            self.properties.set_properties(session.properties)
        self._show_conflicts()
        status = session.status.capitalize()
        self.status_value.set_value(status)
        draft = " (draft)" if session.is_draft else " (published)"
        self.version_value.set_value(f"{session.version}{draft}")
        self.id_value.set_value(session.session_id)
        self.application_value.set_value(self.application_label(session.application_id))
        self.relabel()
        self._show_notice()
        self.stack.setCurrentIndex(1)
        self.rights_changed()

    def relabel(self) -> None:
        """Show Created by / Modified by with the names known now (the ids are in the tooltips)."""
        session = self.session
        if session is None:
            return
        for value, when, who in (
            (self.created_value, session.created_at, session.created_by),
            (self.modified_value, session.modified_at, session.modified_by),
        ):
            text = f"{format_dt(when)} by {self.user_label(who)}"
            value.set_value(text, f"{text}\nUser id: {who}" if who else None)

    def rights_changed(self) -> None:
        """Apply what the user may do now: fields read-only and buttons disabled (with the reason)."""
        session = self.session
        if session is not None:
            allowed = self.may("edit_session", session)
            read_only = not session.is_open or not allowed
            for editor in (self.name, self.description, self.properties):
                editor.set_read_only(read_only)
                editor.setEnabled(not read_only)  # looks disabled, not white and editable
                editor.setToolTip(allowed.reason if session.is_open else "")
        self._update_buttons()

    def show_gone(self, sentence: str) -> None:
        """Clear the pane with a plain sentence saying why (the user removed themself, ...)."""
        self.show_session(None)
        self.placeholder.setText(sentence)

    def set_listed(self, listed: bool) -> None:
        """Whether the shown session is a row of the current list (else the pane says so)."""
        self.listed = listed
        self._show_notice()

    def _show_notice(self) -> None:
        session = self.session
        words = [CLOSED_NOTICE] if session is not None and not session.is_open else []
        if session is not None and not self.listed:
            words.append(NOT_LISTED_NOTICE)
        self.notice.show_text(" ".join(words) or None)

    def _show_conflicts(self) -> None:
        for field, notice in self.conflicts.items():
            conflict = self.edit_base.conflicts.get(field)
            notice.show_conflict(conflict, self.user_label(conflict.by) if conflict is not None else "")

    def show_field_problem(self, field: str, problem: Problem | None) -> bool:
        """Show a problem next to the field it concerns (the presenter calls this); False if no such field."""
        targets: dict[str, ValidatedField | PropertiesEditor] = {
            "name": self.name,
            "description": self.description,
            "properties": self.properties,
        }
        target = targets.get(field)
        if target is None:
            return False
        target.show_error(problem.message if problem is not None else target.error())
        return True

    def show_banner(self, problem: Problem | None) -> None:
        """Show a problem of the whole pane (close failed, session gone, ...) with its action."""
        self.banner.show_problem(problem)

    def show_saved(self, fields: list[str]) -> None:
        """Clear the messages of fields that were saved."""
        for field in fields:
            self.show_field_problem(field, None)
        if not self.dirty_fields():
            self.banner.show_problem(None)
        self._update_buttons()

    def set_busy(self, busy: bool) -> None:
        """Disable Save while a save is on its way (never resend a request blindly)."""
        self._busy = busy
        self._update_buttons()

    # ------------------------------------------------------------------ state

    def _values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "description": self.description.text(),
            "properties": self.properties.properties(),
        }

    def dirty_fields(self) -> set[str]:
        """The editable fields whose text differs from where the edit started."""
        dirty = self.edit_base.dirty(self._values())
        baseline = self.edit_base.values["properties"]
        if self.properties.error() and self.properties.table.rowCount() != len(baseline):
            dirty.add("properties")
        return dirty

    def edits(self) -> dict[str, Any]:
        """The changed fields and their new values."""
        values = self._values()
        return {field: values[field] for field in self.dirty_fields()}

    def has_errors(self) -> bool:
        """Whether any editor holds a value the API would refuse."""
        return bool(self.name.error() or self.description.error() or self.properties.error())

    def can_save(self) -> bool:
        """Whether Save would send something: an open session, changed fields, no invalid value."""
        session = self.session
        return (
            session is not None
            and session.is_open
            and bool(self.dirty_fields())
            and not self.has_errors()
            and not self.edit_base.conflicts  # the user chooses first: theirs or mine
        )

    def discard_edits(self) -> None:
        """Put the fields back to the session as last loaded (Revert, or "Discard" when leaving)."""
        if self.session is None:
            return
        self.name.set_text(self.session.name)
        self.description.set_text(self.session.description)
        self.properties.set_properties(self.session.properties)
        self.edit_base.start(self.session)
        self._show_conflicts()
        self.banner.show_problem(None)
        self._update_buttons()

    # ------------------------------------------------------------------ slots

    def _on_editor_edited(self, *_args: object) -> None:
        if not self.name.error() and self.session is not None and not self.name.text().strip():
            self.name.show_error(EMPTY_NAME_HINT)
        self._update_buttons()

    def _on_save_clicked(self) -> None:
        if not self.can_save() or self._busy:  # a second click of a double click sends nothing
            return
        edits = self.edits()
        if "name" in edits and not edits["name"].strip():
            self.empty_name_box = confirm(
                self,
                "Save without a name?",
                "The session will have no name, which makes it hard to find in the list.\n\n"
                "Save without a name?",
                "Save without a name",
                lambda: self.save_requested.emit(edits),
            )
            return
        self.save_requested.emit(edits)

    def _on_conflict_use_theirs(self, field: str) -> None:
        theirs = self.edit_base.use_theirs(field)
        if field == "properties":
            self.properties.set_properties(theirs)
        else:
            (self.name if field == "name" else self.description).set_text(theirs)
        self._show_conflicts()
        self._update_buttons()

    def _on_conflict_keep_mine(self, field: str) -> None:
        self.edit_base.keep_mine(field)
        self._show_conflicts()
        self._update_buttons()

    def _on_revert_clicked(self) -> None:
        self.discard_edits()

    def _on_close_clicked(self) -> None:
        if self.session is None:
            return
        label = self.session.name or self.session.session_id
        self.close_box = confirm(
            self,
            "Close session",
            f"Close the session “{label}”?\n\nA closed session can no longer be changed.",
            "Close session",
            self.close_requested.emit,
        )

    def _update_buttons(self) -> None:
        session = self.session
        editable = session is not None and session.is_open
        dirty = bool(self.dirty_fields()) if session is not None else False
        busy = self._busy
        edit = self.may("edit_session", session) if editable and session is not None else ALLOWED
        close = self.may("close_session", session) if editable and session is not None else ALLOWED
        self.save_button.setEnabled(self.can_save() and not busy and edit.allowed)
        self.save_button.setToolTip(edit.reason)
        self.revert_button.setEnabled(session is not None and dirty)
        self.close_button.setEnabled(editable and not busy and close.allowed)
        self.close_button.setToolTip(close.reason)
