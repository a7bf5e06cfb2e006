"""Thumbnails for the media list: asked for by visible rows only, decoded off the GUI thread, kept on disk.

The list model calls :meth:`ThumbnailLoader.pixmap` from ``data()``; it answers at once from memory and
otherwise queues the item. Queued items are looked up in the disk cache, then downloaded, in a worker
thread's ``QImage`` (decoding and scaling there is safe); only the final ``QPixmap`` is made on the GUI
thread, as Qt requires. The newest requests go first, so the rows in view win over rows scrolled past.
A downloaded thumbnail is shown first and encoded into the disk cache afterwards, in the background: the
PNG encoding and the file write were on the way to every row's first paint (B10).
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap

from skydesk.core.thumb_cache import ThumbnailCache
from skydesk.models.problems import Doing, Problem

if TYPE_CHECKING:
    from skydesk.api import Media, SkylightClient
    from skydesk.models.operations import Operations

log = logging.getLogger(__name__)

THUMB_SIZE = QSize(96, 96)
MAX_SOURCE_BYTES = 25 * 1024 * 1024  # bigger images are not fetched just to make a thumbnail
# Enough for the rows in view to load in one round: 3 at a time took B10's 7 rows three rounds, each waiting
# on the server and on two thread hops (tab medians 43-68 ms with 3, 31-45 ms with 8, same machine and hour).
CONCURRENT = 8
QUEUE_LIMIT = 64  # rows scrolled far past are forgotten; they ask again when seen again
MEMORY_LIMIT = 600
RETRIES = 2  # a download that failed on a network blip or a busy server is tried again, twice
RETRY_AFTER_MS = 1500
TRANSIENT = frozenset({"offline", "busy", "server", "maybe_saved", "api"})
LOADING_THUMBNAIL = Doing("loading a thumbnail", "A thumbnail could not be loaded", subject="media item")


def is_thumbnailable(media: Media) -> bool:
    """Complete images of a reasonable size get thumbnails."""
    return (
        media.content_type.lower().startswith("image/")
        and media.is_complete
        and 0 < media.total_bytes <= MAX_SOURCE_BYTES
    )


def scaled_thumbnail(data: bytes) -> QImage | None:
    """Decode an image and scale it down to the thumbnail size (runs in a worker thread)."""
    image = decode_image(data)
    if image is None:
        return None
    if image.width() > THUMB_SIZE.width() or image.height() > THUMB_SIZE.height():
        image = image.scaled(
            THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return image


def read_cached(cache: ThumbnailCache, media_id: str, etag: str) -> QImage | None:
    """The disk cache's thumbnail, decoded, or None (runs in a worker thread: one hop for both)."""
    data = cache.get(media_id, etag)
    return None if data is None else decode_image(data)


def store_thumbnail(cache: ThumbnailCache, media_id: str, etag: str, image: QImage) -> None:
    """Encode a thumbnail as PNG into the disk cache (runs in a worker thread)."""
    cache.put(media_id, etag, encode_png(image))


