"""The "Timeline" tab: the session's events newest first, the selected payload, and a custom-event form."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from skydesk.api.limits import EVENT_TYPE_MAX
from skydesk.models.json_doc import parse_document
from skydesk.models.timeline import COL_SUMMARY, COL_WHEN, EventRole
from skydesk.ui.common import above, bound_line, form_label, name_widget, set_error_text
from skydesk.ui.data_dialogs import mono_font, read_only_text
from skydesk.ui.errors import ProblemBanner

if TYPE_CHECKING:
    from skydesk.api import SessionEvent
    from skydesk.models.problems import Problem
    from skydesk.models.timeline import TimelineController


class TimelineTab(QWidget):
    """Shows a TimelineController's model; the form checks a custom event as you type."""

    def __init__(self, controller: TimelineController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.table = QTableView()
        self.payload = read_only_text("Event payload")
        self.payload.setPlaceholderText("Select an event to see everything it carries")
        self.older_button = QPushButton("Load older events")
        self.state_label = QLabel()
        self.type_edit = bound_line(QLineEdit(), above(EVENT_TYPE_MAX))
        self.data_edit = QPlainTextEdit("{}")
        self.form_error = QLabel()
        self.post_button = QPushButton("Post event")
        self.banner = ProblemBanner("Timeline problem")
        self._check_timer = QTimer(self)
        self._setup_ui()
        self._connect()
        self.check_form()

    def _setup_ui(self) -> None:
        name_widget(self, "Timeline")
        self.table.setModel(self.controller.model)
        name_widget(self.table, "Session events")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SUMMARY, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_WHEN, QHeaderView.ResizeMode.ResizeToContents)
        name_widget(self.older_button, "Load older events")
        self.older_button.setEnabled(False)
        self.state_label.setAccessibleName("Timeline state")
        paging = QHBoxLayout()
        paging.addWidget(self.state_label, 1)
        paging.addWidget(self.older_button)

        self.type_edit.setPlaceholderText("e.g. inspection.photo_taken")
        self.data_edit.setFont(mono_font())
        self.data_edit.setMaximumHeight(self.fontMetrics().height() * 6)
        self.form_error.setWordWrap(True)
        self.form_error.setAccessibleName("Custom event problem")
        name_widget(self.post_button, "Post event")
        form_box = QGroupBox("Post a custom event")
        form = QFormLayout(form_box)
        form.addRow(form_label("Event &type:", self.type_edit), self.type_edit)
        form.addRow(form_label("Event &data (JSON):", self.data_edit), self.data_edit)
        form.addRow(self.form_error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.post_button)
        form.addRow(buttons)

        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        top_layout.addLayout(paging)
        split.addWidget(top)
        split.addWidget(self.payload)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        layout.addWidget(form_box)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(120)

    def _connect(self) -> None:
        ctl = self.controller
        ctl.more_available.connect(self.older_button.setEnabled)
        ctl.loading_changed.connect(self._on_controller_loading_changed)
        ctl.posted.connect(self._on_controller_posted)
        ctl.post_failed.connect(self._on_controller_post_failed)
        ctl.rights_changed.connect(self.check_form)
        ctl.model.modelReset.connect(self._show_selected)
        for changed in (ctl.model.modelReset, ctl.model.rowsInserted, ctl.model.rowsRemoved):
            changed.connect(self._show_count)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.older_button.clicked.connect(ctl.load_older)
        self.type_edit.textChanged.connect(self._check_timer.start)
        self.data_edit.textChanged.connect(self._check_timer.start)
        self._check_timer.timeout.connect(self.check_form)
        self.post_button.clicked.connect(self.post)

    # ------------------------------------------------------------------ custom event form
    def form_data(self) -> tuple[Any, list[str]]:
        """The typed event data and every reason it cannot be sent yet."""
        text = self.data_edit.toPlainText().strip() or "{}"
        data, problem = parse_document(text)
        problems = [] if problem is None else [f"Event data: {problem}"]
        event_type = self.type_edit.text().strip()
        problems += self.controller.check(event_type, data if problem is None else {})
        return data, problems

    def check_form(self) -> list[str]:
        """Check the form now: the reasons show under it and Post stays disabled until they are fixed."""
        self._check_timer.stop()
        _data, problems = self.form_data()
        show = (
            problems
            if self.type_edit.text() or self.data_edit.toPlainText().strip() not in ("", "{}")
            else []
        )
        set_error_text(self.form_error, "\n".join(show) or None)
        ctl = self.controller
        can_post = not problems and ctl.session_id is not None and ctl.may_post
        self.post_button.setEnabled(can_post)
        self.post_button.setToolTip("" if ctl.may_post else ctl.post_refusal)
        return problems

    def post(self) -> bool:
        """Send the form's event (only when every rule is met)."""
        data, problems = self.form_data()
        if problems:
            self.check_form()
            return False
        self.post_button.setEnabled(False)
        return self.controller.post(self.type_edit.text().strip(), data)

    def _on_controller_posted(self, _event_id: str) -> None:
        self.state_label.setText(f"Posted “{self.type_edit.text().strip()}”.")
        self.check_form()

    def _on_controller_post_failed(self, _problem: Problem) -> None:
        self.check_form()  # the presenter shows the problem in the banner; the form stays for a retry

    def show_banner(self, problem: Problem | None) -> None:
        """The presenter shows a problem of the "timeline" scope here."""
        self.banner.show_problem(problem)

    def show_field_problem(self, field: str, problem: Problem | None) -> bool:
        """No per-field places: the form checks its fields before sending."""
        return False

    # ------------------------------------------------------------------ list
    def selected(self) -> SessionEvent | None:
        """The selected event."""
        index = self.table.currentIndex()
        return index.data(EventRole) if index.isValid() else None

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        event = self.selected()
        text = json.dumps(event.raw, indent=2, ensure_ascii=False, default=str) if event is not None else ""
        self.payload.setPlainText(text)

    def _on_controller_loading_changed(self, _loading: bool) -> None:
        self._show_count()
        self.check_form()

    def _show_count(self, *_args: object) -> None:
        # Counted whenever rows come or go: a page lands after the loading flag drops, live events add rows.
        count = self.controller.model.rowCount()
        if self.controller.loading and not count:
            self.state_label.setText("Loading…")
        else:
            self.state_label.setText(f"{count} event shown" if count == 1 else f"{count} events shown")
