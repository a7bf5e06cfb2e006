"""Tinted style icons: inked from the raw pixels, exactly as a pixel-by-pixel QColor reading draws them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QStyle

from skydesk.ui import tinted


def _reference_ink(shape: QPixmap, color: QColor) -> QImage:
    """The rule, read through QImage.pixelColor (the way the app first drew it, slowly)."""
    image = shape.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    width, height = image.width(), image.height()
    alpha = [[image.pixelColor(x, y).alpha() for x in range(width)] for y in range(height)]
    edge = max(1, round(shape.devicePixelRatio()))
    out = QImage(image.size(), QImage.Format.Format_ARGB32)
    out.fill(Qt.GlobalColor.transparent)

    def outside(x: int, y: int) -> bool:
        return not (0 <= x < width and 0 <= y < height) or alpha[y][x] < 128

    for y in range(height):
        for x in range(width):
            a = alpha[y][x]
            if not a:
                continue
            ink = min(1.0, max(0.0, (1.0 - image.pixelColor(x, y).lightnessF() - 0.3) * 6.0))
            steps = [(d, 0) for d in range(1, edge + 1)] + [(0, d) for d in range(1, edge + 1)]
            if a >= 128 and any(outside(x + dx, y + dy) or outside(x - dx, y - dy) for dx, dy in steps):
                ink = 1.0
            if int(a * ink):
                out.setPixelColor(x, y, QColor(color.red(), color.green(), color.blue(), int(a * ink)))
    return out


def test_inked_icons_match_the_pixel_by_pixel_rule(qapp: Any) -> None:
    style = qapp.style()
    icons = [
        QStyle.StandardPixmap.SP_FileIcon,
        QStyle.StandardPixmap.SP_BrowserReload,
        QStyle.StandardPixmap.SP_DialogCancelButton,
        QStyle.StandardPixmap.SP_DialogSaveButton,
        QStyle.StandardPixmap.SP_TrashIcon,
    ]
    compared = 0
    for which in icons:
        icon = style.standardIcon(which)
        for size, scale in ((16, 1.0), (24, 1.0), (16, 2.0)):
            shape = icon.pixmap(QSize(size, size), scale)
            if shape.isNull():
                continue
            for color in (QColor("#1e1e1e"), QColor("#f0f0f0"), QColor(10, 120, 200)):
                inked = tinted._ink(shape, color)
                assert inked.devicePixelRatio() == shape.devicePixelRatio()
                expected = QPixmap.fromImage(_reference_ink(shape, color)).toImage()
                assert inked.toImage() == expected, (which, size, scale, color.name())
                compared += 1
    assert compared >= 20


def test_the_same_shape_is_inked_once_for_every_window(qapp: Any) -> None:
    # Each window has its own QIcon, so Qt's pixmap cache keys differ; the pixels do not.
    first = qapp.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon).pixmap(16, 1.0)
    second = qapp.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon).pixmap(16, 1.0)
    color = QColor("#202020")
    assert tinted._ink(first, color).cacheKey() == tinted._ink(second, color).cacheKey()
