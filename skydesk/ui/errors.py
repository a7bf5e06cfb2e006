"""The one problem presenter: it decides where a Problem shows, so widgets never choose.

Where a problem goes (``ProblemPresenter.present``):

1. Unexpected failures: the crash dialog has opened already (``skydesk.ui.crash_dialog``); the status
   bar gets a line.
2. Passing ones (severity INFO) and sign-out notices: the status bar.
3. A problem about a field of a registered surface: inline, next to that field.
4. Otherwise, a surface registered for the problem's scope: the banner of that pane.
5. No surface for the scope: a window-modal dialog.

A surface is any widget with ``show_banner(problem | None)`` and ``show_field_problem(field, problem | None)
-> bool`` (False: "I have no such field"); :class:`ProblemBanner` is the banner most panes use.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QStatusBar, QWidget

from skydesk.models.problems import Action, Problem, Severity
from skydesk.ui.common import error_color, name_widget

log = logging.getLogger(__name__)

STATUS_TIMEOUT_MS = 10_000


class ProblemSurface(Protocol):
    """A pane that can show problems of its scope: a banner, and inline messages next to its fields."""

    def show_banner(self, problem: Problem | None) -> None:
        """Show ``problem`` above the pane's content (None hides the banner)."""

    def show_field_problem(self, field: str, problem: Problem | None) -> bool:
        """Show ``problem`` next to ``field`` (None clears it); False when the pane has no such field."""


class ProblemBanner(QFrame):
    """A strip above a pane: the problem's words and, when one fits, its action button (Retry, Reload...)."""

    def __init__(self, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problem: Problem | None = None
        self.label = QLabel()
        self.action_button = QPushButton(Action.RETRY.value)  # the words change with each problem
        name_widget(self.action_button, self.action_button.text())
        self.setAccessibleName(accessible)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAccessibleName(accessible)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.action_button)
        self.action_button.clicked.connect(self._on_action_clicked)
        self.hide()

    def show_problem(self, problem: Problem | None) -> None:
        """Show ``problem`` (None hides the banner)."""
        self.problem = problem
        if problem is None:
            self.label.clear()
            self.hide()
            return
        self.label.setText(problem.message)
        color = error_color(self).name() if problem.severity is Severity.ERROR else ""
        self.label.setStyleSheet(f"color: {color};" if color else "")
        self.action_button.setText(problem.action_label)
        name_widget(self.action_button, problem.action_label)
        self.action_button.setVisible(bool(problem.action_label) and problem.retry is not None)
        self.show()

    def show_text(self, text: str | None) -> None:
        """A plain notice in the same place (no action): "Closed", "Not in the current list", ..."""
        self.show_problem(Problem(text, Severity.INFO, kind="notice") if text else None)

    def text(self) -> str:
        """The words shown, or "" while hidden."""
        return self.label.text() if self.problem is not None else ""

    def _on_action_clicked(self) -> None:
        problem = self.problem
        if problem is not None and problem.retry is not None:
            self.show_problem(None)
            problem.retry()


class ProblemPresenter(QObject):
    """Puts each Problem where it belongs; also shows passing messages in the status bar."""

    def __init__(self, window: QWidget, status_bar: QStatusBar | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._status_bar = status_bar
        self._surfaces: dict[str, ProblemSurface] = {}
        self.dialog: QMessageBox | None = None  # the last problem dialog (tests press its buttons)
        self.last: Problem | None = None

    def register(self, scope: str, surface: ProblemSurface) -> None:
        """Problems of ``scope`` ("detail", "list", "participants", ...) show on ``surface``."""
        self._surfaces[scope] = surface

    def present(self, problem: Problem) -> None:
        """Show ``problem`` where it belongs (see the module docstring)."""
        self.last = problem
        log.info("problem shown (%s, %s): %s", problem.scope, problem.kind, problem.message)
        surface = self._surfaces.get(problem.scope)
        if problem.kind == "unexpected" or problem.severity is Severity.INFO or problem.kind == "signed_out":
            self.transient(problem.message)
            return
        if surface is None:
            self.dialog = self._dialog(problem)
            return
        if problem.field and surface.show_field_problem(problem.field, problem):
            return
        surface.show_banner(problem)

    def resolve(self, scope: str, field: str) -> None:
        """An operation of ``scope`` (on ``field``) succeeded: its earlier problem no longer holds."""
        surface = self._surfaces.get(scope)
        if surface is None:
            return
        if field:
            surface.show_field_problem(field, None)
        surface.show_banner(None)

    def transient(self, message: str, timeout_ms: int = STATUS_TIMEOUT_MS) -> None:
        """Show a passing message in the status bar."""
        if self._status_bar is not None:
            self._status_bar.showMessage(message, timeout_ms)

    def expected(self, title: str, message: str) -> QMessageBox:
        """Explain a problem outside any operation in a window-modal box that does not block the loop."""
        return self._box(title, message, None)

    def _dialog(self, problem: Problem) -> QMessageBox:
        title = problem.doing[:1].upper() + problem.doing[1:] if problem.doing else "Problem"
        return self._box(title, problem.message, problem)

    def _box(self, title: str, message: str, problem: Problem | None) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.NoButton)
        box.setParent(self._window, box.windowFlags())
        if problem is not None and problem.retry is not None and problem.action_label:
            action = box.addButton(problem.action_label, QMessageBox.ButtonRole.AcceptRole)
            name_widget(action, problem.action_label)
            action.clicked.connect(problem.retry)
        close = box.addButton(QMessageBox.StandardButton.Close)
        name_widget(close, close.text())
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box
