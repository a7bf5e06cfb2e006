"""The New session dialog: version, name, description, participants and properties, validated inline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from skydesk.api import Participant
from skydesk.api.validation import DESCRIPTION_MAX, NAME_MAX, validate_description, validate_name
from skydesk.ui.common import fit_title, form_label, name_widget, set_error_text
from skydesk.ui.fields import ValidatedField
from skydesk.ui.icons import participant_icon
from skydesk.ui.participants import AddParticipantDialog
from skydesk.ui.properties_editor import PropertiesEditor

if TYPE_CHECKING:
    from skydesk.api import Application


def version_choices(application: Application) -> list[tuple[str, int]]:
    """The versions a session can be created in: the published one first, then the draft (-1 = none)."""
    choices = []
    if application.published_version >= 1:
        choices.append(
            (f"Published (version {application.published_version})", application.published_version)
        )
    if application.draft_version >= 1:
        choices.append((f"Draft (version {application.draft_version})", application.draft_version))
    return choices


class NewSessionDialog(QDialog):
    """Collects a new session; emits ``create_requested`` once and waits for the controller's answer."""

    # application id, name, description, version (None = server default), participants, properties
    create_requested = Signal(str, str, str, object, list, dict)

    def __init__(
        self, application: Application, parent: QWidget | None = None, property_keys: Sequence[str] = ()
    ) -> None:
        super().__init__(parent)
        self.application = application
        # Keys the application's sessions already use, offered as rows to fill (left empty: not sent).
        self._suggested_keys = sorted(set(property_keys))
        self.version = QComboBox()
        self.name = ValidatedField("Name", validate_name, NAME_MAX, placeholder="e.g. Pump 7 inspection")
        self.description = ValidatedField(
            "Description", validate_description, DESCRIPTION_MAX, multiline=True
        )
        self.participants = QListWidget()
        self.add_participant_button = QPushButton("Add participant…")
        self.remove_participant_button = QPushButton("Remove participant")
        self.properties = PropertiesEditor("Properties")
        self.error = QLabel()
        self.progress = QProgressBar()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        self.participant_dialog: Any = None
        # The Add participant dialog (parent, ids already added) and the label of an id: the workspace
        # swaps in the people picker and the people directory's names.
        self.participant_dialog_factory: Callable[[QWidget, set[str]], Any] = AddParticipantDialog
        self.participant_label: Callable[[str], str] = lambda pid: pid
        self._busy = False
        self._setup_ui()
        self._on_input_changed()

    def _setup_ui(self) -> None:
        self.setWindowTitle(f"New session — {self.application.name}")
        for label, value in version_choices(self.application):
            self.version.addItem(label, value)
        if self.version.count() == 0:
            self.version.addItem("Default version", None)
        self.participants.setAccessibleName("Participants")
        self.participants.setMaximumHeight(self.fontMetrics().height() * 6)
        for button in (self.add_participant_button, self.remove_participant_button, self.create_button):
            name_widget(button, button.text())
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        name_widget(cancel, cancel.text())
        self.create_button.setDefault(True)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("New session error")
        self.error.hide()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Creating session")
        self.progress.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        app_label = QLabel(self.application.name)
        app_label.setAccessibleName("Application")
        form.addRow("Application:", app_label)
        name_label = QLabel("&Name:")
        name_label.setBuddy(self.name.editor)
        form.addRow(name_label, self.name)
        description_label = QLabel("&Description:")
        description_label.setBuddy(self.description.editor)
        form.addRow(description_label, self.description)
        form.addRow(form_label("&Version:", self.version), self.version)

        people = QGroupBox("Participants")
        people_layout = QVBoxLayout(people)
        note = QLabel("You are added automatically.")
        note.setEnabled(False)
        people_layout.addWidget(note)
        people_layout.addWidget(self.participants)
        row = QHBoxLayout()
        row.addWidget(self.add_participant_button)
        row.addWidget(self.remove_participant_button)
        row.addStretch(1)
        people_layout.addLayout(row)

        props = QGroupBox("Properties")
        QVBoxLayout(props).addWidget(self.properties)

        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(people)
        column.addWidget(props, 1)
        column.addWidget(self.error)
        column.addWidget(self.progress)
        column.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        fit_title(self)
        if self._suggested_keys:
            self.properties.set_properties(dict.fromkeys(self._suggested_keys, ""))
            self.properties.setToolTip("Keys used in this application; rows left empty are not saved")
        # Enter presses Create (the default button, enabled only when the form is valid), never another
        # button that once had focus (Qt's auto-default buttons).
        for button in (self.add_participant_button, self.remove_participant_button, cancel):
            button.setAutoDefault(False)
        for button in self.properties.findChildren(QPushButton):
            button.setAutoDefault(False)
        self.setTabOrder(self.name.editor, self.description.editor)
        self.setTabOrder(self.description.editor, self.version)
        self.name.editor.setFocus()

        self.name.edited.connect(self._on_input_changed)
        self.description.edited.connect(self._on_input_changed)
        self.properties.edited.connect(self._on_input_changed)
        self.participants.itemSelectionChanged.connect(self._on_input_changed)
        self.add_participant_button.clicked.connect(self._on_add_participant_clicked)
        self.remove_participant_button.clicked.connect(self._on_remove_participant_clicked)
        self.create_button.clicked.connect(self._on_create_clicked)
        self.buttons.rejected.connect(self.reject)

    # ------------------------------------------------------------------ values

    def participant_list(self) -> list[Participant]:
        """The participants added in the dialog."""
        return [
            self.participants.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.participants.count())
        ]

    def problem(self) -> str | None:
        """The first thing that stops the session from being created, or None."""
        return self.name.error() or self.description.error() or self.properties.error()

    # ------------------------------------------------------------------ controller -> dialog

    def set_busy(self, busy: bool) -> None:
        """Lock the dialog while the session is being created (the POST is never sent twice)."""
        self._busy = busy
        self.progress.setVisible(busy)
        self._on_input_changed()

    def show_error(self, message: str) -> None:
        """Say why the server refused; everything typed stays for another try."""
        self.set_busy(False)
        set_error_text(self.error, message)

    # ------------------------------------------------------------------ slots

    def _on_input_changed(self, *_args: object) -> None:
        self.create_button.setEnabled(not self._busy and self.problem() is None)
        self.remove_participant_button.setEnabled(not self._busy and bool(self.participants.selectedItems()))

    def _on_add_participant_clicked(self) -> None:
        existing = {p.id for p in self.participant_list()}
        self.participant_dialog = self.participant_dialog_factory(self, existing)
        self.participant_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.participant_dialog.accepted.connect(self._on_participant_dialog_accepted)
        self.participant_dialog.open()

    def _on_participant_dialog_accepted(self) -> None:
        if self.participant_dialog is None:
            return
        pid, kind, guest = self.participant_dialog.values()
        self.participant_dialog = None
        self.add_participant(Participant(id=pid, type=kind, is_guest=guest))

    def add_participant(self, participant: Participant) -> None:
        """Add one participant to the list."""
        label = self.participant_label(participant.id) + (" (guest)" if participant.is_guest else "")
        item = QListWidgetItem(
            participant_icon(participant.type, self.palette().text().color().name()), label
        )
        item.setData(Qt.ItemDataRole.UserRole, participant)
        item.setToolTip(f"{participant.type.capitalize()} id: {participant.id}")
        self.participants.addItem(item)
        self._on_input_changed()

    def _on_remove_participant_clicked(self) -> None:
        for item in self.participants.selectedItems():
            self.participants.takeItem(self.participants.row(item))
        self._on_input_changed()

    def _on_create_clicked(self) -> None:
        problem = self.problem()
        if problem is not None or self._busy:
            set_error_text(self.error, problem)
            return
        set_error_text(self.error, None)
        self.set_busy(True)
        self.create_requested.emit(
            self.application.application_id,
            self.name.text(),
            self.description.text(),
            self.version.currentData(),
            self.participant_list(),
            self.entered_properties(),
        )

    def entered_properties(self) -> dict[str, str]:
        """The properties to create the session with (suggested keys left empty are dropped)."""
        suggested = set(self._suggested_keys)
        return {k: v for k, v in self.properties.properties().items() if v or k not in suggested}

    def showEvent(self, event: QShowEvent) -> None:
        """Start in Name, whatever Qt would focus first."""
        super().showEvent(event)
        self.name.editor.setFocus()
