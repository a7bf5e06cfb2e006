"""Text fields validated as you type: a character counter and an inline message under the editor."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from skydesk.ui.common import above, name_widget, set_error_text

Validator = Callable[[str], str | None]


class _BoundedTextEdit(QPlainTextEdit):
    """A text area that takes at most ``limit`` characters from a paste or drop.

    Laying out a 10 MB paste froze the window for minutes; no field may hold more than its contract
    limit anyway, so a paste keeps what fits in ``limit`` (set above that limit, so "too long" still shows).
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            cursor = self.textCursor()
            room = max(0, self.limit - (len(self.toPlainText()) - len(cursor.selectedText())))
            text = source.text()
            if len(text) > room:
                cursor.insertText(text[:room])
                return
        super().insertFromMimeData(source)


class ValidatedField(QWidget):
    """An editor (one or several lines) with a ``n / max`` counter and a red message for invalid text."""

    edited = Signal(str)  # emitted when the user types (not when the program sets the text)

    def __init__(
        self,
        label: str,
        validator: Validator,
        maximum: int,
        *,
        multiline: bool = False,
        placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._validator = validator
        self._maximum = maximum
        self._setting = False
        # Pastes are bounded well above the limit: enough to see "too long", never megabytes to lay out.
        bound = above(maximum)
        self.editor: QLineEdit | QPlainTextEdit = _BoundedTextEdit(bound) if multiline else QLineEdit()
        if isinstance(self.editor, QLineEdit):
            self.editor.setMaxLength(bound)
        self.counter = QLabel()
        self.message = QLabel()
        self._setup_ui(label, placeholder, multiline)
        self._on_editor_changed()

    def _setup_ui(self, label: str, placeholder: str, multiline: bool) -> None:
        name_widget(self.editor, label)
        self.editor.setPlaceholderText(placeholder)
        if isinstance(self.editor, QPlainTextEdit):
            self.editor.setTabChangesFocus(True)
            line = self.editor.fontMetrics().lineSpacing()
            self.editor.setMinimumHeight(line * 3 + 12)
            self.editor.setMaximumHeight(line * 4 + 12)
        self.editor.textChanged.connect(self._on_editor_changed)
        self.counter.setAccessibleName(f"{label} length")
        self.counter.setEnabled(False)  # drawn in the muted colour
        self.message.setAccessibleName(f"{label} error")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        under = QHBoxLayout()
        under.setContentsMargins(0, 0, 0, 0)
        under.addWidget(self.message, 1)
        under.addWidget(self.counter, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.editor)
        column.addLayout(under)
        self.setFocusProxy(self.editor)

    def text(self) -> str:
        """The current text."""
        if isinstance(self.editor, QPlainTextEdit):
            return self.editor.toPlainText()
        return self.editor.text()

    def set_text(self, text: str) -> None:
        """Replace the text without counting it as a user edit."""
        self._setting = True
        try:
            if isinstance(self.editor, QPlainTextEdit):
                self.editor.setPlainText(text)
            else:
                self.editor.setText(text)
                self.editor.setCursorPosition(0)
        finally:
            self._setting = False
        self._on_editor_changed()

    def set_read_only(self, read_only: bool) -> None:
        """Lock or unlock the editor (a closed session cannot be edited)."""
        self.editor.setReadOnly(read_only)

    def error(self) -> str | None:
        """The validation message for the current text, or None when it is acceptable."""
        return self._validator(self.text())

    def show_error(self, message: str | None) -> None:
        """Show a message under the editor (validation, or a failed save from the server)."""
        set_error_text(self.message, message)

    def _on_editor_changed(self, *_args: object) -> None:
        text = self.text()
        self.counter.setText(f"{len(text)} / {self._maximum}")
        self.show_error(self._validator(text))
        if not self._setting:
            self.edited.emit(text)