def encode_png(image: QImage) -> bytes:
    """``image`` as PNG bytes."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; only str works
    return bytes(buffer.data().data())


def decode_image(data: bytes) -> QImage | None:
    """Bytes as an image, or None (worker threads: a QImage, never a QPixmap, off the GUI thread)."""
    image = QImage.fromData(QByteArray(data))
    return None if image.isNull() else image


class ThumbnailLoader(QObject):
    """Makes thumbnails on demand, a few at a time; ``ready(media_id)`` when one can be shown."""

    ready = Signal(str)

    def __init__(self, ops: Operations, cache: ThumbnailCache | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self.cache = cache
        self._pixmaps: OrderedDict[tuple[str, str], QPixmap] = OrderedDict()
        self._queue: OrderedDict[str, Media] = OrderedDict()  # media id -> item; newest last
        self._running: set[str] = set()
        self._storing: set[asyncio.Future[None]] = set()  # thumbnails being written to the disk cache
        self._failed: set[tuple[str, str]] = set()
        self._retries: dict[tuple[str, str], int] = {}
        #: how many thumbnails were downloaded from the server / read from the disk cache
        self.downloaded = 0
        self.from_disk = 0

    def set_cache(self, cache: ThumbnailCache | None) -> None:
        """Use another profile's disk cache (or none); what is in memory is forgotten."""
        self.cache = cache
        self.forget()

    def forget(self) -> None:
        """Drop the queue and the thumbnails in memory (sign-out, other profile)."""
        self._queue.clear()
        self._pixmaps.clear()
        self._failed.clear()
        self._retries.clear()
        for media_id in list(self._running):
            self._ops.cancel(f"thumbnail.{media_id}")

    def ready_for(self, media: Media) -> bool:
        """Whether the thumbnail is in memory (asks for nothing)."""
        return _key(media) in self._pixmaps

    def pixmap(self, media: Media) -> QPixmap | None:
        """The thumbnail if it is ready; otherwise queue it (cheap: called from a model's ``data()``)."""
        key = _key(media)
        found = self._pixmaps.get(key)
        if found is not None:
            self._pixmaps.move_to_end(key)
            return found
        if key in self._failed or not is_thumbnailable(media) or media.media_id in self._running:
            return None
        self._queue[media.media_id] = media
        self._queue.move_to_end(media.media_id)
        while len(self._queue) > QUEUE_LIMIT:
            self._queue.popitem(last=False)
        self._pump()
        return None

    @property
    def pending(self) -> int:
        """Thumbnails queued, being made, or being written to the disk cache."""
        return len(self._queue) + len(self._running) + len(self._storing)

    # ------------------------------------------------------------------ work
    def _pump(self) -> None:
        while self._queue and len(self._running) < CONCURRENT:
            _, media = self._queue.popitem(last=True)  # the newest request: a row in view
            self._start(media)

    def _start(self, media: Media) -> None:
        self._running.add(media.media_id)
        task = self._ops.read(
            f"thumbnail.{media.media_id}",
            lambda client: self._load(client, media),
            doing=LOADING_THUMBNAIL,
            scope="media",
            quiet=True,  # a missing thumbnail is not worth a message: the row shows its text
            success=lambda made: self._show(media, *made),
            failure=lambda problem: self._on_failed(media, problem),
        )
        # However it ends (also cancelled), the slot is free again.
        task.add_done_callback(lambda _task: self._finished(media.media_id))

    async def _load(self, client: SkylightClient, media: Media) -> tuple[QImage | None, bool]:
        """The disk cache's copy, else a download (and True: to be cached); decoded in a worker thread."""
        cache = self.cache
        if cache is not None:
            image = await asyncio.to_thread(read_cached, cache, media.media_id, media.etag or "")
            if image is not None:
                self.from_disk += 1
                return image, False
        buffer = io.BytesIO()
        await client.download_media_content(
            media.application_id, media.session_id, media.media_id, buffer, total_bytes=media.total_bytes
        )
        self.downloaded += 1
        return await asyncio.to_thread(scaled_thumbnail, buffer.getvalue()), True

    def _on_failed(self, media: Media, problem: Problem) -> None:
        key = _key(media)
        tried = self._retries.get(key, 0)
        if problem.kind not in TRANSIENT or tried >= RETRIES:
            self._failed.add(key)  # the row shows its text; not asked again this session
            return
        # The row asked once and may not be painted again (it is in view and unchanged): ask for it.
        self._retries[key] = tried + 1
        QTimer.singleShot(RETRY_AFTER_MS, self, lambda: self._ask_again(media))

    def _ask_again(self, media: Media) -> None:
        if media.media_id not in self._running and _key(media) not in self._pixmaps:
            self._queue[media.media_id] = media
            self._pump()

    def _show(self, media: Media, image: QImage | None, downloaded: bool) -> None:
        if image is None:  # not an image Qt can read: show the text only, and do not try again
            self._failed.add(_key(media))
            return
        self._pixmaps[_key(media)] = QPixmap.fromImage(image)  # GUI thread
        while len(self._pixmaps) > MEMORY_LIMIT:
            self._pixmaps.popitem(last=False)
        self.ready.emit(media.media_id)
        if downloaded and self.cache is not None:
            self._store(self.cache, media, image)

    def _store(self, cache: ThumbnailCache, media: Media, image: QImage) -> None:
        """Write the thumbnail to the disk cache in the background (after it is shown)."""
        work = asyncio.ensure_future(
            asyncio.to_thread(store_thumbnail, cache, media.media_id, media.etag or "", image)
        )
        self._storing.add(work)
        work.add_done_callback(self._stored)

    def _stored(self, work: asyncio.Future[None]) -> None:
        self._storing.discard(work)
        if not work.cancelled() and work.exception() is not None:  # the cache logs its own OSErrors
            log.warning("A thumbnail was not stored in the disk cache", exc_info=work.exception())

    def _finished(self, media_id: str) -> None:
        self._running.discard(media_id)
        self._pump()


def _key(media: Media) -> tuple[str, str]:
    return (media.media_id, media.etag or "")
