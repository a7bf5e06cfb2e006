"""Parts of the data editor: the tree's item delegate (key check as you type, type picker), raw JSON text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextEdit,
    QWidget,
)

from skydesk.api.limits import DATA_KEY_MAX
from skydesk.models.data_edit_model import COL_KEY, COL_TYPE, TYPES
from skydesk.models.json_doc import SyntaxProblem, key_error
from skydesk.ui.common import LINE_MAX, above, bound_line, error_color, name_widget
from skydesk.ui.data_dialogs import mono_font

Index = QModelIndex | QPersistentModelIndex
EDIT_TRIGGERS = (
    QAbstractItemView.EditTrigger.DoubleClicked
    | QAbstractItemView.EditTrigger.EditKeyPressed
    | QAbstractItemView.EditTrigger.SelectedClicked
)


class DataDelegate(QStyledItemDelegate):
    """Key editors that check the data-key rule as you type; a type picker; no inline long-text editor."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        """A combo for types, a checked line edit for keys, none for long text (the dialog edits it)."""
        if index.column() == COL_TYPE:
            combo = QComboBox(parent)
            combo.addItems(list(TYPES))
            name_widget(combo, "Value type")
            return combo
        editor = super().createEditor(parent, option, index)
        if index.column() == COL_KEY and isinstance(editor, QLineEdit):
            name_widget(editor, "Key")
            bound_line(editor, above(DATA_KEY_MAX))
            editor.textEdited.connect(lambda text, e=editor: self._check_key(e, text))
        elif isinstance(editor, QLineEdit):  # a short value: longer text has its own dialog
            bound_line(name_widget(editor, "Value"), LINE_MAX)  # type: ignore[arg-type]
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        """Start the type picker at the current type."""
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data()))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        """Commit the picked type or the typed text."""
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())
            return
        super().setModelData(editor, model, index)

    @staticmethod
    def _check_key(editor: QLineEdit, text: str) -> None:
        problem = key_error(text)
        editor.setToolTip(problem or "")
        editor.setStyleSheet(f"color: {error_color(editor).name()};" if problem else "")


class RawJsonEditor(QPlainTextEdit):
    """The document as JSON text; a syntax error is marked where it is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(mono_font())
        name_widget(self, "Raw JSON")

    def mark(self, problem: SyntaxProblem | None) -> None:
        """Underline the character at the problem's line and column (or clear the mark)."""
        selections: list[QTextEdit.ExtraSelection] = []
        if problem is not None:
            block = self.document().findBlockByLineNumber(problem.line - 1)
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.MoveOperation.Right, n=max(0, problem.column - 1))
            cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor)
            mark = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(error_color(self)).lighter(150))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            mark.format, mark.cursor = fmt, cursor
            selections.append(mark)
        self.setExtraSelections(selections)

    def mark_position(self) -> tuple[int, int] | None:
        """(line, column), 1-based, of the marked character, or None."""
        marks = self.extraSelections()
        if not marks:
            return None
        cursor = marks[0].cursor
        return cursor.blockNumber() + 1, cursor.selectionStart() - cursor.block().position() + 1
