"""Style icons drawn in the theme's text colour, so they read on the light and the dark palette alike."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication


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
