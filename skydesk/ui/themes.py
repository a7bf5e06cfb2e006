"""Light, Dark and "Follow system" themes (icons drawn in the theme's text colour are in tinted.py).

"Follow system" reads the desktop's colour scheme where Qt can (``QStyleHints.colorScheme``, Qt 6.5+), and
follows it when it changes; where the desktop says nothing, it is light. The palettes are explicit (on the
Fusion style) so that both themes look the same on every desktop, and the tests can check their contrast.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

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


def system_prefers_dark() -> bool:
    """Whether the desktop asks for a dark colour scheme (False where Qt cannot tell)."""
    hints = QGuiApplication.styleHints()
    return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark


class ThemeManager(QObject):
    """Applies a theme to the application and, for "Follow system", re-applies it when the desktop changes."""

    def __init__(self, app: QApplication, parent: QObject | None = None) -> None:
        super().__init__(parent or app)
        self._app = app
        self._mode = SYSTEM
        self._dark = False
        # Light keeps the desktop's own style; dark uses Fusion, whose drawing the dark palette was checked on
        # (native styles such as Windows' ignore a palette in places).
        self._native = app.style().name()
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
        dark = self._mode == DARK or (self._mode == SYSTEM and system_prefers_dark())
        self._dark = dark
        wanted = "fusion" if dark else self._native
        if self._app.style().name().lower() != wanted.lower():
            style = QStyleFactory.create(wanted)
            if style is not None:
                self._app.setStyle(style)
        self._app.setPalette(dark_palette() if dark else self._app.style().standardPalette())

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
