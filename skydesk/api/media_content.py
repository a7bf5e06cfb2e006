"""Streaming media bytes up and down, with progress, clean cancellation and resumable uploads.

Uploads larger than ``UPLOAD_CHUNK_BYTES`` go in ``Content-Range`` chunks, one request each, so an
interrupted upload keeps every finished chunk on the server and ``upload_media_content(...,
resume=True)`` sends only the rest. Nothing is ever held in memory whole: bytes are read and sent
256 KiB at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any, BinaryIO

import httpx

from skydesk.api._json import loads
from skydesk.api._query import segment, session_path
from skydesk.api.errors import BadResponse, FieldError, TransportError, from_transport_error
from skydesk.api.media import MediaMixin
from skydesk.api.models import Media
from skydesk.api.validation import raise_if

CHUNK = 256 * 1024
UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024
"""Bytes per ``Content-Range`` request: small enough to lose little on a break, big enough to be quick."""
Progress = Callable[[int, int], None]
"""``progress(done_bytes, total_bytes)``; total is -1 when the size is not known."""


def _content_path(application_id: str, session_id: str, media_id: str) -> str:
    return session_path(application_id, session_id, "media", segment(media_id, "media_id"), "content")


class _Source:
    """Where upload bytes come from; knows its size and whether it can be read again for a retry.

    A context manager: a file opened from a path is closed on exit, also when the task is cancelled.
    """

    def __init__(self, source: bytes | os.PathLike[str] | BinaryIO) -> None:
        self._bytes: bytes | None = None
        self._handle: IO[bytes] | None = None
        self._owned = False
        self._start = 0
        self.size = -1
        self.rewindable = True
        if isinstance(source, bytes | bytearray | memoryview):
            self._bytes = bytes(source)
            self.size = len(self._bytes)
        elif isinstance(source, os.PathLike | str):
            self._handle = Path(source).open("rb")
            self._owned = True
            self.size = os.fstat(self._handle.fileno()).st_size
        else:
            self._handle = source
            self.rewindable = bool(getattr(source, "seekable", lambda: False)())
            if self.rewindable:
                self._start = source.tell()
                self.size = source.seek(0, os.SEEK_END) - self._start
                source.seek(self._start)

    def __enter__(self) -> _Source:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._owned and self._handle is not None:
            self._handle.close()

    async def chunks(
        self, progress: Progress | None, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """Yield bytes ``start`` to ``end`` in pieces, reporting progress as each is handed over.

        Progress counts from the first byte of the whole source, so a resumed upload starts part-way.
        """
        stop = self.size if end is None else end
        done = start
        if progress:
            progress(done, self.size)
        if self._bytes is not None:
            view = memoryview(self._bytes)
            for i in range(start, stop, CHUNK):
                chunk = bytes(view[i : min(i + CHUNK, stop)])
                yield chunk
                done += len(chunk)
                if progress:
                    progress(done, self.size)
            return
        handle = self._handle
        assert handle is not None
        if self.rewindable:
            handle.seek(self._start + start)  # every attempt starts from its first byte
        while stop < 0 or done < stop:
            # Never send more than announced in Content-Length, even if the file grows meanwhile.
            want = CHUNK if stop < 0 else min(CHUNK, stop - done)
            # Disk reads run off the event loop so a large upload never freezes the UI.
            chunk = await asyncio.to_thread(handle.read, want)
            if not chunk:
                return
            yield chunk
            done += len(chunk)
            if progress:
                progress(done, self.size)


class MediaContentMixin(MediaMixin):
    """``upload_media_content`` and ``download_media_content``."""

    async def upload_media_content(
        self,
        application_id: str,
        session_id: str,
        media_id: str,
        source: bytes | os.PathLike[str] | BinaryIO,
        *,
        progress: Progress | None = None,
        content_type: str = "application/octet-stream",
        chunk_bytes: int = UPLOAD_CHUNK_BYTES,
        resume: bool = False,
    ) -> Media:
        """Upload the bytes of a media item from bytes, a file path or a binary file object.

        A source over ``chunk_bytes`` that can be re-read goes in ``Content-Range`` chunks. With
        ``resume`` an interrupted upload is finished: the server is asked how many bytes it holds and
        only the rest is sent (``source`` must be the same content, exactly ``totalBytes`` long; a
        complete item is returned as it is). Cancel by cancelling the task. Returns the metadata.

        Reference: REST ``PUT /applications/{app}/sessions/{id}/media/{mid}/content`` (adopted).
        """
        path = _content_path(application_id, session_id, media_id)
        with _Source(source) as src:
            if resume:
                return await self._resume(
                    application_id, session_id, media_id, src, progress, content_type, chunk_bytes
                )
            if src.rewindable and src.size > chunk_bytes:
                return await self._upload_chunks(path, src, 0, progress, content_type, chunk_bytes)
            headers = {"Content-Length": str(src.size)} if src.size >= 0 else {}
            response = await self._request(
                "PUT",
                path,
                body=lambda: src.chunks(progress),
                content_type=content_type,
                extra_headers=headers,
                # A PUT may be resent, but only if every byte can be produced again.
                resendable=src.rewindable,
            )
        return await self._uploaded(response, application_id, session_id, media_id)

    async def _resume(
        self,
        application_id: str,
        session_id: str,
        media_id: str,
        src: _Source,
        progress: Progress | None,
        content_type: str,
        chunk_bytes: int,
    ) -> Media:
        media = await self.get_session_media(application_id, session_id, media_id)
        if not src.rewindable or src.size != media.total_bytes:
            size = src.size if src.rewindable else "a stream"
            raise_if(
                [
                    FieldError(
                        "source",
                        f"must be a file or bytes of exactly {media.total_bytes} bytes "
                        f"(the media's totalBytes) to resume, not {size}",
                    )
                ]
            )
        if media.is_complete:
            if progress:
                progress(src.size, src.size)
            return media
        path = _content_path(application_id, session_id, media_id)
        return await self._upload_chunks(path, src, media.uploaded_bytes, progress, content_type, chunk_bytes)

    async def _upload_chunks(
        self, path: str, src: _Source, start: int, progress: Progress | None, content_type: str, size: int
    ) -> Media:
        """Send ``src`` from byte ``start`` on, one ``Content-Range`` request per ``size`` bytes."""
        media: Media | None = None
        total = src.size
        pos = start
        while pos < total or media is None:
            end = min(total, pos + max(1, size))
            headers = {"Content-Length": str(end - pos)}
            if end > pos:
                headers["Content-Range"] = f"bytes {pos}-{end - 1}/{total}"
            response = await self._request(
                "PUT",
                path,
                body=functools.partial(src.chunks, progress, pos, end),
                content_type=content_type,
                extra_headers=headers,
                # Safe to resend: the server accepts the last chunk again in place.
                resendable=True,
            )
            media = self._parse_media(response)
            if media.uploaded_bytes != end:
                raise BadResponse(
                    f"{self.host} holds {media.uploaded_bytes} bytes after a chunk ending at {end}.",
                    host=self.host,
                )
            pos = end
        return media

    def _parse_media(self, response: httpx.Response) -> Media:
        try:
            return self._parse(Media.from_json, loads(response.content))
        except ValueError:
            raise BadResponse(
                f"{self.host} sent a reply to an upload that is not JSON.", host=self.host
            ) from None

    async def _uploaded(
        self, response: httpx.Response, application_id: str, session_id: str, media_id: str
    ) -> Media:
        if not response.content:
            return await self.get_session_media(application_id, session_id, media_id)
        return self._parse_media(response)

    async def download_media_content(
        self,
        application_id: str,
        session_id: str,
        media_id: str,
        dest: os.PathLike[str] | BinaryIO,
        *,
        progress: Progress | None = None,
        total_bytes: int | None = None,
    ) -> int:
        """Download the bytes of a media item into a file path or a binary file object.

        Returns the number of bytes written. When ``dest`` is a path the bytes go to a temporary file
        beside it that is renamed at the end, so a failed or cancelled download leaves no partial file.
        Pass the media's ``total_bytes`` to have any other number of arriving bytes reported as an error.

        Reference: REST ``GET /applications/{app}/sessions/{id}/media/{mid}/content`` (adopted).
        """
        path = _content_path(application_id, session_id, media_id)
        if isinstance(dest, os.PathLike | str):
            target = Path(dest)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    written = await self._download(path, handle, progress, total_bytes)
                os.replace(tmp_name, target)
            except BaseException:  # includes CancelledError: never leave a half-written file behind
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
                raise
            return written
        return await self._download(path, dest, progress, total_bytes)

    async def _download(
        self, path: str, handle: IO[bytes] | Any, progress: Progress | None, expected: int | None
    ) -> int:
        async with self._open("GET", path, extra_headers={"Accept": "*/*"}) as response:
            length = response.headers.get("content-length")
            # With a Content-Encoding the length counts encoded bytes, not the ones we write.
            encoded = response.headers.get("content-encoding", "identity") != "identity"
            total = int(length) if length and length.isascii() and length.isdigit() and not encoded else -1
            if expected is not None and total >= 0 and total != expected:
                raise BadResponse(
                    f"{self.host} announced {total} bytes for media of {expected} bytes.", host=self.host
                )
            total = expected if expected is not None else total
            done = 0
            if progress:
                progress(0, total)
            try:
                async for chunk in response.aiter_bytes():  # as it arrives, for live progress
                    await asyncio.to_thread(handle.write, chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
            except httpx.TransportError as exc:
                raise from_transport_error(exc, host=self.host, method="GET") from exc
            if total >= 0 and done != total:
                raise TransportError(
                    f"The download from {self.host} stopped after {done} of {total} bytes.", host=self.host
                )
            return done
