"""Dialogs of the data editor: the review before Save (before / after / the patch), and long-text editing."""

from __future__ import annotations

import difflib
import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontDatabase, QTextOption
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from skydesk.models.json_doc import format_document
from skydesk.ui.common import name_widget, set_error_text


def mono_font() -> QFont:
    """The system's fixed-width font (JSON lines up)."""
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def read_only_text(name: str, text: str = "") -> QPlainTextEdit:
    """A read-only, selectable, fixed-width text box with an accessible name."""
    box = QPlainTextEdit(text)
    box.setReadOnly(True)
    box.setFont(mono_font())
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    name_widget(box, name)
    return box


class SaveReviewDialog(QDialog):
    """Shows before, after, a line diff and the exact merge patch; "Send patch" confirms."""

    confirmed = Signal()

    def __init__(
        self, before: Any, after: Any, patch: Any, warnings: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review the data change")
        self.setModal(True)
        name_widget(self, "Review the data change")
        before_text, after_text = format_document(before), format_document(after)
        self.before = read_only_text("Before", before_text)
        self.after = read_only_text("After", after_text)
        diff = difflib.unified_diff(
            before_text.splitlines(), after_text.splitlines(), "before", "after", lineterm="", n=2
        )
        self.diff = read_only_text("Line differences", "\n".join(diff))
        self.patch = read_only_text("Merge patch to send", json.dumps(patch, indent=2, ensure_ascii=False))
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        set_error_text(self.warning, "\n".join(warnings) or None)
        self.send_button = QPushButton("Send patch")
        name_widget(self.send_button, "Send patch")
        self.send_button.setDefault(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._on_send)
        buttons.rejected.connect(self.reject)

        sides = QSplitter()
        for title, box in (("Before", self.before), ("After", self.after)):
            column = QWidget()
            layout = QVBoxLayout(column)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(QLabel(title))
            layout.addWidget(box)
            sides.addWidget(column)
        tabs = QTabWidget()
        tabs.addTab(sides, "Before and after")
        tabs.addTab(self.diff, "Differences")
        name_widget(tabs, "Change views")
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 3)
        layout.addWidget(QLabel("The merge patch that will be sent (RFC 7386; null deletes a key):"))
        layout.addWidget(self.patch, 1)
        layout.addWidget(self.warning)
        layout.addWidget(buttons)
        self.resize(900, 600)

    def _on_send(self) -> None:
        self.accept()
        self.confirmed.emit()


class TextValueDialog(QDialog):
    """Edits one long or multi-line string value."""

    text_accepted = Signal(str)

    def __init__(self, path: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit {path}")
        self.editor = QPlainTextEdit(text)
        self.editor.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        name_widget(self.editor, f"Value of {path}")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor)
        layout.addLayout(row)
        self.resize(560, 360)

    def _on_ok(self) -> None:
        self.accept()
        self.text_accepted.emit(self.editor.toPlainText())
