"""The dialog for unexpected exceptions: what happened, the details, "Copy details"; the app keeps running."""

from __future__ import annotations

import html
import logging
import platform
from collections.abc import Callable
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Qt, Signal, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from skydesk import __version__
from skydesk.core.logs import add_crash_listener, current_log_file, describe_exception

log = logging.getLogger(__name__)

# An error raised on every repaint would otherwise grow the details without bound.
MAX_REPORTS = 20


def environment_summary() -> str:
    """One line naming the versions a bug report needs."""
    return (
        f"skydesk {__version__}, Python {platform.python_version()}, Qt {qVersion()}, "
        f"PySide6 {pyside_version}, {platform.platform()}"
    )


class CrashDialog(QDialog):
    """Tells the user an unexpected error happened, with collapsible details and "Copy details"."""

    def __init__(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._reports: list[str] = []
        self._extra = 0
        self._setup_ui()
        summary, details = describe_exception(exc_type, exc, tb)
        self.summary_label.setText(summary)
        self.add_exception(exc_type, exc, tb, _details=details)

    def _setup_ui(self) -> None:
        self.setWindowTitle("skydesk – unexpected error")
        self.setObjectName("CrashDialog")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setMinimumWidth(480)

        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        headline = QLabel("<b>Something went wrong.</b>")
        log_file = current_log_file()
        where = (
            f" It was written to the log file:<br><code>{html.escape(str(log_file))}</code>"
            if log_file
            else ""
        )
        explanation = QLabel(
            "skydesk hit an unexpected error and carried on, but what you were doing may not have "
            f"completed.{where}<br>If it happens again, please send the details to the developers."
        )
        explanation.setWordWrap(True)
        explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more_label = QLabel()
        self.more_label.hide()

        text = QVBoxLayout()
        for widget in (headline, explanation, self.summary_label, self.more_label):
            text.addWidget(widget)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)

        self.details_view = QPlainTextEdit()
        self.details_view.setReadOnly(True)
        self.details_view.setAccessibleName("Error details")
        self.details_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details_view.setMinimumHeight(220)
        self.details_view.hide()

        buttons = QDialogButtonBox()
        self.details_button = QPushButton("Show &details")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._on_details_toggled)
        self.copy_button = QPushButton("&Copy details")
        self.copy_button.clicked.connect(self.copy_details)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details_view, 1)
        layout.addWidget(buttons)
        self.close_button.setFocus()

    @property
    def details(self) -> str:
        """Everything "Copy details" puts on the clipboard (already redacted)."""
        return self.details_view.toPlainText()

    def add_exception(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
        *,
        _details: str | None = None,
    ) -> None:
        """Append another exception's traceback (further errors while the dialog is open)."""
        if len(self._reports) >= MAX_REPORTS:
            self._extra += 1
        else:
            self._reports.append(
                _details if _details is not None else describe_exception(exc_type, exc, tb)[1]
            )
        count = len(self._reports) + self._extra
        if count > 1:
            self.more_label.setText(f"{count - 1} more error(s) happened since; see the details.")
            self.more_label.show()
        parts = [environment_summary(), *self._reports]
        if self._extra:
            parts.append(f"... and {self._extra} more not shown.")
        self.details_view.setPlainText("\n\n".join(parts))

    def copy_details(self) -> None:
        """Put the details on the clipboard, and say so on the button."""
        QGuiApplication.clipboard().setText(self.details)
        self.copy_button.setText("Copied")

    def _on_details_toggled(self, shown: bool) -> None:
        self.details_view.setVisible(shown)
        self.details_button.setText("Hide &details" if shown else "Show &details")
        self.adjustSize()


class CrashReporter(QObject):
    """Shows exceptions from any thread in one crash dialog on the GUI thread (create it on that thread)."""

    _crashed = Signal(object, object, object)

    def __init__(self, window_provider: Callable[[], QWidget | None] | None = None) -> None:
        super().__init__()
        self._window_provider = window_provider or QApplication.activeWindow
        self.dialog: CrashDialog | None = None
        self._showing = False
        # Queued even on the GUI thread: the dialog opens from the event loop, not inside the failing code.
        self._crashed.connect(self._on_crashed, Qt.ConnectionType.QueuedConnection)
        self._remove = add_crash_listener(self._report)

    def uninstall(self) -> None:
        """Stop showing dialogs (exceptions are still logged)."""
        self._remove()

    def _report(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        # Runs on the failing thread: only hand plain objects over to the GUI thread.
        self._crashed.emit(exc_type, exc, tb)

    def _on_crashed(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if self._showing:  # the dialog itself failed; don't loop through the hook
            return
        self._showing = True
        try:
            if self.dialog is not None and self.dialog.isVisible():
                self.dialog.add_exception(exc_type, exc, tb)
            else:
                self.dialog = CrashDialog(exc_type, exc, tb, self._window_provider())
                self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                self.dialog.destroyed.connect(self._on_dialog_destroyed)
                self.dialog.show()
            self.dialog.raise_()
        except Exception:
            log.exception("Could not show the crash dialog; giving up on dialogs for this run")
            self.uninstall()
        finally:
            self._showing = False

    def _on_dialog_destroyed(self) -> None:
        self.dialog = None


def install_crash_dialog(window_provider: Callable[[], QWidget | None] | None = None) -> CrashReporter:
    """Show a :class:`CrashDialog` for every unexpected exception; keep a reference to the result."""
    return CrashReporter(window_provider)
