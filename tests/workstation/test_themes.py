"""Themes: Light, Dark and Follow system; every toolbar and pane icon checked by its pixels in dark."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractButton, QApplication, QStyle, QWidget

from skydesk.ui.common import standard_icon
from skydesk.ui.themes import DARK, LIGHT, SYSTEM, ThemeManager, dark_palette, theme_manager
from tests.gui.helpers import signed_in_window
from tests.support.qt import wait_until

MIN_CONTRAST = 3.0  # WCAG's minimum for graphical objects (1.4.11)


def luminance(color: QColor) -> float:
    """WCAG relative luminance."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.fixture
def themes(qapp: QApplication) -> Iterator[ThemeManager]:
    manager = theme_manager()  # the one the window's View > Theme uses too
    yield manager
    manager.apply(LIGHT)


def icon_pixels(button: QAbstractButton) -> tuple[int, int]:
    """(icon pixels, of which legible): the button drawn with its icon and with a blank one, compared.

    Pixels that differ belong to the icon; each is compared with what is behind it without the icon.
    """
    with_icon = button.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    icon = button.icon()
    blank = QPixmap(button.iconSize() * 2)
    blank.fill(Qt.GlobalColor.transparent)
    button.setIcon(QIcon(blank))
    try:
        without = button.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    finally:
        button.setIcon(icon)
    total = legible = 0
    for y in range(with_icon.height()):
        for x in range(with_icon.width()):
            fg, bg = with_icon.pixelColor(x, y), without.pixelColor(x, y)
            if fg != bg:
                total += 1
                legible += contrast(fg, bg) >= MIN_CONTRAST
    return total, legible


def icon_buttons(root: QWidget) -> list[QAbstractButton]:
    """Every button with an icon under ``root`` (toolbar buttons and the panes' buttons)."""
    return [b for b in root.findChildren(QAbstractButton) if not b.icon().isNull() and b.text()]


def test_dark_palette_text_pairs_are_readable() -> None:
    palette = dark_palette()
    role = palette.ColorRole
    for fg, bg in ((role.WindowText, role.Window), (role.Text, role.Base), (role.ButtonText, role.Button)):
        assert contrast(palette.color(fg), palette.color(bg)) >= 4.5, (fg, bg)
    assert contrast(palette.color(role.HighlightedText), palette.color(role.Highlight)) >= 4.5


async def test_every_toolbar_and_pane_icon_is_legible_in_dark(
    themes: ThemeManager, make_window: Any, sandbox: Any
) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    window.workstation.set_theme(DARK)  # View > Theme > Dark
    window.workspace.sessions.table.selectRow(0)
    detail = window.services.detail
    await wait_until(lambda: detail.session is not None, 15, what="the session's details")
    buttons = icon_buttons(window.toolbar)
    buttons += icon_buttons(window.workspace)
    names = {b.accessibleName() for b in buttons}
    assert {"New session", "Refresh", "Close session…", "Save"} <= names, names
    for button in buttons:
        total, legible = icon_pixels(button)
        assert total >= 10, f"{button.accessibleName()}: no icon drawn"
        where = type(button.parentWidget()).__name__
        assert legible >= total * 0.3, f"{button.accessibleName()} in {where}: {legible}/{total} legible"


def test_an_untinted_black_icon_fails_the_same_check(themes: ThemeManager, qapp: QApplication) -> None:
    # The check must be able to fail: Fusion's own close icon (black ✕) on a dark button.
    from PySide6.QtWidgets import QPushButton

    themes.apply(DARK)
    button = QPushButton("Close session…")
    button.setIcon(qapp.style().standardIcon(QStyle.StandardPixmap.SP_DialogCloseButton))
    button.resize(button.sizeHint())
    total, legible = icon_pixels(button)
    assert total >= 10 and legible < total * 0.3
    button.setIcon(standard_icon(button, QStyle.StandardPixmap.SP_DialogCloseButton))
    total, legible = icon_pixels(button)
    assert legible >= total * 0.3
    button.deleteLater()


