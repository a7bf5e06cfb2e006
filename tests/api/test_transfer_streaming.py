"""Media bytes are streamed: an 8 MiB transfer never holds more than a few chunks in memory.

Both scripted servers handle the body chunk by chunk and keep none of it, so tracemalloc's peak
measures the client alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from skydesk.api import SkylightClient

from .fakes import APP, FakeApi, signed_in, token_body

SIZE = 8 * 1024 * 1024
MEDIA = {
    "mediaId": "m-1",
    "sessionId": "s-1",
    "applicationId": APP,
    "filename": "big.bin",
    "totalBytes": SIZE,
    "uploadedBytes": SIZE,
    "createdAt": "2026-01-01T00:00:00Z",
    "modifiedAt": "2026-01-01T00:00:00Z",
}
PEAK_LIMIT = 2 * 1024 * 1024  # a quarter of the file: far below a buffered copy


class _UploadSink:
    """A minimal HTTP/1.1 server on a real socket that hashes an upload through one 64 KiB buffer.

    httpx.MockTransport reads a request whole before answering, so it cannot show streaming; this
    server reads the body as it arrives and keeps none of it. It also answers the sign-in.
    """

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.digest = hashlib.sha256()
        self.received = 0
        self.thread = threading.Thread(target=self._serve, name="test-upload-sink", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        with conn, conn.makefile("rb") as reader:
            while True:
                request_line = reader.readline()
                if not request_line:
                    return
                headers = {}
                while (line := reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                if b"/v1/authentication/" in request_line:
                    answer = json.dumps(token_body()).encode()
                    reader.read(length)
                else:
                    buffer = bytearray(65536)
                    while self.received < length:
                        n = reader.readinto(memoryview(buffer)[: min(65536, length - self.received)])
                        self.digest.update(memoryview(buffer)[:n])
                        self.received += n
                    answer = json.dumps(MEDIA).encode()
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(answer)}\r\n\r\n".encode()
                conn.sendall(head + answer)

    def close(self) -> None:
        self.listener.close()
        self.thread.join(5)


async def test_upload_from_a_path_is_streamed(tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(SIZE))
    expected = hashlib.sha256(source.read_bytes()).hexdigest()
    sink = _UploadSink()
    progress: list[int] = []
    try:
        async with SkylightClient(f"http://127.0.0.1:{sink.port}") as client:
            await client.login("demo", "tech", "tech-demo-pw")
            tracemalloc.start()
            try:
                media = await client.upload_media_content(
                    APP, "s-1", "m-1", source, progress=lambda done, total: progress.append(done)
                )
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    finally:
        sink.close()
    assert media.is_complete and sink.received == SIZE and sink.digest.hexdigest() == expected
    assert len(progress) > 16 and progress[-1] == SIZE  # handed over chunk by chunk
    assert peak < PEAK_LIMIT, f"peak {peak} bytes while uploading {SIZE}"


class _Generated(httpx.AsyncByteStream):
    """8 MiB produced 64 KiB at a time, never held whole."""

    def __init__(self, digest: hashlib._Hash) -> None:
        self.digest = digest

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(SIZE // 65536):
            chunk = os.urandom(65536)
            self.digest.update(chunk)
            yield chunk


async def test_download_to_a_path_is_streamed(tmp_path: Path) -> None:
    sent = hashlib.sha256()
    api = FakeApi(
        lambda r: httpx.Response(200, headers={"Content-Length": str(SIZE)}, stream=_Generated(sent))
    )
    dest = tmp_path / "copy.bin"
    progress: list[int] = []
    async with await signed_in(api) as client:
        tracemalloc.start()
        try:
            written = await client.download_media_content(
                APP, "s-1", "m-1", dest, progress=lambda done, total: progress.append(done)
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert written == SIZE and hashlib.sha256(dest.read_bytes()).hexdigest() == sent.hexdigest()
    assert len(progress) > 16 and progress[-1] == SIZE  # reported as the bytes arrived
    assert peak < PEAK_LIMIT, f"peak {peak} bytes while downloading {SIZE}"
