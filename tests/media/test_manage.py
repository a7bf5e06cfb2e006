"""Editing metadata, adding by drop, previews of other types opened with the system viewer, zoom and pan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QObject, QPoint, QPointF, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QDropEvent, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication

from skydesk.models.media_transfers import DONE
from skydesk.ui.media_dialogs import MediaFieldsDialog
from skydesk.ui.media_preview import MediaPreviewDialog
from skydesk.ui.media_tab import MediaTab
from tests.media.helpers import add_media, file_sha, new_session, sha
from tests.support.qt import wait_until


async def _tab(services: Any, app_id: str, sid: str, qtbot: Any) -> MediaTab:
    tab = MediaTab(services.media)
    qtbot.addWidget(tab)
    tab.show()
    services.media.open(app_id, sid)
    await wait_until(lambda: services.ops.busy("media.list") == 0 and services.media.model.rowCount() > 0, 60)
    return tab


def _open_dialog() -> MediaFieldsDialog | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, MediaFieldsDialog) and w.isVisible()]
    return found[0] if found else None


async def test_edit_metadata_reaches_the_server(services: Any, tech: Any, app_id: str, qtbot: Any) -> None:
    sid = await new_session(tech, app_id)
    media = await add_media(tech, app_id, sid, "valve.png", labels=("before",))
    tab = await _tab(services, app_id, sid, qtbot)
    tab.table.selectRow(0)
    tab.buttons["edit"].trigger()
    dialog = await wait_until(_open_dialog, what="edit dialog")
    assert dialog.labels_edit.text() == "before"
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # nothing changed yet
    dialog.title_field.set_text("Valve, north side")
    dialog.description_field.set_text("Leaking at the flange")
    dialog.labels_edit.setText("after, leak")
    dialog.properties.set_properties({"angle": "left"})
    dialog._on_changed()
    assert ok.isEnabled()
    ok.click()
    await wait_until(lambda: services.media.model.items[0].title == "Valve, north side", 60, what="row")
    saved = await tech.get_session_media(app_id, sid, media.media_id)
    assert (saved.title, saved.description, saved.labels, saved.properties) == (
        "Valve, north side",
        "Leaking at the flange",
        ("after", "leak"),
        {"angle": "left"},
    )


async def test_a_dropped_file_opens_the_add_form(
    services: Any, tech: Any, app_id: str, tmp_path: Path, qtbot: Any
) -> None:
    sid = await new_session(tech, app_id)
    await add_media(tech, app_id, sid, "x.png")
    tab = await _tab(services, app_id, sid, qtbot)
    dropped = tmp_path / "notes.txt"
    dropped.write_text("pressure 8 bar\n")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(dropped))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    tab.dropEvent(event)
    dialog = await wait_until(_open_dialog, what="add dialog")
    assert dialog.path == dropped and dialog.content_type == "text/plain"
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    transfer = await wait_until(lambda: services.media.transfers and services.media.transfers[-1])
    await wait_until(lambda: transfer.state == DONE, 30, what=transfer.summary())
    names = [m.filename for m in (await tech.list_session_media(app_id, sid)).items]
    assert names == ["x.png", "notes.txt"]


class _Viewer(QObject):
    """Stands in for the desktop's file viewer: records what it was asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def show(self, url: QUrl) -> None:
        self.opened.append(url.toLocalFile())


async def test_other_types_show_metadata_and_open_with_the_system_viewer(
    services: Any, tech: Any, app_id: str, qtbot: Any
) -> None:
    sid = await new_session(tech, app_id)
    await add_media(tech, app_id, sid, "report.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    tab = await _tab(services, app_id, sid, qtbot)
    viewer = _Viewer()
    QDesktopServices.setUrlHandler("file", viewer, "show")
    try:
        tab.table.selectRow(0)
        tab.buttons["preview"].trigger()
        preview = tab.preview
        assert preview is not None and not preview.view.isVisibleTo(preview)
        labels = [w.text() for w in preview.findChildren(type(preview.status))]
        assert "report.pdf" in labels and "application/pdf" in labels
        preview.open_button.click()
        await wait_until(lambda: viewer.opened, 60, what="the viewer was asked to open the file")
        opened = Path(viewer.opened[0])
        assert opened.name == "report.pdf" and file_sha(opened) == sha(b"%PDF-1.4 test")
    finally:
        QDesktopServices.unsetUrlHandler("file")


async def test_zoom_and_pan(qtbot: Any, dispatch: Any) -> None:
    from tests.media.conftest import annotated_media

    media = await annotated_media(dispatch)
    image = QImage(640, 480, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkGreen)
    dialog = MediaPreviewDialog(media)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_image(image)
    view = dialog.view
    await wait_until(lambda: view.viewport().width() > 300, what="dialog laid out")
    fitted = view.zoom
    assert fitted < 1.5  # 640 pixels fit the view
    view.wheelEvent(
        QWheelEvent(QPointF(50, 50), QPointF(50, 50), QPoint(), QPoint(0, 480), Qt.MouseButton.NoButton,
                    Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    )  # fmt: skip
    assert abs(view.zoom - fitted * 1.25**4) < 1e-6  # four wheel notches in: 2.4 times the fitted size
    bar = view.horizontalScrollBar()
    await wait_until(lambda: bar.maximum() > 0, what="larger than the view now: it can be panned")
    before = bar.value()
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(200, 200))
    qtbot.mouseMove(view.viewport(), QPoint(100, 200))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(100, 200))
    assert bar.value() != before  # dragging pans
    dialog.view.actual_size()
    assert view.zoom == 1.0
