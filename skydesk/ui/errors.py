"""The one error presenter: expected errors in plain words with an action, transient ones in the status bar.

Unexpected exceptions are logged and handed to the crash reporter (``skydesk.ui.crash_dialog``), whose
dialog offers "Copy details".
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from skydesk.api.errors import (
    AuthError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    SignInRequired,
    SkydeskError,
    Timeout,
    TransportError,
    ValidationError,
)
from skydesk.core.logs import report_exception
from skydesk.ui.common import name_widget

log = logging.getLogger(__name__)

#: Errors that usually pass on their own: they go to the status bar instead of a dialog.
TRANSIENT = (TransportError, Timeout, RateLimited, ServerError)


class ErrorPresenter(QObject):
    """Decides, in one place, how an error reaches the user."""

    def __init__(self, window: QWidget, status_bar: QStatusBar | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._status_bar = status_bar
        self.last_box: QMessageBox | None = None  # the open message box, for tests and for re-use

    def transient(self, message: str, timeout_ms: int = 10_000) -> None:
        """Show a passing problem (network hiccup, server busy) in the status bar."""
        log.info("transient problem shown to the user: %s", message)
        if self._status_bar is not None:
            self._status_bar.showMessage(message, timeout_ms)

    def expected(
        self,
        title: str,
        message: str,
        *,
        action_label: str | None = None,
        action: Callable[[], None] | None = None,
    ) -> QMessageBox:
        """Explain an expected error in plain words, with an optional action button ("Retry", ...)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.NoButton)
        box.setParent(self._window, box.windowFlags())
        action_button = None
        if action_label and action is not None:
            action_button = box.addButton(action_label, QMessageBox.ButtonRole.AcceptRole)
            name_widget(action_button, action_label)
        close = box.addButton(QMessageBox.StandardButton.Close)
        name_widget(close, close.text())
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def _on_finished(_result: int) -> None:
            if self.last_box is box:
                self.last_box = None
            if action_button is not None and box.clickedButton() is action_button and action is not None:
                action()

        box.finished.connect(_on_finished)
        box.open()
        self.last_box = box
        return box

    def unexpected(self, exc: BaseException) -> None:
        """Log an unexpected exception; the crash reporter (installed by app.py) shows "Copy details"."""
        report_exception(type(exc), exc, exc.__traceback__, where="the user interface")

    def present(
        self,
        exc: BaseException,
        *,
        retry: Callable[[], None] | None = None,
        sign_in_again: Callable[[], None] | None = None,
    ) -> None:
        """Classify ``exc`` and show it the way its kind deserves."""
        if isinstance(exc, SignInRequired | AuthError) and sign_in_again is not None:
            self.expected(
                "Sign in again",
                _message(exc),
                action_label="Sign in again",
                action=sign_in_again,
            )
        elif isinstance(exc, TRANSIENT):
            self.transient(_message(exc))
        elif isinstance(exc, ValidationError | Conflict | Forbidden | NotFound | SkydeskError):
            self.expected(_title(exc), _message(exc), action_label="Retry" if retry else None, action=retry)
        else:
            self.unexpected(exc)


def _message(exc: BaseException) -> str:
    return str(getattr(exc, "message", "") or exc)


def _title(exc: BaseException) -> str:
    if isinstance(exc, Conflict):
        return "The session changed or is closed"
    if isinstance(exc, Forbidden):
        return "Not allowed"
    if isinstance(exc, NotFound):
        return "Not found"
    if isinstance(exc, ValidationError):
        return "Please check your input"
    return "Could not complete the request"