def test_follow_system_reads_the_colour_scheme(
    themes: ThemeManager, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The offscreen platform has no desktop scheme: Qt says Unknown, its palette is light, and so is the app.
    assert qapp.styleHints().colorScheme() == Qt.ColorScheme.Unknown
    themes.apply(SYSTEM)
    assert not themes.dark
    desktop_window = qapp.palette().color(qapp.palette().ColorRole.Window)
    # A desktop that says dark (what QStyleHints reports on GNOME/KDE/Windows/macOS), then switches.
    scheme = {"now": DARK}
    monkeypatch.setattr("skydesk.ui.themes.desktop_scheme", lambda: scheme["now"])
    themes.apply(SYSTEM)
    window_color = qapp.palette().color(qapp.palette().ColorRole.Window)
    assert themes.dark and window_color == dark_palette().color(dark_palette().ColorRole.Window)
    scheme["now"] = LIGHT
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not themes.dark
    assert qapp.palette().color(qapp.palette().ColorRole.Window) == desktop_window  # the desktop's own again
    themes.apply(LIGHT)  # an explicit choice ignores the desktop
    scheme["now"] = DARK
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not themes.dark


def test_follow_system_without_a_scheme_goes_by_the_desktop_palette(
    themes: ThemeManager, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A desktop that gives Qt a dark palette but no colour scheme (e.g. a dark palette chosen in qt6ct). The
    # offscreen platform's own palette cannot be changed, so the palette is the one a new manager finds.
    monkeypatch.setattr("skydesk.ui.themes.desktop_scheme", lambda: "")
    themes.apply(LIGHT)
    light_desktop = QPalette(qapp.palette())
    desktop = dark_palette()
    desktop.setColor(QPalette.ColorGroup.All, QPalette.ColorRole.Window, QColor("#101010"))
    qapp.setPalette(desktop)
    manager = ThemeManager(qapp)
    try:
        manager.apply_first(SYSTEM)
        assert manager.dark and qapp.palette() == dark_palette()
        manager.apply(SYSTEM)  # asked again with our palette set: the desktop's is remembered
        assert manager.dark
    finally:
        manager.setParent(None)
        qapp.setPalette(QPalette())
    themes.apply(SYSTEM)
    assert not themes.dark and qapp.palette() == light_desktop  # a light desktop keeps its own palette


def test_the_first_window_decides_by_the_palette_and_attach_asks_the_scheme(
    themes: ThemeManager, qapp: QApplication, monkeypatch: pytest.MonkeyPatch, make_window: Any
) -> None:
    # Before the first paint Qt's colour scheme is not asked (B1): the desktop's light palette decides.
    asked: list[str] = []
    scheme = {"now": DARK}  # a desktop whose scheme is dark while its palette is light

    def desktop_scheme() -> str:
        asked.append(scheme["now"])
        return scheme["now"]

    monkeypatch.setattr("skydesk.ui.themes.desktop_scheme", desktop_scheme)
    themes.apply_first(SYSTEM)
    assert not themes.dark and asked == []
    themes.apply_first(DARK)  # an explicit choice needs no asking
    assert themes.dark and asked == []
    themes.apply(LIGHT)
    # A window, once attached, applies its theme (Follow system by default) and so asks: dark it is.
    make_window()
    assert asked and themes.dark


def test_a_first_window_reaches_neither_qt_namespace_nor_qstyle(tmp_path: Any) -> None:
    """The sign-in window a start shows is built and painted without Qt's namespace, QStyle or QIcon.

    PySide builds a class's enums the first time the class is reached: Qt's namespace costs 20-45 ms of a
    cold start, QStyle 14 ms, QIcon 3 ms (B1). A fresh process shows the window (as ``skydesk`` would, by
    ``skydesk.app.main``) and reports which of them PySide's modules hold once it has painted.
    """
    import json
    import os
    import subprocess
    import sys

    script = f"""
import json, os, sys
from PySide6.QtWidgets import QApplication
import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets
import skydesk.ui.first_paint as first_paint

def report(window):
    built = {{"Qt": "Qt" in vars(PySide6.QtCore), "QStyle": "QStyle" in vars(PySide6.QtWidgets),
             "QIcon": "QIcon" in vars(PySide6.QtGui), "shown": window.showing_sign_in()}}
    print(json.dumps(built), flush=True)
    os._exit(0)

finished = first_paint.FirstPaint._finished

def finished_then_report(self):
    finished(self)
    report(self._window)

first_paint.FirstPaint._finished = finished_then_report
app = QApplication(sys.argv[:1])
from skydesk.app import main
main(["--settings-file", {str(tmp_path / "settings.json")!r}])
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    built = json.loads(done.stdout.strip().splitlines()[-1])
    assert built == {"Qt": False, "QStyle": False, "QIcon": False, "shown": True}


def test_icons_stay_sharp_at_scale_two(qapp: QApplication) -> None:
    widget = QWidget()
    icon = standard_icon(widget, QStyle.StandardPixmap.SP_BrowserReload)
    pixmap = icon.pixmap(QSize(16, 16), 2.0)
    assert pixmap.devicePixelRatio() == 2.0 and pixmap.size() == QSize(32, 32)  # drawn at 32 px, not scaled
    widget.deleteLater()
