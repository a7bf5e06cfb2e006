"""The Media tab's controller: list pages, edits, archive, delete, uploads and downloads, via Operations.

Every API call goes through the operation layer (``skydesk.models.operations``): reads pre-empt older
reads of the same key, writes queue per item, and problems are described and presented there. Uploads and
downloads run as keyed reads so Cancel can stop them; that is safe because the SDK makes them repeatable
(an upload resumes from what the server holds, a download writes a temp file renamed at the end).
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from skydesk.api.errors import FieldError, ValidationError
from skydesk.api.media import media_body
from skydesk.models.media import MediaListModel, MediaQuery
from skydesk.models.media_transfers import RUNNING, Transfer
from skydesk.models.problems import Doing, Problem
from skydesk.models.thumbnails import ThumbnailLoader, decode_image

if TYPE_CHECKING:
    from skydesk.api import Media, SkylightClient
    from skydesk.models.operations import Operations

PAGE_SIZE = 100
LABELS_MAX, LABEL_MAX = 50, 64  # CONTRACT.md §4 (adopted): the sandbox refuses more
TOTAL_BYTES_MAX = 2 * 1024**3  # CONTRACT.md §3 Media (adopted): the largest totalBytes

_ITEM = "media item"
LOADING_MEDIA = Doing("loading the media", "The media list could not be loaded", subject=_ITEM)
ADDING_MEDIA = Doing("adding a media item", "The media item was not added", change=True, subject=_ITEM)
UPLOADING = Doing("uploading the file", "The upload did not finish", change=True, subject=_ITEM)
DOWNLOADING = Doing("downloading the file", "The download did not finish", subject=_ITEM)
SAVING_MEDIA = Doing("saving the media item", "The media item was not saved", change=True, subject=_ITEM)
ARCHIVING = Doing("archiving the media item", "The media item was not archived", change=True, subject=_ITEM)
UNARCHIVING = Doing(
    "unarchiving the media item", "The media item was not unarchived", change=True, subject=_ITEM
)
LOADING_PREVIEW = Doing("loading the preview", "The preview could not be loaded", subject=_ITEM)
PREVIEW_MAX = 64 * 1024 * 1024  # larger images are downloaded to a file, not shown from memory
DELETING = Doing("deleting the media item", "The media item was not deleted", change=True, subject=_ITEM)


def media_field_errors(fields: Mapping[str, Any]) -> list[FieldError]:
    """What is wrong with metadata the user typed, by the reference's limits, before anything is sent."""
    errors: list[FieldError] = []
    try:
        media_body(fields)
    except ValidationError as exc:
        errors += exc.details
    labels = fields.get("labels")
    if isinstance(labels, Sequence) and not isinstance(labels, str):
        if len(labels) > LABELS_MAX:
            errors.append(FieldError("labels", f"At most {LABELS_MAX} labels"))
        for label in labels:
            if isinstance(label, str) and (len(label) > LABEL_MAX or "," in label):
                errors.append(FieldError("labels", f"A label has 1-{LABEL_MAX} characters and no commas"))
                break
    return errors


