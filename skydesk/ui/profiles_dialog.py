"""The Profiles dialog: add, edit, rename, duplicate, delete, mark default, import and export profiles."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from skydesk.core.profiles import REGIONS, unique_name
from skydesk.core.settings import ConnectionProfile
from skydesk.models.profiles import ProfilesController
from skydesk.ui.common import bound_line, confirm, form_label, name_widget, set_error_text
from skydesk.ui.connection_form import ConnectionFields

#: Colour tags offered for a profile (shown as a stripe in the toolbar): name -> "#rrggbb", "" = none.
TAG_COLORS = {
    "None": "",
    "Red": "#d32f2f",
    "Orange": "#ef6c00",
    "Green": "#2e7d32",
    "Blue": "#1565c0",
    "Purple": "#6a1b9a",
}
NameRole = Qt.ItemDataRole.UserRole


def color_swatch(color: str, size: int = 16) -> QIcon:
    """A square of ``color`` (an empty icon for no colour)."""
    if not color:
        return QIcon()
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class ProfilesDialog(QDialog):
    """Edits the saved connection profiles through a ProfilesController; changes are saved at once."""

    profile_chosen = Signal(str)  # "Use this profile": the sign-in page selects it

    def __init__(self, controller: ProfilesController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.list = QListWidget()
        self.add_button = QPushButton("&Add")
        self.duplicate_button = QPushButton("D&uplicate")
        self.rename_button = QPushButton("Re&name")
        self.delete_button = QPushButton("&Delete…")
        self.name = bound_line(QLineEdit(), 255)
        self.connection = ConnectionFields(self)
        self.username = bound_line(QLineEdit(), 255)
        self.color = QComboBox()
        self.default = QCheckBox("Select this profile when skydesk starts")
        self.plain_http = QCheckBox("Allow plain http:// to a remote API host (not encrypted)")
        self.save_button = QPushButton("&Save changes")
        self.error = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = self.buttons.addButton("&Import…", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button = self.buttons.addButton("E&xport…", QDialogButtonBox.ButtonRole.ActionRole)
        self.use_button = self.buttons.addButton("Use this profile", QDialogButtonBox.ButtonRole.AcceptRole)
        self.file_dialog: QFileDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._shown: str | None = None  # the saved name of the profile in the editor
        self._loading = False
        self._setup_ui()
        self._reload(None)

    def _setup_ui(self) -> None:
        self.setWindowTitle("Connection profiles")
        self.list.setAccessibleName("Profiles")
        for name, value in TAG_COLORS.items():
            self.color.addItem(color_swatch(value), name, value)
        for button in (
            self.add_button,
            self.duplicate_button,
            self.rename_button,
            self.delete_button,
            self.save_button,
            self.import_button,
            self.export_button,
            self.use_button,
        ):
            name_widget(button, button.text())
        name_widget(self.default, "Default profile")
        name_widget(self.plain_http, "Allow plain http")
        self.plain_http.setToolTip(
            "Without this, an http:// API URL is refused unless it points at this computer: the password and "
            "tokens would cross the network in clear text."
        )
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Profile error")
        self.error.hide()

        side = QVBoxLayout()
        side.addWidget(self.list, 1)
        row = QHBoxLayout()
        for button in (self.add_button, self.duplicate_button):
            row.addWidget(button)
        side.addLayout(row)
        row = QHBoxLayout()
        for button in (self.rename_button, self.delete_button):
            row.addWidget(button)
        side.addLayout(row)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(form_label("Na&me:", self.name), self.name)
        self.connection.add_rows(form)
        form.addRow(form_label("&Username:", self.username), self.username)
        form.addRow(form_label("Co&lour tag:", self.color), self.color)
        form.addRow("", self.default)
        form.addRow("", self.plain_http)
        editor = QVBoxLayout()
        editor.addLayout(form)
        editor.addWidget(self.error)
        editor.addStretch(1)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        editor.addLayout(save_row)

        body = QHBoxLayout()
        body.addLayout(side, 2)
        body.addLayout(editor, 3)
        column = QVBoxLayout(self)
        column.addLayout(body, 1)
        column.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 52)

        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.duplicate_button.clicked.connect(self._on_duplicate_clicked)
        self.rename_button.clicked.connect(self._on_rename_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.save_button.clicked.connect(self.save)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.buttons.rejected.connect(self.reject)
        self.connection.edited.connect(self._on_edited)
        for edit in (self.name, self.username):
            edit.textEdited.connect(self._on_edited)
        self.color.activated.connect(self._on_edited)
        self.default.toggled.connect(self._on_edited)
        self.plain_http.toggled.connect(self._on_edited)
        self.controller.failed.connect(self._on_controller_failed)

    # ------------------------------------------------------------------ list

    def names(self) -> list[str]:
        """The profile names as listed."""
        return [str(self.list.item(row).data(NameRole)) for row in range(self.list.count())]

    def select(self, name: str) -> None:
        """Show ``name`` in the editor."""
        for row in range(self.list.count()):
            if self.list.item(row).data(NameRole) == name:
                self.list.setCurrentRow(row)
                return

    def _reload(self, select: str | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        default = self.controller.default_name
        for profile in self.controller.profiles:
            label = profile.name + ("  (default)" if profile.name == default else "")
            item = QListWidgetItem(color_swatch(profile.color), label)
            item.setData(NameRole, profile.name)
            self.list.addItem(item)
        names = self.names()
        target = select if select in names else (names[0] if names else None)
        if target is not None:
            self.list.setCurrentRow(names.index(target))
        self.list.blockSignals(False)
        self._show(target)

    def _show(self, name: str | None) -> None:
        profile = next((p for p in self.controller.profiles if p.name == name), None)
        self._loading = True
        self._shown = profile.name if profile is not None else None
        if profile is None:
            self.name.clear()
            self.connection.clear()
            self.username.clear()
            self.color.setCurrentIndex(0)
            self.default.setChecked(False)
            self.plain_http.setChecked(False)
        else:
            self.name.setText(profile.name)
            self.connection.show_values(
                profile.api_url, profile.mqtt_host, profile.mqtt_port, profile.realm, profile.ca_file
            )
            self.username.setText(profile.username)
            self.color.setCurrentIndex(max(0, self.color.findData(profile.color)))
            self.default.setChecked(profile.name == self.controller.default_name)
            self.plain_http.setChecked(profile.allow_plain_http)
        self._loading = False
        has = profile is not None
        widgets: list[QWidget] = [self.name, self.username, self.color, self.default, self.plain_http]
        widgets += [self.duplicate_button, self.rename_button, self.delete_button, self.use_button]
        for widget in widgets + self.connection.widgets():
            widget.setEnabled(has)
        self.save_button.setEnabled(False)
        set_error_text(self.error, None)

    # ------------------------------------------------------------------ editing

    def edited_profile(self) -> ConnectionProfile:
        """The profile as the editor shows it now."""
        profile = self.connection.profile(
            self.name.text().strip(), self.username.text().strip(), str(self.color.currentData() or "")
        )
        profile.allow_plain_http = self.plain_http.isChecked()
        return profile

    def problem(self) -> str | None:
        """Why the edited profile cannot be saved, or None."""
        profile = self.edited_profile()
        if not profile.name:
            return "A profile needs a name."
        if not profile.api_url.startswith(("https://", "http://")):
            return "The API URL must start with https://"
        if not profile.mqtt_host:
            return "Please fill in the MQTT host."
        return None

    def is_dirty(self) -> bool:
        """Whether the editor holds changes not saved yet."""
        return self.save_button.isEnabled()

    def save(self) -> bool:
        """Save the edited profile (a new name renames it); True when saved or nothing to save."""
        if self._shown is None or not self.is_dirty():
            return True
        problem = self.problem()
        if problem is not None:
            set_error_text(self.error, problem)
            return False
        profile = self.edited_profile()
        if not self.controller.update(self._shown, profile):
            return False
        if self.default.isChecked() != (self.controller.default_name == profile.name):
            self.controller.set_default(profile.name if self.default.isChecked() else None)
        self._reload(profile.name)
        return True

    def _on_edited(self, *_args: object) -> None:
        if self._loading:
            return
        self.save_button.setEnabled(self._shown is not None)
        set_error_text(self.error, None)

    def _on_controller_failed(self, message: str) -> None:
        set_error_text(self.error, message)

    def _on_list_current_item_changed(self, current: QListWidgetItem | None, previous: object) -> None:
        name = str(current.data(NameRole)) if current is not None else None
        if name == self._shown:
            return
        if not self.save():  # keep the edits in view until they are valid (or reverted by reselecting)
            self.list.blockSignals(True)
            self.select(self._shown or "")
            self.list.blockSignals(False)
            return
        self._reload(name)

    def _on_add_clicked(self) -> None:
        if not self.save():
            return
        api, mqtt = REGIONS["Default"]
        name = unique_name("New profile", set(self.names()))
        if self.controller.add(ConnectionProfile(name=name, api_url=api, mqtt_host=mqtt)):
            self._reload(name)
            self.name.setFocus()
            self.name.selectAll()

    def _on_duplicate_clicked(self) -> None:
        if self._shown is None or not self.save():
            return
        copy = self.controller.duplicate(self._shown)
        if copy is not None:
            self._reload(copy.name)
            self.name.setFocus()
            self.name.selectAll()

    def _on_rename_clicked(self) -> None:
        self.name.setFocus()
        self.name.selectAll()

    def _on_delete_clicked(self) -> None:
        name = self._shown
        if name is None:
            return
        text = f"Delete the profile “{name}”? A sign-in remembered for it is removed from the keyring too."
        self.confirm_box = confirm(self, "Delete profile", text, "Delete", lambda: self._delete(name))

    def _delete(self, name: str) -> None:
        names = self.names()
        after = names[min(names.index(name) + 1, len(names) - 1)] if name in names else None
        self._shown = None  # discard edits of the profile going away
        if self.controller.delete(name):
            self._reload(after if after != name else None)

    def _on_use_clicked(self) -> None:
        if self._shown is not None and self.save():
            self.profile_chosen.emit(self._shown)
            self.accept()

    # ------------------------------------------------------------------ files

    def _open_file_dialog(self, title: str, save: bool) -> QFileDialog:
        dialog = QFileDialog(self, title, str(Path.home()), "skydesk profiles (*.json);;All files (*)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile if save else QFileDialog.FileMode.ExistingFile)
        dialog.setDefaultSuffix("json")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.file_dialog = dialog
        return dialog

    def _on_export_clicked(self) -> None:
        if not self.save():
            return
        dialog = self._open_file_dialog("Export profiles", save=True)
        dialog.selectFile("skydesk-profiles.json")
        dialog.fileSelected.connect(lambda path: self.controller.export_to(Path(path)))
        dialog.open()

    def _on_import_clicked(self) -> None:
        if not self.save():
            return
        dialog = self._open_file_dialog("Import profiles", save=False)
        dialog.fileSelected.connect(self._on_import_file_selected)
        dialog.open()

    def _on_import_file_selected(self, path: str) -> None:
        added = self.controller.import_from(Path(path))
        if added:
            self._reload(added[0])

    def done(self, result: int) -> None:
        """Closing keeps valid edits (they are saved); invalid ones are dropped with the dialog."""
        self.save()
        super().done(result)
