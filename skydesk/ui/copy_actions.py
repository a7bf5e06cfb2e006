"""Context-menu actions that copy an id (or ids) to the clipboard, where the view shows a name instead."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QWidget


def copy_action(widget: QWidget, text: str, value: Callable[[], str]) -> QAction:
    """A context-menu action on ``widget`` that copies ``value()`` (e.g. a person's id) to the clipboard."""
    action = QAction(text, widget)
    action.triggered.connect(lambda: QGuiApplication.clipboard().setText(value()))
    widget.addAction(action)
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return action
