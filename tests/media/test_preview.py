"""The preview draws a seeded photo's SVG annotation over it (offscreen), and hides it on request."""

from __future__ import annotations

import io
from typing import Any

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from skydesk.ui.media_preview import MediaPreviewDialog
from tests.media.conftest import annotated_media
from tests.support.qt import wait_until


def _is_magenta(colour: QColor) -> bool:
    return colour.red() > 220 and colour.green() < 50 and colour.blue() > 220


async def test_annotation_is_drawn_over_the_image_and_can_be_hidden(dispatch: Any, qtbot: Any) -> None:
    media = await annotated_media(dispatch)
    buffer = io.BytesIO()
    await dispatch.download_media_content(
        media.application_id, media.session_id, media.media_id, buffer, total_bytes=media.total_bytes
    )
    image = QImage.fromData(buffer.getvalue())
    assert not image.isNull() and (image.width(), image.height()) == (64, 48)

    dialog = MediaPreviewDialog(media)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_image(image)
    view = dialog.view
    await wait_until(lambda: view.viewport().width() > 100)
    view.fit()
    assert view.zoom > 2  # 64 x 48 pixels fill a view several times larger

    # The seeded annotation is a circle (centre 32,24; radius 14; stroke 4) in image pixels.
    on_stroke = [QPointF(46, 24), QPointF(18, 24), QPointF(32, 10), QPointF(32, 38)]
    inside = QPointF(32, 24)  # the circle is not filled: the photo shows through

    def colours() -> list[QColor]:
        shot = view.viewport().grab().toImage()
        return [shot.pixelColor(view.mapFromScene(p)) for p in [*on_stroke, inside]]

    shown = colours()
    assert all(_is_magenta(c) for c in shown[:4]), [c.name() for c in shown]
    assert shown[4] == image.pixelColor(32, 24) or not _is_magenta(shown[4])

    dialog.annotations_box.setChecked(False)  # the toggle hides the drawing
    hidden = colours()
    expected = [image.pixelColor(int(p.x()), int(p.y())) for p in on_stroke]
    assert not any(_is_magenta(c) for c in hidden[:4])
    for got, want in zip(hidden[:4], expected, strict=True):
        assert abs(got.red() - want.red()) < 40 and abs(got.green() - want.green()) < 40
