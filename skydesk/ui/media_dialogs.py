"""The media metadata form, used to add a file and to edit an item; checked against the limits as typed."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from skydesk.api.validation import (
    MEDIA_DESCRIPTION_MAX,
    MEDIA_TITLE_MAX,
    validate_media_description,
    validate_media_title,
)
from skydesk.models.media import human_size
from skydesk.models.media_controller import LABEL_MAX, LABELS_MAX, media_field_errors
from skydesk.ui.common import bound_line, name_widget, set_error_text
from skydesk.ui.fields import ValidatedField
from skydesk.ui.properties_editor import PropertiesEditor

#: The labels field's bound: every label at its longest, with ", " between (a longer paste is cut there).
LABELS_TEXT_MAX = LABELS_MAX * (LABEL_MAX + 2)

if TYPE_CHECKING:
    from skydesk.api import Media


def split_labels(text: str) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]`` (labels cannot hold commas, so a comma separates them)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def guess_content_type(path: Path) -> str:
    """The MIME type by the file's extension, else ``application/octet-stream``."""
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class MediaFieldsDialog(QDialog):
    """Title, description, labels and properties of a media item (and, when adding, its content type)."""

    def __init__(
        self, *, path: Path | None = None, media: Media | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.media = media
        self.title_field = ValidatedField("Title", validate_media_title, MEDIA_TITLE_MAX)
        self.description_field = ValidatedField(
            "Description", validate_media_description, MEDIA_DESCRIPTION_MAX, multiline=True
        )
        self.labels_edit = bound_line(QLineEdit(), LABELS_TEXT_MAX)
        self.labels_message = QLabel()
        self.type_box = QComboBox()
        self.properties = PropertiesEditor()
        self.message = QLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._setup_ui()
        self._on_changed()

    def _setup_ui(self) -> None:
        adding = self.media is None
        self.setWindowTitle("Add media" if adding else f"Edit {self.media.filename if self.media else ''}")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        if self.path is not None:
            size = self.path.stat().st_size
            form.addRow("File", QLabel(f"{self.path.name} ({human_size(size)})"))
            self.type_box.setEditable(True)
            self.type_box.addItems(sorted({guess_content_type(self.path), "application/octet-stream"}))
            self.type_box.setCurrentText(guess_content_type(self.path))
            name_widget(self.type_box, "Content type")
            form.addRow("Content type", self.type_box)
        form.addRow("Title", self.title_field)
        form.addRow("Description", self.description_field)
        name_widget(self.labels_edit, "Labels")
        self.labels_edit.setPlaceholderText(
            f"Comma-separated, at most {LABELS_MAX}, each 1-{LABEL_MAX} characters"
        )
        form.addRow("Labels", self.labels_edit)
        form.addRow("", self.labels_message)
        layout.addLayout(form)
        layout.addWidget(self.properties)
        layout.addWidget(self.message)
        name_widget(self.buttons.button(QDialogButtonBox.StandardButton.Ok), "Upload" if adding else "Save")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Upload" if adding else "Save")
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_accepted)
        self.buttons.rejected.connect(self.reject)
        for signal in (self.title_field.edited, self.description_field.edited, self.labels_edit.textChanged):
            signal.connect(self._on_changed)
        self.properties.edited.connect(self._on_changed)
        if self.media is not None:
            self.title_field.set_text(self.media.title)
            self.description_field.set_text(self.media.description)
            self.labels_edit.setText(", ".join(self.media.labels))
            self.properties.set_properties(dict(self.media.properties))

    @property
    def content_type(self) -> str:
        """The content type to create the item with."""
        return self.type_box.currentText().strip() or "application/octet-stream"

    def fields(self) -> dict[str, Any]:
        """The metadata as entered (for the controller)."""
        return {
            "title": self.title_field.text(),
            "description": self.description_field.text(),
            "labels": split_labels(self.labels_edit.text()),
            "properties": self.properties.properties(),
        }

    def changed_fields(self) -> dict[str, Any]:
        """Only what differs from the item being edited (everything when adding)."""
        fields = self.fields()
        if self.media is None:
            return fields
        before = {
            "title": self.media.title,
            "description": self.media.description,
            "labels": list(self.media.labels),
            "properties": {k: str(v) for k, v in self.media.properties.items()},
        }
        return {k: v for k, v in fields.items() if before.get(k) != v}

    def errors(self) -> dict[str, str]:
        """Field -> what is wrong, by the reference's limits (nothing is sent while any remains)."""
        found: dict[str, str] = {}
        if self.properties.error():
            found["properties"] = str(self.properties.error())
        for error in media_field_errors(self.fields()):
            found.setdefault(error.field.split("[")[0].split(".")[0], error.message)
        return found

    def _on_changed(self, *_args: object) -> None:
        errors = self.errors()
        set_error_text(self.labels_message, errors.get("labels"))
        other = [m for f, m in errors.items() if f not in ("labels", "title", "description")]
        set_error_text(self.message, "; ".join(other) or None)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not errors and (self.media is None or bool(self.changed_fields())))
        ok.setToolTip("; ".join(errors.values()) if errors else "")

    def _on_accepted(self) -> None:
        if not self.errors():
            self.accept()
