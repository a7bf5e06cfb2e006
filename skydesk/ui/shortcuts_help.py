"""The "Keyboard shortcuts" help page: every shortcut of the window, read from its actions."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from skydesk.ui.common import fit_title, plain_label

#: Keys that are not actions of the window but work in it (a table's own keys, the detail pane's Esc).
EXTRA_KEYS = (
    ("Revert the session's unsaved edits (asks first when they are large)", "Esc"),
    ("Move to the next / previous pane or field", "Tab / Shift+Tab"),
    ("Move in a list or table", "Arrow keys, Page Up / Page Down, Home / End"),
    ("Edit the selected property cell", "F2"),
)


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(what it does, keys) for every action with a shortcut, then the keys that are not actions."""
    rows = []
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        if keys:
            rows.append((plain_label(action.text()).rstrip("…"), " or ".join(keys)))
    return rows + list(EXTRA_KEYS)


class ShortcutsDialog(QDialog):
    """Lists the shortcuts in a two-column table."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = shortcut_rows(actions)
        self.table = QTableWidget(len(self.rows), 2)
        self.setWindowTitle("Keyboard shortcuts")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, (what, keys) in enumerate(self.rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        note = QLabel("Shortcuts work wherever the focus is in the window.")
        note.setWordWrap(True)
        column = QVBoxLayout(self)
        column.addWidget(note)
        column.addWidget(self.table, 1)
        column.addWidget(buttons)
        metrics = self.fontMetrics()
        self.resize(metrics.horizontalAdvance("M") * 44, int(metrics.height() * 1.9 * (len(self.rows) + 6)))
        fit_title(self)
