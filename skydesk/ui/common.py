"""Small helpers shared by the widgets: accessible names, palette-aware colours, dates, confirmations."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QToolButton, QToolTip, QWidget

# Message boxes and tinted style icons are imported where they are made: the sign-in page that start-up
# shows first needs neither (each Qt class costs milliseconds the first time it is reached).
if TYPE_CHECKING:
    from datetime import datetime

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QMessageBox, QStyle


def plain_label(text: str) -> str:
    """A visible label without its mnemonic '&' and trailing colon (what a screen reader should say)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(":").strip()


#: What a one-line field without a contract limit of its own holds (URLs, paths, search text). Qt's default,
#: 32,767 characters, cost 100-300 ms of frozen window to lay out when 10 MB were pasted.
LINE_MAX = 4096


def above(limit: int) -> int:
    """A bound well above a contract limit: room to be told "too long" by the field, never megabytes."""
    return max(2 * limit, limit + 1000)


def bound_line(edit: QLineEdit, limit: int = LINE_MAX) -> QLineEdit:
    """Let ``edit`` hold at most ``limit`` characters: a longer paste is cut there at once (no stall), and
    an edit that reaches the limit says so next to the field, naming it."""
    edit.setMaxLength(limit)
    edit.textEdited.connect(lambda text: _say_when_full(edit, text))
    return edit


def _say_when_full(edit: QLineEdit, text: str) -> None:
    limit = edit.maxLength()
    if len(text) >= limit:
        name = plain_label(edit.accessibleName()) or "This field"
        message = f"{name} holds at most {limit:,} characters; the rest was not taken."
        QToolTip.showText(edit.mapToGlobal(QPoint(0, edit.height())), message, edit)


def name_widget(widget: QWidget, label: str) -> QWidget:
    """Give ``widget`` the accessible name a user sees next to it, and return it."""
    widget.setAccessibleName(plain_label(label))
    return widget


def fit_title(dialog: QWidget, extra_em: int = 10) -> None:
    """Make ``dialog`` wide enough that the window manager never cuts its title ("Add p… cipant")."""
    metrics = dialog.fontMetrics()
    # Title bars use a bolder, often larger font, and keep room for their buttons: allow for both.
    title = math.ceil(metrics.horizontalAdvance(dialog.windowTitle()) * 1.25)
    needed = title + metrics.horizontalAdvance("M") * extra_em
    dialog.setMinimumWidth(max(dialog.minimumWidth(), needed))


def add_clear_button(edit: QLineEdit) -> None:
    """Give ``edit`` Qt's clear button, named for screen readers (Qt leaves the icon button unnamed)."""
    edit.setClearButtonEnabled(True)
    for button in edit.findChildren(QToolButton):
        if button.accessibleName():  # another action's button (e.g. the people picker's), named already
            continue
        button.setAccessibleName("Clear text")
        button.setToolTip("Clear text")


def form_label(text: str, buddy: QWidget) -> QLabel:
    """Create a form label bound to ``buddy`` (mnemonics work) and name ``buddy`` after it."""
    label = QLabel(text)
    label.setBuddy(buddy)
    name_widget(buddy, text)
    return label


def palette_is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` is a dark one (its window colour darker than its text)."""
    role = QPalette.ColorRole
    return palette.color(role.Window).lightness() < palette.color(role.WindowText).lightness()


def is_dark(widget: QWidget | None = None) -> bool:
    """Whether the current palette is a dark one (window colour darker than its text)."""
    return palette_is_dark(widget.palette() if widget is not None else QApplication.palette())


def error_color(widget: QWidget | None = None) -> QColor:
    """A red that stays readable on the system's light or dark palette."""
    return QColor("#ff8a80") if is_dark(widget) else QColor("#c62828")


def set_error_text(label: QLabel, message: str | None) -> None:
    """Show ``message`` in ``label`` in the error colour, or hide the label when there is none."""
    label.setText(message or "")
    if message:
        # Only with a message: a style sheet makes Qt build its style sheet machinery for the label, which
        # the sign-in page paid at every start for a label it shows empty and hidden (B1).
        label.setStyleSheet(f"color: {error_color(label).name()};")
    label.setVisible(bool(message))


def format_dt(value: datetime | None) -> str:
    """Format an aware datetime in the user's local time zone, to the minute."""
    if value is None:
        return "—"
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def standard_icon(widget: QWidget, pixmap: QStyle.StandardPixmap) -> QIcon:
    """An icon from the current style, drawn in the theme's text colour (legible on light and dark)."""
    from skydesk.ui.tinted import tinted

    return tinted(widget.style().standardIcon(pixmap))


def app_icon() -> QIcon:
    """The skydesk icon shipped in ``skydesk.resources`` (an empty icon if the file is missing)."""
    from PySide6.QtGui import QIcon

    # The package's own folder, not importlib.resources: that costs ~3 ms of a cold start to import (B1),
    # and the resources are plain files wherever skydesk runs (a checkout, a wheel, a PyInstaller bundle).
    try:
        import skydesk.resources as shipped
    except ModuleNotFoundError:
        return QIcon()
    path = Path(shipped.__file__ or "").parent / "icons" / "skydesk.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def confirm(
    parent: QWidget,
    title: str,
    text: str,
    confirm_label: str,
    on_confirm: Callable[[], None],
) -> QMessageBox:
    """Ask a yes/no question without blocking the event loop; call ``on_confirm`` only on yes.

    The box is window-modal and opened with ``open()`` rather than ``exec()`` so the asyncio
    work driven by qasync keeps running while it is up.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton(confirm_label, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    name_widget(yes, confirm_label)
    name_widget(cancel, cancel.text())
    box.setDefaultButton(cancel)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _on_finished(_result: int) -> None:
        if box.clickedButton() is yes:
            on_confirm()

    box.finished.connect(_on_finished)
    box.open()
    return box


def open_message(parent: QWidget, title: str, text: str, icon: QIcon) -> QMessageBox:
    """Show an information box with OK, without blocking (``open()``, not ``exec()`` or the static helpers).

    A nested event loop inside a slot keeps running while the app quits around it, and the orderly
    shutdown could delete the parent window under the box.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.NoIcon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setIconPixmap(icon.pixmap(64, 64))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
