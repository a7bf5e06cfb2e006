"""Themes: Light, Dark and Follow system; every toolbar and pane icon checked by its pixels in dark."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
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
    # The offscreen platform has no desktop scheme: Qt says Unknown, and the app is light.
    assert qapp.styleHints().colorScheme() == Qt.ColorScheme.Unknown
    themes.apply(SYSTEM)
    assert not themes.dark
    # A desktop that says dark (what QStyleHints reports on GNOME/KDE/Windows/macOS), then switches.
    scheme = {"dark": True}
    monkeypatch.setattr("skydesk.ui.themes.system_prefers_dark", lambda: scheme["dark"])
    themes.apply(SYSTEM)
    window_color = qapp.palette().color(qapp.palette().ColorRole.Window)
    assert themes.dark and window_color == dark_palette().color(dark_palette().ColorRole.Window)
    scheme["dark"] = False
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not themes.dark
    themes.apply(LIGHT)  # an explicit choice ignores the desktop
    scheme["dark"] = True
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not themes.dark


def test_icons_stay_sharp_at_scale_two(qapp: QApplication) -> None:
    widget = QWidget()
    icon = standard_icon(widget, QStyle.StandardPixmap.SP_BrowserReload)
    pixmap = icon.pixmap(QSize(16, 16), 2.0)
    assert pixmap.devicePixelRatio() == 2.0 and pixmap.size() == QSize(32, 32)  # drawn at 32 px, not scaled
    widget.deleteLater()
