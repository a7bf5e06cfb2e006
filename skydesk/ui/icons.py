"""Small drawn icons (user, group, guest) in the palette's text colour, so they suit light and dark themes."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

_SIZES = (16, 24, 32, 48, 64)


def _draw_person(painter: QPainter, cx: float, top: float, scale: float) -> None:
    head = 0.18 * scale
    painter.drawEllipse(QPointF(cx, top + head), head, head)
    body = QRectF(cx - 0.3 * scale, top + 2.3 * head, 0.6 * scale, 0.62 * scale)
    painter.drawPie(body, 0, 180 * 16)


@lru_cache(maxsize=16)
def participant_icon(kind: str, color_name: str) -> QIcon:
    """A silhouette of one person (``user``) or two (``group``) in ``color_name``."""
    icon = QIcon()
    color = QColor(color_name)
    for size in _SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        if kind == "group":
            faded = QColor(color)
            faded.setAlphaF(0.55)
            painter.setBrush(faded)
            _draw_person(painter, size * 0.66, size * 0.08, size * 0.8)
            painter.setBrush(color)
            _draw_person(painter, size * 0.38, size * 0.2, size * 0.8)
        else:
            painter.setBrush(color)
            _draw_person(painter, size * 0.5, size * 0.1, size)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
