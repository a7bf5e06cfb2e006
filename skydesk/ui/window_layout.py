"""The main window's size and layout: a default in font units, and what is restored on the next start."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QByteArray
    from PySide6.QtWidgets import QSplitter

    from skydesk.ui.main_window import MainWindow


def default_size(window: MainWindow) -> tuple[int, int]:
    """A size in font units (200 % scaling or a large font gets a larger window), within the screen."""
    em = window.fontMetrics().horizontalAdvance("M")
    width, height = em * 128, em * 80
    screen = window.screen()
    if screen is not None:
        available = screen.availableGeometry()
        width = min(width, int(available.width() * 0.92))
        height = min(height, int(available.height() * 0.92))
    return width, height


def apply_size(window: MainWindow, width: int, height: int) -> None:
    """Resize the window and share the space between the panes in their usual proportions."""
    window.resize(width, height)
    share_panes(window, width, height)


def share_panes(window: MainWindow, width: int, height: int) -> None:
    """Share a ``width`` x ``height`` window between the workspace's panes in their usual proportions."""
    em = window.fontMetrics().horizontalAdvance("M")
    main_width = width - 24
    window.workspace.main_splitter.setSizes([main_width * 57 // 100, main_width * 43 // 100])
    side_height = height - em * 8
    window.workspace.side_splitter.setSizes([side_height * 78 // 100, side_height * 22 // 100])


def restore_layout(window: MainWindow) -> None:
    """Window geometry, toolbar state, splitter positions and hidden columns from the last run."""
    restore_window(window)
    restore_workspace(window)


def restore_window(window: MainWindow) -> None:
    """Window geometry and toolbar state (a dock made later takes its state from ``restoreDockWidget``)."""
    settings = window.settings
    if settings.window_geometry:
        window.restoreGeometry(_decode(settings.window_geometry))
    if settings.window_state:
        window.restoreState(_decode(settings.window_state))


def restore_workspace(window: MainWindow) -> None:
    """Splitter positions and hidden columns."""
    settings = window.settings
    for name, splitter in _splitters(window).items():
        state = settings.splitters.get(name)
        if state:
            splitter.restoreState(_decode(state))
    window.workspace.sessions.set_hidden_columns(settings.hidden_columns)


def save_layout(window: MainWindow) -> None:
    """Record the layout in the settings (app.py saves the file during shutdown)."""
    settings = window.settings
    settings.window_geometry = _encode(window.saveGeometry())
    settings.window_state = _encode(window.saveState())
    settings.splitters = {name: _encode(s.saveState()) for name, s in _splitters(window).items()}
    settings.hidden_columns = window.workspace.sessions.hidden_columns()


def _splitters(window: MainWindow) -> dict[str, QSplitter]:
    return {"main": window.workspace.main_splitter, "side": window.workspace.side_splitter}


def _encode(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _decode(text: str) -> QByteArray:
    from PySide6.QtCore import QByteArray  # here: a first start has no layout to restore (B1)

    try:
        return QByteArray(base64.b64decode(text.encode("ascii")))
    except ValueError:
        return QByteArray()
