"""Preview of one media item: an image with zoom, pan and its SVG annotations on top; else its metadata."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtSvgWidgets import QGraphicsSvgItem
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from skydesk.models.media import human_size, upload_state
from skydesk.ui.common import format_dt, name_widget

if TYPE_CHECKING:
    from skydesk.api import Annotation, Media

ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.05, 40.0


class AnnotatedImageView(QGraphicsView):
    """An image with its annotations drawn over it by Qt's SVG renderer; wheel zooms, dragging pans."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._image_item: QGraphicsPixmapItem | None = None
        self.annotation_items: list[QGraphicsSvgItem] = []
        self._renderers: list[QSvgRenderer] = []  # items only borrow their renderer: keep it alive
        self._annotations_visible = True
        self._fitting = True  # follow the view's size until the user zooms
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        name_widget(self, "Image")

    def set_image(self, image: QImage, annotations: Sequence[Annotation] = ()) -> None:
        """Show ``image`` with ``annotations`` (SVG documents sized to the image's pixels)."""
        self._scene.clear()
        self.annotation_items, self._renderers = [], []
        self._image_item = self._scene.addPixmap(QPixmap.fromImage(image))
        bounds = QRectF(0, 0, image.width(), image.height())
        for note in annotations:
            renderer = QSvgRenderer(QByteArray(note.path.encode()))
            if not renderer.isValid():
                continue  # a broken drawing is skipped; the photo still shows
            item = QGraphicsSvgItem()
            item.setSharedRenderer(renderer)
            box = item.boundingRect()
            if box.width() > 0 and box.height() > 0:
                # The drawing covers the whole image whatever its own size says (its viewBox is the image).
                sx, sy = bounds.width() / box.width(), bounds.height() / box.height()
                item.setTransform(item.transform().scale(sx, sy))
            item.setZValue(1)
            item.setVisible(self._annotations_visible)
            self._scene.addItem(item)
            self.annotation_items.append(item)
            self._renderers.append(renderer)
        self._scene.setSceneRect(bounds)
        self.fit()

    def set_annotations_visible(self, visible: bool) -> None:
        """Show or hide every annotation."""
        self._annotations_visible = visible
        for item in self.annotation_items:
            item.setVisible(visible)

    @property
    def zoom(self) -> float:
        """The current scale (1 = one image pixel per screen pixel)."""
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zoom in (>1) or out (<1), within sensible bounds."""
        self._fitting = False
        target = min(ZOOM_MAX, max(ZOOM_MIN, self.zoom * factor))
        self.scale(target / self.zoom, target / self.zoom)

    def fit(self) -> None:
        """The whole image in view (and kept so as the window is resized, until the user zooms)."""
        self._fitting = True
        if self._image_item is not None:
            self.resetTransform()
            self.fitInView(self._scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def actual_size(self) -> None:
        """One image pixel per screen pixel."""
        self._fitting = False
        self.resetTransform()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep a fitted image fitted."""
        super().resizeEvent(event)
        if self._fitting:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Wheel zooms around the pointer."""
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP**steps)
        event.accept()


class MediaPreviewDialog(QDialog):
    """One item: its image (zoom, pan, annotations toggle) or, for other types, metadata and "Open"."""

    def __init__(
        self,
        media: Media,
        on_open_external: Callable[[], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.media = media
        self.setWindowTitle(media.title or media.filename)
        self.view = AnnotatedImageView()
        self.status = QLabel()
        self.annotations_box = QCheckBox("Show annotations")
        self.open_button = QPushButton("Open with the system viewer")
        self._on_open_external = on_open_external
        self._setup_ui()

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        tools = QHBoxLayout()
        for label, slot in (
            ("Zoom in", lambda: self.view.zoom_by(ZOOM_STEP)),
            ("Zoom out", lambda: self.view.zoom_by(1 / ZOOM_STEP)),
            ("Fit", self.view.fit),
            ("100 %", self.view.actual_size),
        ):
            button = QPushButton(label)
            button.clicked.connect(slot)
            tools.addWidget(button)
        self.annotations_box.setChecked(True)
        self.annotations_box.toggled.connect(self.view.set_annotations_visible)
        count = len(self.media.annotations)
        self.annotations_box.setEnabled(count > 0)
        self.annotations_box.setToolTip("" if count else "This item has no annotations.")
        tools.addWidget(self.annotations_box)
        tools.addStretch(1)
        self.open_button.clicked.connect(self._on_open_clicked)
        tools.addWidget(self.open_button)
        layout.addLayout(tools)
        layout.addWidget(self.view, 1)
        layout.addLayout(self._metadata())
        layout.addWidget(self.status)
        self.resize(720, 560)

    def _metadata(self) -> QFormLayout:
        m = self.media
        form = QFormLayout()
        rows = (
            ("Filename", m.filename),
            ("Title", m.title),
            ("Description", m.description),
            ("Labels", ", ".join(m.labels)),
            ("Properties", ", ".join(f"{k}={v}" for k, v in m.properties.items())),
            ("Type", m.content_type),
            ("Size", human_size(m.total_bytes)),
            ("Upload", upload_state(m)),
            ("Modified", format_dt(m.modified_at)),
        )
        for label, value in rows:
            text = QLabel(str(value))
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setWordWrap(True)
            form.addRow(label, text)
        return form

    def show_image(self, image: QImage | None) -> None:
        """The downloaded image (None: it could not be read as an image)."""
        if image is None:
            self.view.setVisible(False)
            self.show_message("This file cannot be shown here; open it with the system viewer.")
            return
        self.view.set_image(image, self.media.annotations)
        notes = len(self.media.annotations)
        self.status.setText(f"{image.width()} × {image.height()} pixels, {notes} annotation(s)")

    def show_message(self, text: str) -> None:
        """Say what is going on (loading, failed, not an image)."""
        self.status.setText(text)

    def _on_open_clicked(self) -> None:
        if self._on_open_external is not None:
            self._on_open_external()
