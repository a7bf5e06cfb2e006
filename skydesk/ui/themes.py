"""Light, Dark and "Follow system" themes (icons drawn in the theme's text colour are in tinted.py).

"Follow system" reads the desktop's colour scheme where Qt can (``QStyleHints.colorScheme``, Qt 6.5+), and
follows it when it changes; where the desktop says nothing, it goes by whether the desktop's palette is dark.
Dark is an explicit palette on the Fusion style, so that it looks the same on every desktop and the tests can
check its contrast; Light is the desktop's own look (see ThemeManager).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from skydesk.ui.common import palette_is_dark

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

LIGHT, DARK, SYSTEM = "light", "dark", "system"
THEMES = {LIGHT: "Light", DARK: "Dark", SYSTEM: "Follow system"}

_DARK_COLORS: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.Window: "#2b2d30",
    QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.ToolTipBase: "#3c3f41",
    QPalette.ColorRole.ToolTipText: "#e8e8e8",
    QPalette.ColorRole.PlaceholderText: "#9da0a6",
    QPalette.ColorRole.Text: "#e8e8e8",
    QPalette.ColorRole.Button: "#3a3d41",
    QPalette.ColorRole.ButtonText: "#e8e8e8",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#4a4d52",
    QPalette.ColorRole.Midlight: "#43464a",
    QPalette.ColorRole.Mid: "#34373a",
    QPalette.ColorRole.Dark: "#1a1b1d",
    QPalette.ColorRole.Shadow: "#0d0d0e",
    QPalette.ColorRole.Highlight: "#2f6fd0",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#78aaff",
    QPalette.ColorRole.LinkVisited: "#b58cff",
}
_DARK_DISABLED: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.WindowText: "#9a9da2",
    QPalette.ColorRole.Text: "#9a9da2",
    QPalette.ColorRole.ButtonText: "#9a9da2",
    QPalette.ColorRole.Base: "#26282b",
    QPalette.ColorRole.Button: "#303236",
    QPalette.ColorRole.Highlight: "#4a4d52",
}


def dark_palette() -> QPalette:
    """The dark palette: light text on dark grey, every pair at least 4.5:1 (WCAG AA)."""
    palette = QPalette()
    for role, color in _DARK_COLORS.items():
        palette.setColor(QPalette.ColorGroup.All, role, QColor(color))
    for role, color in _DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(color))
    return palette


def desktop_scheme() -> str:
    """LIGHT or DARK where the desktop says which it prefers (``QStyleHints.colorScheme``), else ''."""
    from PySide6.QtCore import Qt

    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
    return {Qt.ColorScheme.Dark: DARK, Qt.ColorScheme.Light: LIGHT}.get(scheme, "")


class ThemeManager(QObject):
    """Applies a theme to the application and, for "Follow system", re-applies it when the desktop changes.

    Light keeps the desktop's own style and, where it is a light one, its palette (what any Qt application
    shows there); where the desktop's palette is dark, Light uses the style's standard palette. Dark uses
    Fusion, whose drawing the dark palette was checked on (native styles such as Windows' ignore a palette in
    places).

    The first window asks before it paints (``apply_first``), when asking Qt for the colour scheme would cost
    the start Qt's namespace of enums and asking for the style its enums too (PySide builds them on first
    use: 20-45 ms and 14 ms, benchmark B1). Follow system is then decided by the desktop's palette, which
    Qt makes dark where the desktop's scheme is; once the window is attached, the workstation hooks
    ``apply()`` the theme, which asks Qt for the scheme itself, so the rare case where the two disagree is
    settled then.
    """

    def __init__(self, app: QApplication, parent: QObject | None = None) -> None:
        super().__init__(parent or app)
        self._app = app
        self._mode = SYSTEM
        self._dark = False
        self._native = ""  # the desktop's style, read before the first change of style
        self._palette_set = False  # whether this manager has set the application's palette
        self._desktop_dark = False  # whether the desktop's palette was dark (read before the first change)
        hints = QGuiApplication.styleHints()
        if hints is not None:
            hints.colorSchemeChanged.connect(self._on_color_scheme_changed)

    @property
    def mode(self) -> str:
        """'light', 'dark' or 'system'."""
        return self._mode

    @property
    def dark(self) -> bool:
        """Whether the dark palette is in use now."""
        return self._dark

    def apply(self, mode: str) -> None:
        """Use ``mode`` ('light', 'dark' or 'system'; anything else counts as 'system')."""
        self._mode = mode if mode in THEMES else SYSTEM
        self._show(self._mode == DARK or (self._mode == SYSTEM and self._system_dark()))

    def apply_first(self, mode: str) -> None:
        """``apply`` for a window about to paint: Follow system goes by the desktop's palette (see above)."""
        self._mode = mode if mode in THEMES else SYSTEM
        self._show(self._mode == DARK or (self._mode == SYSTEM and self._desktop_palette_dark()))

    def _system_dark(self) -> bool:
        """Follow system's answer: the desktop's colour scheme, else whether its palette is dark."""
        scheme = desktop_scheme()
        return scheme == DARK if scheme else self._desktop_palette_dark()

    def _desktop_palette_dark(self) -> bool:
        return self._desktop_dark if self._palette_set else palette_is_dark(self._app.palette())

    def _show(self, dark: bool) -> None:
        self._dark = dark
        if dark:
            self._use_style("fusion")
            self._set_palette(dark_palette())
            return
        if self._native:
            self._use_style(self._native)
        if self._palette_set:
            self._app.setPalette(QPalette())  # an empty palette: the desktop's own again
            self._palette_set = False
        if palette_is_dark(self._app.palette()):  # Light asked for on a dark desktop
            self._set_palette(self._app.style().standardPalette())

    def _use_style(self, name: str) -> None:
        current = self._app.style().name()
        self._native = self._native or current
        if current.lower() != name.lower():
            style = QStyleFactory.create(name)
            if style is not None:
                self._app.setStyle(style)

    def _set_palette(self, palette: QPalette) -> None:
        if not self._palette_set:
            self._desktop_dark = palette_is_dark(self._app.palette())
        self._app.setPalette(palette)
        self._palette_set = True

    def _on_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._mode == SYSTEM:
            self.apply(SYSTEM)


def theme_manager() -> ThemeManager:
    """The application's one ThemeManager (made on first use)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    manager = app.findChild(ThemeManager, "skydeskThemes")
    if manager is None:
        manager = ThemeManager(app)
        manager.setObjectName("skydeskThemes")
    return manager
