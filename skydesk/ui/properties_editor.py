"""A key/value table for session properties (at most 50), validated as the user edits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from skydesk.api.limits import PROPERTY_KEY_MAX, PROPERTY_VALUE_MAX
from skydesk.api.validation import PROPERTIES_MAX, validate_properties
from skydesk.models.edits import property_text
from skydesk.ui.common import above, bound_line, name_widget, set_error_text, standard_icon

if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex, QPersistentModelIndex
    from PySide6.QtWidgets import QStyleOptionViewItem

MIN_VISIBLE_ROWS = 2
MAX_VISIBLE_ROWS = 12  # beyond this the table scrolls, so one session's 50 properties don't fill the pane


class _BoundedCells(QStyledItemDelegate):
    """Cell editors that hold a bounded text: 10 MB pasted into Qt's default editor froze the window."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QWidget:
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit):
            key = index.column() == 0
            name_widget(editor, "Property key" if key else "Property value")
            bound_line(editor, above(PROPERTY_KEY_MAX if key else PROPERTY_VALUE_MAX))
        return editor


class PropertiesEditor(QWidget):
    """Edit ``{key: value}`` pairs in a two-column table with Add and Remove buttons."""

    edited = Signal()  # the user changed something (not emitted by set_properties)

    def __init__(self, label: str = "Properties", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 2)
        self.add_button = QPushButton("Add property")
        self.remove_button = QPushButton("Remove property")
        self.counter = QLabel()
        self.message = QLabel()
        self._loading = False
        self._read_only = False
        self._setup_ui(label)
        self._on_table_changed()

    def _setup_ui(self, label: str) -> None:
        name_widget(self.table, label)
        self.table.setHorizontalHeaderLabels(["Key", "Value"])
        self.table.setItemDelegate(_BoundedCells(self.table))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        row_height = self.fontMetrics().height() + 10
        self.table.verticalHeader().setDefaultSectionSize(row_height)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # Tab leaves the table (to Add property) instead of walking its cells forever; arrows move in it.
        self.table.setTabKeyNavigation(False)
        # The table is as tall as its rows (it sits in a form that scrolls already), up to a limit.
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.add_button.setIcon(standard_icon(self, QStyle.StandardPixmap.SP_FileDialogNewFolder))
        self.remove_button.setIcon(standard_icon(self, QStyle.StandardPixmap.SP_DialogDiscardButton))
        for button in (self.add_button, self.remove_button):
            name_widget(button, button.text())
        self.counter.setAccessibleName(f"{label} count")
        self.counter.setEnabled(False)
        self.message.setAccessibleName(f"{label} error")
        self.message.setWordWrap(True)
        self.message.hide()

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.counter)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.table, 1)
        column.addLayout(buttons)
        column.addWidget(self.message)

        self.table.itemChanged.connect(self._on_table_item_changed)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self._on_table_selection_changed()

    # ------------------------------------------------------------------ state

    def set_properties(self, properties: dict[str, Any]) -> None:
        """Replace the rows with ``properties`` (sorted by key) without emitting ``edited``."""
        self._loading = True
        try:
            self.table.setRowCount(0)
            for key in sorted(properties):
                self._append_row(key, property_text(properties[key]))
        finally:
            self._loading = False
        self._on_table_changed()

    def properties(self) -> dict[str, str]:
        """The rows as a dictionary; rows with an empty key are ignored (see :meth:`error`)."""
        result: dict[str, str] = {}
        for row in range(self.table.rowCount()):
            key, value = self._row(row)
            if key:
                result[key] = value
        return result

    def error(self) -> str | None:
        """What is wrong with the rows (empty or repeated key, too many), or None."""
        keys = [self._row(row)[0] for row in range(self.table.rowCount())]
        if any(not key for key in keys):
            return "Every property needs a key"
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            return f"The key {repeated[0]!r} is used twice"
        problems = validate_properties(self.properties())
        return problems[0].message if problems else None

    def set_read_only(self, read_only: bool) -> None:
        """Lock the table and its buttons (a closed session cannot be edited)."""
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers
            if read_only
            else QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.add_button.setEnabled(not read_only and self.table.rowCount() < PROPERTIES_MAX)
        self.remove_button.setEnabled(not read_only and bool(self.table.selectedItems()))
        self._read_only = read_only

    def show_error(self, message: str | None) -> None:
        """Show a message under the table (validation or a failed save)."""
        set_error_text(self.message, message)

    # ------------------------------------------------------------------ slots

    def _on_add_clicked(self) -> None:
        if self.table.rowCount() >= PROPERTIES_MAX:
            return
        self._loading = True
        try:
            row = self._append_row("", "")
        finally:
            self._loading = False
        self._on_table_changed()
        self.edited.emit()
        self.table.setCurrentCell(row, 0)
        item = self.table.item(row, 0)
        if item is not None:
            self.table.editItem(item)

    def _on_remove_clicked(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self._on_table_changed()
            self.edited.emit()

    def _on_table_item_changed(self, _item: QTableWidgetItem) -> None:
        if self._loading:
            return
        self._on_table_changed()
        self.edited.emit()

    def _on_table_selection_changed(self) -> None:
        self.remove_button.setEnabled(not self._read_only and bool(self.table.selectedItems()))

    def _fit_height(self) -> None:
        rows = min(max(self.table.rowCount() + 1, MIN_VISIBLE_ROWS), MAX_VISIBLE_ROWS)
        header = self.table.horizontalHeader().sizeHint().height()
        frame = self.table.frameWidth() * 2
        self.table.setFixedHeight(header + frame + rows * self.table.verticalHeader().defaultSectionSize())

    def _on_table_changed(self) -> None:
        self._fit_height()
        count = self.table.rowCount()
        self.counter.setText(f"{count} / {PROPERTIES_MAX}")
        self.add_button.setEnabled(not self._read_only and count < PROPERTIES_MAX)
        self.show_error(self.error())

    # ------------------------------------------------------------------ helpers

    def _append_row(self, key: str, value: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, text in ((0, key), (1, value)):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, col, item)
        return row

    def _row(self, row: int) -> tuple[str, str]:
        key_item, value_item = self.table.item(row, 0), self.table.item(row, 1)
        key = key_item.text().strip() if key_item is not None else ""
        value = value_item.text() if value_item is not None else ""
        return key, value