class MediaController(QObject):
    """The media of the open session, and what the user does with it."""

    problem = Signal(object)  # Problem found here before sending (the operation layer presents the rest)
    permissions_changed = Signal()
    transfer_started = Signal(object)  # Transfer
    deleted = Signal(str)  # media id, once the server confirmed
    forbidden = Signal()  # the server refused a media change with 403 (the rights are read again)
    preview_ready = Signal(str, object)  # media id, QImage (None: not readable as an image)
    preview_failed = Signal(str, str)  # media id, what went wrong

    def __init__(self, ops: Operations, thumbnails: ThumbnailLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self.thumbnails = thumbnails
        self.model = MediaListModel(self)
        self.model.fetch_callback = self._fetch_more
        self.model.thumbnail = thumbnails.pixmap
        thumbnails.ready.connect(self.model.refresh_decoration)
        self.query = MediaQuery()
        self.transfers: list[Transfer] = []
        self._app_id: str | None = None
        self._session_id: str | None = None
        self._next_cursor: str | None = None
        self._sources: dict[str, Path] = {}  # media id -> the file its upload reads (for Resume)
        self._closed = False
        self._role_reason = ""  # why the user's role forbids changes ("" = allowed or not known)

    # ------------------------------------------------------------------ what is shown
    @property
    def session(self) -> tuple[str, str] | None:
        """(application id, session id) of the open session."""
        if self._app_id is None or self._session_id is None:
            return None
        return self._app_id, self._session_id

    def open(self, app_id: str | None, session_id: str | None, *, closed: bool = False) -> None:
        """Show the media of a session (None: no session)."""
        changed = (app_id, session_id) != (self._app_id, self._session_id)
        self._app_id, self._session_id, self._closed = app_id, session_id, closed
        self.permissions_changed.emit()
        if changed or app_id is None:
            self.model.clear()
            self.reload()

    def set_query(self, query: MediaQuery) -> None:
        """Filter and sort anew (on the server), from the first page."""
        self.query = query
        self.reload()

    def reload(self) -> None:
        """Fetch the first page again."""
        where = self.session
        if where is None:
            self._ops.cancel("media.list")
            return
        app, sid = where
        query = self.query
        self._ops.read(
            "media.list",
            lambda c: c.list_session_media(app, sid, limit=PAGE_SIZE, **query.kwargs()),
            doing=LOADING_MEDIA,
            scope="media",
            success=lambda page: self._on_page(where, query, page, first=True),
        )

    def _fetch_more(self) -> None:
        where, cursor, query = self.session, self._next_cursor, self.query
        if where is None or cursor is None:
            self.model.fetch_failed()
            return
        app, sid = where
        self._ops.read(
            "media.more",
            lambda c: c.list_session_media(app, sid, limit=PAGE_SIZE, next_cursor=cursor, **query.kwargs()),
            doing=LOADING_MEDIA,
            scope="media",
            success=lambda page: self._on_page(where, query, page, first=False),
            failure=lambda _p: self.model.fetch_failed(),
        )

    def _on_page(self, where: tuple[str, str], query: MediaQuery, page: Any, *, first: bool) -> None:
        if where != self.session or query != self.query:
            return  # an answer for what the user no longer looks at
        self._next_cursor = page.next_cursor
        more = page.next_cursor is not None
        if first:
            self.model.set_page(page.items, page.total, more)
        else:
            self.model.append_page(page.items, page.total, more)

    # ------------------------------------------------------------------ permissions
    def set_role_permission(self, allowed: bool, reason: str = "") -> None:
        """What the user's roles allow for media here (from the people engineer's permissions)."""
        self._role_reason = "" if allowed else (reason or "Your role does not allow changing media here.")
        self.permissions_changed.emit()

    def write_refusal(self) -> str:
        """Why the user cannot add or change media now, or "" when they can."""
        if self.session is None:
            return "No session is open."
        if self._closed:
            return "The session is closed, so its media can no longer be changed."
        return self._role_reason

    # ------------------------------------------------------------------ managing
    def edit(self, media: Media, **fields: Any) -> None:
        """Save metadata fields (title, description, labels, properties, filename)."""
        self._write(media, SAVING_MEDIA, fields)

    def set_archived(self, media: Media, archived: bool) -> None:
        """Archive or unarchive an item."""
        self._write(media, ARCHIVING if archived else UNARCHIVING, {"archived": archived})

    def _write(self, media: Media, doing: Doing, fields: dict[str, Any]) -> None:
        app, sid, mid = media.application_id, media.session_id, media.media_id
        self._ops.write(
            f"media:{mid}",
            lambda c: c.update_session_media(app, sid, mid, **fields),
            doing=doing,
            scope="media",
            success=self._apply,
            failure=self._on_write_failed,
            reload=self.reload,
        )

    def _apply(self, media: Media) -> None:
        if (media.application_id, media.session_id) != self.session:
            return
        if self.query.admits(media):
            self.model.upsert(media)
        else:
            self.model.remove(media.media_id)  # e.g. archived while archived items are hidden

    def delete(self, media: Media) -> None:
        """Delete an item (the view has asked the user first)."""
        app, sid, mid = media.application_id, media.session_id, media.media_id

        def gone(_: None) -> None:
            self._sources.pop(mid, None)
            self.model.remove(mid)
            self.deleted.emit(mid)

        self._ops.write(
            f"media:{mid}",
            lambda c: c.delete_session_media(app, sid, mid),
            doing=DELETING,
            scope="media",
            success=gone,
            failure=self._on_write_failed,
            reload=self.reload,
        )

    # ------------------------------------------------------------------ transfers
    def upload(self, path: Path, content_type: str, fields: Mapping[str, Any]) -> Transfer | None:
        """Create the item, then stream the file; None (and a problem) if the fields break a limit."""
        where = self.session
        path = Path(path)
        errors = media_field_errors({"filename": path.name, **fields})
        if where is None or errors:
            if errors:
                self.problem.emit(_field_problem(errors))
            return None
        app, sid = where
        size = os.stat(path).st_size
        if size > TOTAL_BYTES_MAX:
            too_big = FieldError("file", f"{path.name} is larger than 2 GiB, the most a media item may hold")
            self.problem.emit(_field_problem([too_big]))
            return None
        transfer = self._track(Transfer("upload", path.name, path=path, parent=self))
        transfer.report(0, size)
        extra = {k: v for k, v in fields.items() if k in ("title", "description", "labels", "properties")}

        def created(media: Media) -> None:
            self._apply(media)
            self._sources[media.media_id] = path
            transfer.media_id = media.media_id
            if transfer.state == RUNNING:  # else cancelled while creating: listed incomplete, with Resume
                self._send(transfer, media, content_type)

        task = self._ops.write(
            f"media-session:{sid}",
            lambda c: c.create_session_media(
                app, sid, filename=path.name, content_type=content_type, total_bytes=size, **extra
            ),
            doing=ADDING_MEDIA,
            scope="media",
            success=created,
            failure=lambda p: self._create_failed(transfer, p),
        )
        transfer.attach(task, cancellable=False)
        return transfer

    def can_resume(self, media: Media) -> bool:
        """Whether an incomplete item's file is known here (else the view asks for it)."""
        return not media.is_complete and media.media_id in self._sources

    def resume(self, media: Media, path: Path | None = None) -> Transfer | None:
        """Send the rest of an incomplete upload, from its file (or the one the user picked)."""
        source = Path(path) if path is not None else self._sources.get(media.media_id)
        if source is None:
            return None
        self._sources[media.media_id] = source
        transfer = self._track(Transfer("upload", media.filename, media.media_id, source, parent=self))
        transfer.report(media.uploaded_bytes, media.total_bytes)
        self._send(transfer, media, media.content_type)
        return transfer

    def _send(self, transfer: Transfer, media: Media, content_type: str) -> None:
        app, sid, mid, source = media.application_id, media.session_id, media.media_id, transfer.path
        assert source is not None  # an upload always reads a file

        def uploaded(done: Media) -> None:
            self._apply(done)
            self._sources.pop(mid, None)
            transfer.succeed(done)

        task = self._ops.read(
            f"media.upload.{mid}",
            # resume=True: the first attempt starts at 0; a Retry or a re-run after sign-in sends the rest.
            lambda c: c.upload_media_content(
                app, sid, mid, source, progress=transfer.report, content_type=content_type, resume=True
            ),
            doing=UPLOADING,
            scope="media",
            success=uploaded,
            failure=lambda p: self._upload_stopped(transfer, media, p),
        )
        transfer.attach(task)
        # Cancelled: show what the server kept (incomplete, with Resume), never a row that looks done.
        task.add_done_callback(lambda t: self.refresh_item(media) if t.cancelled() else None)

    def _create_failed(self, transfer: Transfer, problem: Problem) -> None:
        self._on_write_failed(problem)
        transfer.fail(problem.message)

    def _on_write_failed(self, problem: Problem) -> None:
        if problem.kind == "forbidden":
            self.forbidden.emit()

    def _upload_stopped(self, transfer: Transfer, media: Media, problem: Problem) -> None:
        self._on_write_failed(problem)
        transfer.fail(problem.message)
        self.refresh_item(media)

    def refresh_item(self, media: Media) -> None:
        """Fetch one item's metadata again (e.g. how much of an upload arrived)."""
        app, sid, mid = media.application_id, media.session_id, media.media_id
        self._ops.read(
            f"media.item.{mid}",
            lambda c: c.get_session_media(app, sid, mid),
            doing=LOADING_MEDIA,
            scope="media",
            quiet=True,
            success=self._apply,
        )

    def download(self, media: Media, dest: Path) -> Transfer:
        """Download an item's bytes to ``dest`` (via a temp file renamed at the end)."""
        app, sid, mid, dest = media.application_id, media.session_id, media.media_id, Path(dest)
        transfer = self._track(Transfer("download", media.filename, mid, dest, parent=self))
        transfer.report(0, media.total_bytes)
        task = self._ops.read(
            f"media.download.{mid}",
            lambda c: c.download_media_content(
                app, sid, mid, dest, progress=transfer.report, total_bytes=media.total_bytes
            ),
            doing=DOWNLOADING,
            scope="media",
            success=lambda _n: transfer.succeed(dest),
            failure=lambda p: transfer.fail(p.message),
        )
        transfer.attach(task)
        return transfer

    def load_preview(self, media: Media) -> None:
        """Fetch an image into memory and decode it off the GUI thread; ``preview_ready`` when done."""
        app, sid, mid = media.application_id, media.session_id, media.media_id

        async def fetch(client: SkylightClient) -> QImage | None:
            buffer = io.BytesIO()
            await client.download_media_content(app, sid, mid, buffer, total_bytes=media.total_bytes)
            return await asyncio.to_thread(decode_image, buffer.getvalue())

        self._ops.read(
            "media.preview",
            fetch,
            doing=LOADING_PREVIEW,
            scope="media",
            success=lambda image: self.preview_ready.emit(mid, image),
            failure=lambda problem: self.preview_failed.emit(mid, problem.message),
        )

    def _track(self, transfer: Transfer) -> Transfer:
        self.transfers.append(transfer)
        self.transfers = self.transfers[-20:]  # the tab lists recent transfers only
        self.transfer_started.emit(transfer)
        return transfer


def can_preview(media: Media) -> str:
    """Why ``media`` cannot be shown as an image here, or "" when it can."""
    if not media.is_complete:
        return "The upload of this item is not complete."
    if not media.content_type.lower().startswith("image/"):
        return ""  # shown as metadata with "Open with the system viewer"
    if media.total_bytes > PREVIEW_MAX:
        return "This image is too large to preview; download it instead."
    return ""


def _field_problem(errors: list[FieldError]) -> Problem:
    first = errors[0]
    return Problem(
        "; ".join(f"{e.field}: {e.message}" for e in errors), kind="invalid", scope="media", field=first.field
    )
