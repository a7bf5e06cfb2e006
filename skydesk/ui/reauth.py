"""The password-only prompt shown when the sign-in expires mid-work (the window behind keeps every edit).

It is its own module so that a cold start, which shows the sign-in page, does not build QDialog's and
QDialogButtonBox's Python types (benchmark B1); main_window imports it when a sign-in expires.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from skydesk.ui.common import bound_line, fit_title, form_label, name_widget, set_error_text


class ReauthDialog(QDialog):
    """Asks only for the password when the sign-in expired mid-work; the window behind keeps every edit."""

    password_entered = Signal(str)
    sign_out_requested = Signal()

    def __init__(self, message: str, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QLabel(message)
        self.username = QLabel(username)
        self.password = bound_line(QLineEdit(), 1024)
        self.error = QLabel()
        self.progress = QProgressBar()
        self.buttons = QDialogButtonBox()
        self.sign_in_button = self.buttons.addButton("Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_out_button = self.buttons.addButton("Sign out", QDialogButtonBox.ButtonRole.DestructiveRole)
        self._setup_ui()

    def _setup_ui(self) -> None:
        self.setWindowTitle("Sign in again")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Reason")
        self.username.setAccessibleName("Username")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        name_widget(self.sign_in_button, "Sign in")
        name_widget(self.sign_out_button, "Sign out")
        self.sign_in_button.setDefault(True)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Sign-in error")
        self.error.hide()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Signing in")
        self.progress.hide()
        form = QFormLayout()
        form.addRow("Username:", self.username)
        form.addRow(form_label("&Password:", self.password), self.password)
        column = QVBoxLayout(self)
        column.addWidget(self.message)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addWidget(self.progress)
        column.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 30)
        fit_title(self)
        self.sign_in_button.clicked.connect(self._on_sign_in_clicked)
        self.sign_out_button.clicked.connect(self._on_sign_out_clicked)
        self.password.returnPressed.connect(self._on_sign_in_clicked)

    def set_busy(self, busy: bool) -> None:
        """Show progress and lock the button while the password is checked."""
        self.progress.setVisible(busy)
        self.sign_in_button.setEnabled(not busy)
        self.password.setEnabled(not busy)
        if busy:
            set_error_text(self.error, None)

    def show_error(self, message: str) -> None:
        """Say why the password was refused; the dialog stays open."""
        set_error_text(self.error, message)
        self.password.setFocus()
        self.password.selectAll()

    def reject(self) -> None:
        """Escape does not silently drop the user's work: the dialog only closes by signing in or out."""
        self.password.setFocus()

    def _on_sign_in_clicked(self) -> None:
        if not self.password.text() or not self.sign_in_button.isEnabled():
            return
        self.password_entered.emit(self.password.text())

    def _on_sign_out_clicked(self) -> None:
        # The window closes this prompt once signed out; if the user then keeps their unsaved edits
        # (Cancel), the prompt stays.
        self.sign_out_requested.emit()
