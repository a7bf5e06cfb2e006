"""The error presenter: expected problems in a message box, passing ones in the status bar.

The plain words come from the controllers (``describe_sign_in_error``, ``describe_save_error``);
unexpected exceptions go to the crash reporter (``skydesk.ui.crash_dialog``), whose dialog offers
"Copy details".
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from skydesk.ui.common import name_widget

log = logging.getLogger(__name__)


class ErrorPresenter(QObject):
    """Shows a problem to the user the way its kind deserves."""

    def __init__(self, window: QWidget, status_bar: QStatusBar | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._status_bar = status_bar

    def transient(self, message: str, timeout_ms: int = 10_000) -> None:
        """Show a passing problem (network hiccup, server busy) in the status bar."""
        log.info("transient problem shown to the user: %s", message)
        if self._status_bar is not None:
            self._status_bar.showMessage(message, timeout_ms)

    def expected(self, title: str, message: str) -> QMessageBox:
        """Explain an expected error in plain words, in a window-modal box that does not block the loop."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.NoButton)
        box.setParent(self._window, box.windowFlags())
        close = box.addButton(QMessageBox.StandardButton.Close)
        name_widget(close, close.text())
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box
