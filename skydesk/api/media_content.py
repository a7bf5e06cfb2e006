"""Streaming media bytes up and down, with progress and clean cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any, BinaryIO

import httpx

from skydesk.api._query import segment, session_path
from skydesk.api.errors import BadResponse, TransportError, from_transport_error
from skydesk.api.media import MediaMixin
from skydesk.api.models import Media

CHUNK = 256 * 1024
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

    async def chunks(self, progress: Progress | None) -> AsyncIterator[bytes]:
        """Yield the bytes in chunks, reporting progress as each chunk is handed to the connection."""
        done = 0
        if progress:
            progress(0, self.size)
        if self._bytes is not None:
            view = memoryview(self._bytes)
            for i in range(0, len(view), CHUNK):
                chunk = bytes(view[i : i + CHUNK])
                yield chunk
                done += len(chunk)
                if progress:
                    progress(done, self.size)
            return
        handle = self._handle
        assert handle is not None
        if self.rewindable:
            handle.seek(self._start)  # every attempt starts from the first byte
        while self.size < 0 or done < self.size:
            # Never send more than announced in Content-Length, even if the file grows meanwhile.
            want = CHUNK if self.size < 0 else min(CHUNK, self.size - done)
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
    ) -> Media:
        """Upload the bytes of a media item from bytes, a file path or a binary file object.

        Cancel by cancelling the task. Returns the updated metadata.
        """
        with _Source(source) as src:
            headers = {"Content-Length": str(src.size)} if src.size >= 0 else {}
            response = await self._request(
                "PUT",
                _content_path(application_id, session_id, media_id),
                body=lambda: src.chunks(progress),
                content_type=content_type,
                extra_headers=headers,
                # A PUT may be resent, but only if every byte can be produced again.
                resendable=src.rewindable,
            )
        if not response.content:
            return await self.get_session_media(application_id, session_id, media_id)
        try:
            return self._parse(Media.from_json, response.json())
        except ValueError:
            raise BadResponse(
                f"{self.host} sent a reply to an upload that is not JSON.", host=self.host
            ) from None

    async def download_media_content(
        self,
        application_id: str,
        session_id: str,
        media_id: str,
        dest: os.PathLike[str] | BinaryIO,
        *,
        progress: Progress | None = None,
    ) -> int:
        """Download the bytes of a media item into a file path or a binary file object.

        Returns the number of bytes written. When ``dest`` is a path the bytes go to a temporary file
        beside it that is renamed at the end, so a failed or cancelled download leaves no partial file.
        """
        path = _content_path(application_id, session_id, media_id)
        if isinstance(dest, os.PathLike | str):
            target = Path(dest)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    written = await self._download(path, handle, progress)
                os.replace(tmp_name, target)
            except BaseException:  # includes CancelledError: never leave a half-written file behind
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
                raise
            return written
        return await self._download(path, dest, progress)

    async def _download(self, path: str, handle: IO[bytes] | Any, progress: Progress | None) -> int:
        async with self._open("GET", path, extra_headers={"Accept": "*/*"}) as response:
            length = response.headers.get("content-length")
            # With a Content-Encoding the length counts encoded bytes, not the ones we write.
            encoded = response.headers.get("content-encoding", "identity") != "identity"
            total = int(length) if length and length.isdigit() and not encoded else -1
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
