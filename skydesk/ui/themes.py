"""Light, Dark and "Follow system" themes, and icons drawn in the theme's text colour.

"Follow system" reads the desktop's colour scheme where Qt can (``QStyleHints.colorScheme``, Qt 6.5+), and
follows it when it changes; where the desktop says nothing, it is light. The palettes are explicit (on the
Fusion style) so that both themes look the same on every desktop, and the tests can check their contrast.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRect, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QImage, QPainter, QPalette, QPixmap
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


class TintedIconEngine(QIconEngine):
    """Draws a style icon's shape in the current palette's button-text colour, at paint time.

    Style icons are drawn for light backgrounds (Fusion's close ✕ is black); tinting keeps only their
    alpha, so every icon reads on the light and the dark palette alike, and follows a theme switch without
    being set again. Pixmaps are asked for at the device pixel ratio, so scale 2 stays sharp.
    """

    def __init__(self, base: QIcon) -> None:
        super().__init__()
        self._base = base

    def clone(self) -> QIconEngine:
        """A copy for Qt's icon detaching."""
        return TintedIconEngine(self._base)

    def availableSizes(
        self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off
    ) -> list:  # type: ignore[type-arg]
        """The base icon's sizes."""
        return list(self._base.availableSizes(mode, state))

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        """The base icon's size for ``size``."""
        return self._base.actualSize(size, mode, state)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        """The tinted pixmap at scale 1."""
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        """The tinted pixmap at ``scale`` (device pixels = size × scale)."""
        shape = self._base.pixmap(size, scale, QIcon.Mode.Normal, state)
        if shape.isNull():
            return shape
        color = icon_color(mode)
        key = (shape.cacheKey(), color.rgba())
        cached = _TINTED.get(key)
        if cached is None:
            cached = _ink(shape, color)
            if len(_TINTED) > 256:
                _TINTED.clear()
            _TINTED[key] = cached
        return cached

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        """Draw into ``rect`` at the painter's device pixel ratio."""
        scale = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        pixmap = self.scaledPixmap(rect.size(), mode, state, scale)
        painter.drawPixmap(rect, pixmap)


_TINTED: dict[tuple[int, int], QPixmap] = {}


def _ink(shape: QPixmap, color: QColor) -> QPixmap:
    """``shape`` redrawn in ``color``: its outline and dark strokes as ink, its light fills left out.

    Style icons are dark strokes on white or pale fills (a page, a floppy disk's label). Tinting the whole
    shape would give a solid block, and tinting only the dark parts loses a page drawn in pale grey; so a
    pixel is ink where the shape is dark, and along the shape's edge.
    """
    image = shape.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    width, height = image.width(), image.height()
    alpha = [[image.pixelColor(x, y).alpha() for x in range(width)] for y in range(height)]
    edge_width = max(1, round(shape.devicePixelRatio()))
    out = QImage(image.size(), QImage.Format.Format_ARGB32)
    out.fill(Qt.GlobalColor.transparent)
    r, g, b = color.red(), color.green(), color.blue()

    def outside(x: int, y: int) -> bool:
        return not (0 <= x < width and 0 <= y < height) or alpha[y][x] < 128

    for y in range(height):
        for x in range(width):
            a = alpha[y][x]
            if not a:
                continue
            darkness = 1.0 - image.pixelColor(x, y).lightnessF()
            ink = min(1.0, max(0.0, (darkness - 0.3) * 6.0))  # crisp: pale fills out, strokes full
            if a >= 128 and any(
                outside(x + dx, y + dy)
                for d in range(1, edge_width + 1)
                for dx, dy in ((d, 0), (-d, 0), (0, d), (0, -d))
            ):
                ink = 1.0
            value = int(a * ink)
            if value:
                out.setPixelColor(x, y, QColor(r, g, b, value))
    tinted = QPixmap.fromImage(out)
    tinted.setDevicePixelRatio(shape.devicePixelRatio())
    return tinted


def icon_color(mode: QIcon.Mode = QIcon.Mode.Normal) -> QColor:
    """The colour icons are drawn in for ``mode`` (disabled icons use the disabled text colour)."""
    palette = QApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorRole.ButtonText)


def tinted(icon: QIcon) -> QIcon:
    """``icon`` drawn in the theme's text colour (see TintedIconEngine)."""
    return QIcon(TintedIconEngine(icon))
