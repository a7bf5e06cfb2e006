"""The "Session data" editor: a typed JSON tree or raw JSON text, checks as you type, review before Save."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from skydesk.models.data_edit_model import (
    COL_KEY,
    COL_TYPE,
    COL_VALUE,
    PathRole,
    is_long_text,
)
from skydesk.models.json_doc import (
    MISSING,
    SyntaxProblem,
    find,
    format_document,
    format_path,
    parse_document,
    short_json,
)
from skydesk.ui.common import add_clear_button, bound_line, name_widget, set_error_text
from skydesk.ui.data_dialogs import SaveReviewDialog, TextValueDialog
from skydesk.ui.data_widgets import EDIT_TRIGGERS, DataDelegate, RawJsonEditor
from skydesk.ui.errors import ProblemBanner

if TYPE_CHECKING:
    from skydesk.models.data_editor import DataEditorController
    from skydesk.models.problems import Problem


class DataEditor(QWidget):
    """Edits the open session's data through a DataEditorController; Save goes through the review dialog."""

    def __init__(self, controller: DataEditorController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.review: SaveReviewDialog | None = None
        self.text_dialog: TextValueDialog | None = None
        self._expanded: set[tuple[Any, ...]] = set()
        self._hits: list[tuple[Any, ...]] = []
        self._hit = -1
        self.tree = QTreeView()
        self.raw = RawJsonEditor()
        self.pages = QStackedWidget()
        self.mode_button = QPushButton("Raw JSON")
        self.add_button = QPushButton("Add")
        self.delete_button = QPushButton("Delete")
        self.text_button = QPushButton("Edit text…")
        self.copy_button = QToolButton()
        self.find_edit = bound_line(QLineEdit())
        self.find_label = QLabel()
        self.conflict_label = QLabel()
        self.reload_theirs_button = QPushButton("Reload theirs")
        self.keep_mine_button = QPushButton("Keep mine")
        self.conflict_box = QWidget()
        self.banner = ProblemBanner("Data problem")
        self.note = QLabel()
        self.rights_label = QLabel()
        self.problems_label = QLabel()
        self.syntax_label = QLabel()
        self.revert_button = QPushButton("Revert")
        self.save_button = QPushButton("Review and save…")
        self._raw_timer = QTimer(self)
        self._setup_ui()
        self._connect()
        self._update_state()

    # ------------------------------------------------------------------ building
    def _setup_ui(self) -> None:
        name_widget(self, "Session data editor")
        model = self.controller.model
        self.tree.setModel(model)
        self.tree.setItemDelegate(DataDelegate(self.tree))
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(EDIT_TRIGGERS)
        header = self.tree.header()
        header.setStretchLastSection(False)
        # Values take the width that is free; keys and types take what they need.
        header.setSectionResizeMode(COL_KEY, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_TYPE, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        name_widget(self.tree, "Session data")
        self.pages.addWidget(self.tree)
        self.pages.addWidget(self.raw)
        self.find_edit.setPlaceholderText("Find a key or value")
        name_widget(self.find_edit, "Find in data")
        add_clear_button(self.find_edit)
        copy_menu = QMenu(self.copy_button)
        self.copy_value_action = copy_menu.addAction("Copy value", self.copy_value)
        self.copy_path_action = copy_menu.addAction("Copy path", self.copy_path)
        self.copy_document_action = copy_menu.addAction("Copy whole document", self.copy_document)
        self.copy_button.setText("Copy")
        self.copy_button.setMenu(copy_menu)
        self.copy_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        for widget, name in (
            (self.mode_button, "Raw JSON"), (self.add_button, "Add"), (self.delete_button, "Delete"),
            (self.text_button, "Edit text…"), (self.copy_button, "Copy"),
            (self.save_button, "Review and save…"),
            (self.revert_button, "Revert"), (self.reload_theirs_button, "Reload theirs"),
            (self.keep_mine_button, "Keep mine"),
        ):  # fmt: skip
            name_widget(widget, name)
        self.mode_button.setCheckable(True)
        # A tool bar folds what does not fit into its extension menu, so the pane stays narrow when it must.
        bar = QToolBar("Data tools")
        bar.setAccessibleName("Data tools")
        for widget in (
            self.add_button,
            self.delete_button,
            self.text_button,
            self.copy_button,
            self.mode_button,
        ):
            bar.addWidget(widget)
        self.find_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("M" * 6))
        # The find field has its own row: beside the tool bar it took the room of "Copy" and "Raw JSON",
        # which then hid in the bar's overflow menu even on a wide screen.
        find = QHBoxLayout()
        find.addWidget(self.find_edit, 1)
        find.addWidget(self.find_label)
        tools = QVBoxLayout()
        tools.setSpacing(2)
        tools.addWidget(bar)
        tools.addLayout(find)

        self.conflict_label.setWordWrap(True)
        self.conflict_label.setAccessibleName("Data changed underneath")
        conflict = QHBoxLayout(self.conflict_box)
        conflict.setContentsMargins(0, 0, 0, 0)
        conflict.addWidget(self.conflict_label, 1)
        conflict.addWidget(self.reload_theirs_button)
        conflict.addWidget(self.keep_mine_button)
        self.conflict_box.hide()
        for label, name in ((self.note, "Data note"), (self.problems_label, "Data problems"),
                            (self.syntax_label, "JSON syntax error"),
                            (self.rights_label, "Why the data is read-only")):  # fmt: skip
            label.setWordWrap(True)
            label.setAccessibleName(name)
            label.hide()
        self.save_button.setDefault(True)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.revert_button)
        actions.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(tools)
        layout.addWidget(self.conflict_box)
        layout.addWidget(self.rights_label)
        layout.addWidget(self.note)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.syntax_label)
        layout.addWidget(self.problems_label)
        layout.addLayout(actions)
        self._raw_timer.setSingleShot(True)
        self._raw_timer.setInterval(150)

    def _connect(self) -> None:
        ctl, model = self.controller, self.controller.model
        ctl.state_changed.connect(self._update_state)
        ctl.conflict.connect(self._on_controller_conflict)
        ctl.merged.connect(self._on_controller_merged)
        ctl.saved.connect(self._on_controller_saved)
        model.modelAboutToBeReset.connect(self._remember_expanded)
        model.modelReset.connect(self._restore_expanded)
        self.tree.selectionModel().currentChanged.connect(self._update_state)
        self.tree.doubleClicked.connect(self._on_tree_double_clicked)
        self.add_button.clicked.connect(self.add_here)
        self.delete_button.clicked.connect(self.delete_current)
        self.text_button.clicked.connect(self.edit_text)
        self.mode_button.toggled.connect(self._on_mode_toggled)
        self.find_edit.returnPressed.connect(self.find_next)
        self.find_edit.textChanged.connect(self._on_find_text_changed)
        self.raw.textChanged.connect(self._raw_timer.start)
        self._raw_timer.timeout.connect(self._check_raw)
        self.reload_theirs_button.clicked.connect(lambda: self._resolve(keep_mine=False))
        self.keep_mine_button.clicked.connect(lambda: self._resolve(keep_mine=True))
        self.revert_button.clicked.connect(self._on_revert_clicked)
        self.save_button.clicked.connect(self.review_and_save)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.tree, self.delete_current)

    # ------------------------------------------------------------------ tree actions
    def current(self) -> QModelIndex:
        """The selected row (column 0), or invalid."""
        index = self.tree.currentIndex()
        return index.siblingAtColumn(COL_KEY) if index.isValid() else QModelIndex()

    def add_here(self) -> QModelIndex:
        """Add under the selected object/array, else next to the selected value, else at the top."""
        model, index = self.controller.model, self.current()
        kind = index.siblingAtColumn(COL_TYPE).data() if index.isValid() else "object"
        if index.isValid() and kind not in ("object", "array"):
            added = model.add(index.parent(), row=index.row() + 1)
        else:
            added = model.add(index)
            self.tree.expand(index)
        if added.isValid():
            self.tree.setCurrentIndex(added)
            self.tree.edit(added)
        return added

    def delete_current(self) -> None:
        """Delete the selected member or item."""
        index = self.current()
        if index.isValid():
            self.controller.model.remove(index)

    def edit_text(self) -> None:
        """Open the selected string in the multi-line editor."""
        index = self.current()
        value = self.controller.model.value_at(index) if index.isValid() else None
        if not isinstance(value, str):
            return
        path = format_path(index.data(PathRole))
        self.text_dialog = TextValueDialog(path, value, self)
        persistent = QPersistentModelIndex(index)
        self.text_dialog.text_accepted.connect(lambda text: self.controller.model.set_value(persistent, text))
        self.text_dialog.open()

    def _on_tree_double_clicked(self, index: QModelIndex) -> None:
        if index.column() == COL_VALUE and is_long_text(self.controller.model.value_at(index)):
            self.edit_text()

    # ------------------------------------------------------------------ copy and find
    def copy_value(self) -> str:
        """Copy the selected value (text as is, anything else as JSON)."""
        index = self.current()
        value = self.controller.model.value_at(index) if index.isValid() else None
        text = value if isinstance(value, str) else format_document(value)
        QApplication.clipboard().setText(text)
        return text

    def copy_path(self) -> str:
        """Copy the selected field's path, like ``inspection.steps[2].title``."""
        index = self.current()
        text = format_path(index.data(PathRole)) if index.isValid() else ""
        QApplication.clipboard().setText(text)
        return text

    def copy_document(self) -> str:
        """Copy the whole document as formatted JSON."""
        text = format_document(self.controller.edit())
        QApplication.clipboard().setText(text)
        return text

    def find_next(self) -> None:
        """Select the next key or value containing the find text."""
        if not self._hits:
            self._hits = find(self.controller.edit(), self.find_edit.text())
            self._hit = -1
        if not self._hits:
            self.find_label.setText("No match" if self.find_edit.text() else "")
            return
        self._hit = (self._hit + 1) % len(self._hits)
        index = self.controller.model.index_of(self._hits[self._hit])
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        self.find_label.setText(f"{self._hit + 1} of {len(self._hits)}")

    def _on_find_text_changed(self, _text: str) -> None:
        self._hits, self._hit = [], -1
        self.find_label.setText("")

    # ------------------------------------------------------------------ raw mode
    def in_raw_mode(self) -> bool:
        """Whether the raw JSON text is shown."""
        return self.pages.currentWidget() is self.raw

    def _on_mode_toggled(self, raw: bool) -> None:
        if raw:
            self.raw.setPlainText(format_document(self.controller.edit()))
            self.pages.setCurrentWidget(self.raw)
            self._check_raw()
            return
        document, problem = parse_document(self.raw.toPlainText())
        if problem is not None:  # the edit stays: the user fixes the text first
            self.mode_button.blockSignals(True)
            self.mode_button.setChecked(True)
            self.mode_button.blockSignals(False)
            self._show_syntax(problem)
            return
        self.controller.replace_edit(document)
        self.pages.setCurrentWidget(self.tree)
        self._show_syntax(None)

    def _check_raw(self) -> SyntaxProblem | None:
        if not self.in_raw_mode():
            return None
        document, problem = parse_document(self.raw.toPlainText())
        self._show_syntax(problem)
        if problem is None:
            self.controller.replace_edit(document)
        self._update_state()
        return problem

    def _show_syntax(self, problem: SyntaxProblem | None) -> None:
        set_error_text(self.syntax_label, str(problem) if problem else None)
        self.raw.mark(problem)

    def syntax_problem(self) -> SyntaxProblem | None:
        """The raw text's syntax error, when raw mode is shown."""
        return parse_document(self.raw.toPlainText())[1] if self.in_raw_mode() else None

    # ------------------------------------------------------------------ save, conflicts
    def review_and_save(self) -> SaveReviewDialog | None:
        """Show before / after / patch; "Send patch" saves through the controller."""
        if self.in_raw_mode() and self._check_raw() is not None:
            return None
        ctl = self.controller
        if not ctl.can_save():
            return None
        warnings = [f"{p} is null: a merge patch removes the key instead." for p in ctl.lost_nulls()]
        self.review = SaveReviewDialog(ctl.base, ctl.edit(), ctl.patch(), warnings, self)
        self.review.confirmed.connect(ctl.save)
        self.review.open()
        return self.review

    def _resolve(self, keep_mine: bool) -> None:
        self.controller.resolve(keep_mine)
        self.conflict_box.hide()
        if self.in_raw_mode():
            self.raw.setPlainText(format_document(self.controller.edit()))

    def _on_controller_conflict(self, clashes: list[Any], who: str) -> None:
        lines = [f"{format_path(c.path)}: yours {_shown(c.mine)}, theirs {_shown(c.theirs)}" for c in clashes]
        by = f" by {self.user_label(who)}" if who else ""
        self.conflict_label.setText(
            f"The data changed on the server{by} while you were editing it:\n" + "\n".join(lines)
        )
        self.conflict_box.show()

    def _on_controller_merged(self, paths: list[str], who: str) -> None:
        by = f"{self.user_label(who)}'s" if who else "A"
        self.note.setText(f"{by} change to {', '.join(paths) or 'the data'} was merged into your edit.")
        self.note.show()

    def _on_controller_saved(self, _patch: dict[str, Any]) -> None:
        self.note.setText("Saved.")
        self.note.show()

    def _on_revert_clicked(self) -> None:
        self.controller.revert()
        self.conflict_box.hide()
        if self.in_raw_mode():
            self.raw.setPlainText(format_document(self.controller.edit()))

    def show_banner(self, problem: Problem | None) -> None:
        """The presenter shows a problem of the "data" scope here (a failed save, …)."""
        self.banner.show_problem(problem)

    def show_field_problem(self, field: str, problem: Problem | None) -> bool:
        """No per-field places: refused keys are marked in the tree before anything is sent."""
        return False

    def user_label(self, user_id: str) -> str:
        """Names a user (the window replaces it with the label service)."""
        return user_id

    # ------------------------------------------------------------------ state
    def _update_state(self, *_args: object) -> None:
        ctl = self.controller
        raw_bad = self.in_raw_mode() and self.syntax_problem() is not None
        set_error_text(self.problems_label, "\n".join(ctl.problems()) or None)
        self.save_button.setEnabled(ctl.can_save() and not raw_bad)
        self.revert_button.setEnabled(ctl.is_dirty() or bool(ctl.pending_conflict))
        index = self.current()
        writable = not ctl.read_only
        self.add_button.setEnabled(writable and not self.in_raw_mode())
        self.delete_button.setEnabled(writable and index.isValid() and not self.in_raw_mode())
        self.text_button.setEnabled(writable and isinstance(self.controller.model.value_at(index), str))
        self.tree.setEditTriggers(EDIT_TRIGGERS if writable else QAbstractItemView.EditTrigger.NoEditTriggers)
        self.raw.setReadOnly(not writable)
        # The role may not edit: say so once above the data, and on every edit action that is off.
        reason = ctl.read_only_reason
        self.rights_label.setText(reason)
        self.rights_label.setVisible(bool(reason))
        for button in (self.add_button, self.delete_button, self.text_button, self.save_button):
            button.setToolTip(reason)

    def _remember_expanded(self) -> None:
        model = self.controller.model
        self._expanded = set()
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for row in range(model.rowCount(parent)):
                index = model.index(row, 0, parent)
                if self.tree.isExpanded(index):
                    self._expanded.add(model.path(index))
                    stack.append(index)

    def _restore_expanded(self) -> None:
        model = self.controller.model
        if not self._expanded:
            self.tree.expandToDepth(0)
        for path in sorted(self._expanded, key=len):
            self.tree.expand(model.index_of(path))
        self._update_state()


def _shown(value: Any) -> str:
    return "(removed)" if value is MISSING or value is None else short_json(value)
