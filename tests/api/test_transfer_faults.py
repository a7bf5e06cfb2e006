"""Media transfer faults the sandbox cannot produce on demand: a stalled download, a dying upload."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from skydesk.api import ServerError, TransportError

from .fakes import APP, FakeApi, json_response, signed_in

MEDIA = {
    "mediaId": "m-1",
    "sessionId": "s-1",
    "applicationId": APP,
    "filename": "f.bin",
    "contentType": "application/octet-stream",
    "totalBytes": 6,
    "uploadedBytes": 6,
    "createdAt": "2026-01-01T00:00:00Z",
    "modifiedAt": "2026-01-01T00:00:00Z",
}


class _Stalling(httpx.AsyncByteStream):
    """Sends some bytes, then never finishes (a stalled download)."""

    def __init__(self, started: asyncio.Event) -> None:
        self.started = started

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"x" * 1000
        self.started.set()
        await asyncio.sleep(3600)
        yield b""


async def test_cancelled_download_leaves_no_file(tmp_path: Path) -> None:
    started = asyncio.Event()
    api = FakeApi(
        lambda r: httpx.Response(200, headers={"Content-Length": "5000"}, stream=_Stalling(started))
    )
    dest = tmp_path / "photo.jpg"
    seen: list[tuple[int, int]] = []
    async with await signed_in(api) as client:
        task = asyncio.create_task(
            client.download_media_content(APP, "s-1", "m-1", dest, progress=lambda d, t: seen.append((d, t)))
        )
        await asyncio.wait_for(started.wait(), 10)
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert os.listdir(tmp_path) == []  # neither the file nor a temp part remains
    assert (1000, 5000) in seen


async def test_short_download_is_an_error_and_leaves_no_file(tmp_path: Path) -> None:
    # The server promises 10 bytes and closes after 4.
    api = FakeApi(lambda r: httpx.Response(200, headers={"Content-Length": "10"}, content=b"abcd"))
    async with await signed_in(api) as client:
        with pytest.raises(TransportError, match="4 of 10 bytes"):
            await client.download_media_content(APP, "s-1", "m-1", tmp_path / "f.bin")
    assert os.listdir(tmp_path) == []


async def test_upload_sends_content_length_and_reports_progress() -> None:
    bodies: list[bytes] = []

    async def receive(request: httpx.Request) -> httpx.Response:
        bodies.append(await request.aread())
        assert request.headers["Content-Length"] == "6"
        assert "Transfer-Encoding" not in request.headers
        return json_response(200, MEDIA)

    api = FakeApi(receive)
    seen: list[tuple[int, int]] = []
    async with await signed_in(api) as client:
        media = await client.upload_media_content(
            APP, "s-1", "m-1", b"abcdef", progress=lambda d, t: seen.append((d, t))
        )
    assert bodies == [b"abcdef"] and media.is_complete
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)


async def test_rewindable_upload_is_resent_whole_after_a_503() -> None:
    bodies: list[bytes] = []

    async def flaky(request: httpx.Request) -> httpx.Response:
        bodies.append(await request.aread())
        if len(bodies) == 1:
            return json_response(503, {"error": "busy"}, {"Retry-After": "0"})
        return json_response(200, MEDIA)

    api = FakeApi(flaky)
    async with await signed_in(api) as client:
        await client.upload_media_content(APP, "s-1", "m-1", io.BytesIO(b"abcdef"))
    assert bodies == [b"abcdef", b"abcdef"]


class _Pipe(io.RawIOBase):
    """A non-seekable source (like a pipe): its bytes can be read only once."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


async def test_unrewindable_upload_is_not_resent() -> None:
    bodies: list[bytes] = []

    async def busy(request: httpx.Request) -> httpx.Response:
        bodies.append(await request.aread())
        return json_response(503, {"error": "busy"}, {"Retry-After": "0"})

    api = FakeApi(busy)
    async with await signed_in(api) as client:
        with pytest.raises(ServerError):
            await client.upload_media_content(APP, "s-1", "m-1", _Pipe(b"abcdef"))  # type: ignore[arg-type]
    assert bodies == [b"abcdef"]


def _open_handles(path: Path) -> int:
    """How many descriptors of this process point at ``path`` (Linux /proc)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == str(path):
                count += 1
        except OSError:
            continue
    return count


async def test_cancelled_upload_closes_the_file(tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(b"z" * (3 * 256 * 1024))
    first_chunk = asyncio.Event()

    async def stall(request: httpx.Request) -> httpx.Response:
        async for _ in request.stream:  # type: ignore[union-attr]
            first_chunk.set()
            await asyncio.sleep(3600)  # the server stops reading: the upload hangs
        return json_response(200, MEDIA)

    api = FakeApi(stall)
    async with await signed_in(api) as client:
        task = asyncio.create_task(client.upload_media_content(APP, "s-1", "m-1", source))
        await asyncio.wait_for(first_chunk.wait(), 10)
        assert _open_handles(source) == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert _open_handles(source) == 0
