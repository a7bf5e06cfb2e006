"""Style icons drawn in the theme's text colour, so they read on the light and the dark palette alike."""

from __future__ import annotations

from array import array
from functools import lru_cache

from PySide6.QtCore import QRect, QSize
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
    # The same shape in the same colour (another window's toolbar, a new session's buttons) is inked once.
    key = (bytes(image.constBits()), image.width(), shape.devicePixelRatio(), color.rgba())
    tinted = _INKED.get(key)
    if tinted is None:
        tinted = _ink_image(image, color, shape.devicePixelRatio())
        if len(_INKED) > 256:
            _INKED.clear()
        _INKED[key] = tinted
    return tinted


_INKED: dict[tuple[bytes, int, float, int], QPixmap] = {}


def _ink_image(image: QImage, color: QColor, ratio: float) -> QPixmap:
    """_ink() of an ARGB32 ``image`` drawn at device pixel ratio ``ratio``."""
    width, height = image.width(), image.height()
    # The pixels as 0xAARRGGBB words (ARGB32 is not premultiplied); reading them through pixelColor()
    # made a QColor per pixel, and inking the toolbar's icons took tens of ms at the first sign-in.
    stride = image.bytesPerLine() // 4
    words = memoryview(image.constBits()).cast("B").cast("I")
    pixels = [words[y * stride : y * stride + width].tolist() for y in range(height)]
    alpha = [[p >> 24 for p in row] for row in pixels]
    edge = max(1, round(ratio))
    # Solid pixels (alpha >= 128), padded with ``edge`` empty ones so neighbours need no bounds checks.
    pad = [False] * edge
    solid = [[False] * (width + 2 * edge) for _ in range(edge)]
    solid += [pad + [a >= 128 for a in row] + pad for row in alpha]
    solid += [[False] * (width + 2 * edge) for _ in range(edge)]
    rgb = color.rgba() & 0xFFFFFF
    out = array("I", bytes(4 * width * height))  # transparent
    for y in range(height):
        sy = y + edge
        for x in range(width):
            a = alpha[y][x]
            if not a:
                continue
            sx = x + edge
            on_edge = a >= 128 and not all(
                solid[sy][sx + d] and solid[sy][sx - d] and solid[sy + d][sx] and solid[sy - d][sx]
                for d in range(1, edge + 1)
            )
            if on_edge:
                ink = 1.0
            else:
                darkness = 1.0 - _lightness(pixels[y][x] & 0xFFFFFF)
                ink = min(1.0, max(0.0, (darkness - 0.3) * 6.0))  # crisp: pale fills out, strokes full
            value = int(a * ink)
            if value:
                out[y * width + x] = value << 24 | rgb
    inked = QImage(out.tobytes(), width, height, 4 * width, QImage.Format.Format_ARGB32)
    tinted = QPixmap.fromImage(inked.copy())  # a copy that owns its pixels
    tinted.setDevicePixelRatio(ratio)
    return tinted


@lru_cache(maxsize=4096)
def _lightness(rgb: int) -> float:
    """HSL lightness of 0xRRGGBB exactly as QColor computes it (an icon has few distinct colours)."""
    return QColor.fromRgb(rgb).lightnessF()


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
