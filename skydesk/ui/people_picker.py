"""The people picker: type a few letters, see matching users and groups, choose with the keyboard.

Used by Add participant, by the participants of New session and by the people filters. An id that is
not a known user or group can still be chosen, after a warning that names it as unknown.
"""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QContextMenuEvent, QGuiApplication, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from skydesk.models.people import PeopleDirectory, Person
from skydesk.ui.common import above, add_clear_button, bound_line, form_label, name_widget, set_error_text
from skydesk.ui.icons import participant_icon

SEARCH_DELAY_MS = 150  # typing pauses this long before the directory is asked
ID_MAX = 255
PersonRole = Qt.ItemDataRole.UserRole + 1


class PeoplePicker(QWidget):
    """A search box over the people directory and its results; ``chosen(Person)`` on Enter or double click."""

    chosen = Signal(object)  # Person (known=False for an id the directory does not know)

    def __init__(
        self,
        directory: PeopleDirectory,
        parent: QWidget | None = None,
        *,
        exclude: Collection[str] = (),
        kinds: Collection[str] = ("user", "group"),
    ) -> None:
        super().__init__(parent)
        self._directory = directory
        self._exclude = set(exclude)
        self._kinds = set(kinds)
        self.search_edit = bound_line(
            QLineEdit(), above(100)
        )  # the directory's search: at most 100 (CONTRACT)
        self.results = QListWidget()
        self.warning = QLabel()
        self.kind_combo = QComboBox()
        self._unknown_confirmed = ""  # the id the user was warned about (Enter again adds it)
        self._timer = QTimer(self)
        self._setup_ui()
        directory.search_results.connect(self._on_directory_search_results)

    def _setup_ui(self) -> None:
        self.setAccessibleName("People picker")
        self.search_edit.setPlaceholderText("Name, user name, job title or id")
        name_widget(self.search_edit, "Find people")
        add_clear_button(self.search_edit)
        self.search_edit.installEventFilter(self)
        self.results.setAccessibleName("Matching people")
        self.results.setUniformItemSizes(False)
        self.warning.setAccessibleName("Unknown id warning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        for label, kind in (("User", "user"), ("Group", "group")):
            if kind in self._kinds:
                self.kind_combo.addItem(label, kind)
        name_widget(self.kind_combo, "Add unknown id as")
        self.kind_combo.hide()
        row = QHBoxLayout()
        row.addWidget(form_label("&Find:", self.search_edit))
        row.addWidget(self.search_edit, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.results, 1)
        column.addWidget(self.warning)
        column.addWidget(self.kind_combo)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.search_edit.textChanged.connect(self._on_search_text_changed)
        self.results.itemActivated.connect(self._on_results_item_activated)
        self.results.currentItemChanged.connect(self._on_results_current_changed)

    # ------------------------------------------------------------------ public
    def text(self) -> str:
        """The search text, with spaces collapsed."""
        return " ".join(self.search_edit.text().split())

    def current_person(self) -> Person | None:
        """The highlighted result (an unknown id's entry included), or None."""
        item = self.results.currentItem()
        person = item.data(PersonRole) if item is not None else None
        return person if isinstance(person, Person) else None

    def choose_current(self) -> bool:
        """Choose the highlighted result; an unknown id needs a second call after its warning."""
        person = self.current_person()
        if person is None or person.id in self._exclude:
            return False
        if not person.known and self._unknown_confirmed != person.id:
            self._unknown_confirmed = person.id
            set_error_text(
                self.warning,
                f"“{person.id}” is not a known user or group. Choose it again to add it anyway, as the "
                "kind selected below.",
            )
            self.kind_combo.show()
            return False
        if not person.known:
            person = Person(person.id, str(self.kind_combo.currentData() or "user"), person.name, known=False)
        self.chosen.emit(person)
        return True

    # ------------------------------------------------------------------ events
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down move through the results and Enter chooses, while typing in the search box."""
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self._move(1 if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive():  # typed faster than the search: search now, choose after
                    self._timer.stop()
                    self._on_timer_timeout()
                self.choose_current()
                return True
        return super().eventFilter(watched, event)

    def _move(self, step: int) -> None:
        count = self.results.count()
        if count:
            row = max(0, min(count - 1, self.results.currentRow() + step))
            self.results.setCurrentRow(row)

    def _on_search_text_changed(self, _text: str) -> None:
        self._unknown_confirmed = ""
        set_error_text(self.warning, None)
        self.kind_combo.hide()
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        self._directory.search(self.text())

    def _on_directory_search_results(self, text: str, people: list[Person]) -> None:
        if text != self.text():
            return  # an older search answering late
        self.results.clear()
        shown = [p for p in people if p.kind in self._kinds]
        exact = any(p.id == text for p in shown)
        for person in shown:
            self._add_item(person)
        if text and not exact and len(text) <= ID_MAX:
            self._add_item(Person(text, name=text, known=False))
        if self.results.count():
            self.results.setCurrentRow(0)

    def _add_item(self, person: Person) -> None:
        taken = person.id in self._exclude
        if person.known:
            lines = [person.name or person.id, person.detail]
        else:
            lines = [f"Add “{person.id}” as an id", "Not a known user or group"]
        if taken:
            lines[1] = "Already takes part"
        item = QListWidgetItem("\n".join(x for x in lines if x))
        color = self.palette().color(QPalette.ColorRole.Text).name()
        item.setIcon(participant_icon("group" if person.is_group else "user", color))
        item.setToolTip(person.id)
        item.setData(PersonRole, person)
        if taken:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        self.results.addItem(item)

    def _on_results_item_activated(self, _item: QListWidgetItem) -> None:
        self.choose_current()

    def _on_results_current_changed(self, *_args: object) -> None:
        person = self.current_person()
        if person is None or person.known or person.id != self._unknown_confirmed:
            set_error_text(self.warning, None)
            self.kind_combo.hide()


class PeoplePickerDialog(QDialog):
    """The picker in a dialog, with an optional Guest flag; ``person`` and ``is_guest`` after accept."""

    def __init__(
        self,
        directory: PeopleDirectory,
        parent: QWidget | None = None,
        *,
        title: str = "Add participant",
        exclude: Collection[str] = (),
        kinds: Collection[str] = ("user", "group"),
        with_guest: bool = True,
    ) -> None:
        super().__init__(parent)
        self.picker = PeoplePicker(directory, self, exclude=exclude, kinds=kinds)
        self.guest_check = QCheckBox("Guest")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.person: Person | None = None
        self.setWindowTitle(title)
        name_widget(self.guest_check, "Guest")
        self.guest_check.setToolTip("Guests take part in the session without belonging to the application")
        self.guest_check.setVisible(with_guest)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Add")
        for button in self.buttons.buttons():
            name_widget(button, button.text())
        column = QVBoxLayout(self)
        column.addWidget(self.picker, 1)
        column.addWidget(self.guest_check)
        column.addWidget(self.buttons)
        self.resize(420, 360)
        self.picker.chosen.connect(self._on_picker_chosen)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.picker.search_edit.setFocus()

    @property
    def is_guest(self) -> bool:
        """Whether the chosen person joins as a guest."""
        return self.guest_check.isChecked()

    def values(self) -> tuple[str, str, bool]:
        """``(id, type, is_guest)`` of the choice, as the id-only Add participant dialog gives them."""
        person = self.person
        return (person.id, person.kind, self.is_guest) if person is not None else ("", "user", False)

    def _on_buttons_accepted(self) -> None:
        self.picker.choose_current()

    def _on_picker_chosen(self, person: Person) -> None:
        self.person = person
        self.accept()


class PersonLineEdit(QLineEdit):
    """A line edit for one user or group id that shows the person's name; its action opens the picker.

    ``text()`` is the id (what filters need) while the shown name is untouched; typed text is taken as
    an id. Without a directory it is a plain id field.
    """

    def __init__(self, parent: QWidget | None = None, *, kinds: Collection[str] = ("user", "group")) -> None:
        super().__init__(parent)
        self._kinds = tuple(kinds)
        self._directory: PeopleDirectory | None = None
        self._person_id = ""
        self._shown = ""
        self.dialog: PeoplePickerDialog | None = None
        self.choose_action = self.addAction(
            participant_icon("group" if "group" in kinds else "user", self.palette().text().color().name()),
            QLineEdit.ActionPosition.TrailingPosition,
        )
        self.choose_action.setToolTip("Choose a person…")
        self.choose_action.setVisible(False)
        for button in self.findChildren(QToolButton):
            if button.defaultAction() is self.choose_action:
                button.setAccessibleName("Choose a person…")  # add_clear_button names only unnamed ones
        self.choose_action.triggered.connect(self._on_choose_triggered)
        self.copy_id_action = QAction("Copy id", self)
        self.copy_id_action.triggered.connect(lambda: QGuiApplication.clipboard().setText(self.text()))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """The usual edit menu plus "Copy id" (the field shows a name, filters use the id)."""
        menu = self.createStandardContextMenu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addSeparator()
        self.copy_id_action.setEnabled(bool(self.text().strip()))
        menu.addAction(self.copy_id_action)
        menu.popup(event.globalPos())

    def set_directory(self, directory: PeopleDirectory | None) -> None:
        """Name ids with ``directory`` and offer its picker (None: a plain id field)."""
        if self._directory is not None:
            self._directory.changed.disconnect(self._on_directory_changed)
        self._directory = directory
        self.choose_action.setVisible(directory is not None)
        if directory is not None:
            directory.changed.connect(self._on_directory_changed)
        self.setText(self.text())

    def text(self) -> str:
        """The id: the chosen person's while their name is shown unchanged, else what was typed."""
        shown = super().text()
        return self._person_id if self._person_id and shown == self._shown else shown

    def setText(self, value: str | None) -> None:
        """Show the person with id ``value`` by name (the id goes to the tooltip)."""
        value = value or ""
        self._person_id = value.strip()
        named = self._directory.name(self._person_id) if self._directory and self._person_id else None
        self._shown = named or value
        self.setToolTip(f"Id: {self._person_id}" if named else "")
        super().setText(self._shown)

    def _on_choose_triggered(self) -> None:
        if self._directory is None:
            return
        self.dialog = PeoplePickerDialog(
            self._directory, self, title="Choose a person", kinds=self._kinds, with_guest=False
        )
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.picker.search_edit.setText(self._shown if not self._person_id else "")
        self.dialog.accepted.connect(self._on_dialog_accepted)
        self.dialog.open()

    def _on_dialog_accepted(self) -> None:
        person = self.dialog.person if self.dialog is not None else None
        self.dialog = None
        if person is not None:
            self.setText(person.id)
            self.returnPressed.emit()  # a choice applies at once, like Enter

    def _on_directory_changed(self, ids: list[str]) -> None:
        if self._person_id in ids and super().text() == self._shown:
            self.blockSignals(True)  # same id, a better label: not a new filter
            try:
                self.setText(self._person_id)
            finally:
                self.blockSignals(False)
