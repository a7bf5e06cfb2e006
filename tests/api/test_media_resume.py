"""Chunked, resumable media uploads and checked downloads against the real sandbox (checksums)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import pytest

from skydesk.api import BadResponse, SkylightClient, ValidationError

CHUNK = 256 * 1024


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


async def _new_media(client: SkylightClient, app_id: str, size: int) -> tuple[str, str]:
    session = await client.create_session(app_id, name=f"Resume {uuid.uuid4().hex[:8]}")
    media = await client.create_session_media(
        app_id, session.session_id, filename="site.mp4", content_type="video/mp4", total_bytes=size
    )
    return session.session_id, media.media_id


async def test_cancelled_upload_resumes_to_one_complete_item(
    tech: SkylightClient, app_id: str, tmp_path: Path
) -> None:
    payload = os.urandom(16 * CHUNK + 1000)
    source = tmp_path / "site.mp4"
    source.write_bytes(payload)
    sid, mid = await _new_media(tech, app_id, len(payload))
    task: asyncio.Task[Any] | None = None

    def cancel_after_a_few_chunks(done: int, total: int) -> None:
        if done >= 4 * CHUNK and task is not None:
            task.cancel()

    task = asyncio.create_task(
        tech.upload_media_content(
            app_id, sid, mid, source, progress=cancel_after_a_few_chunks, chunk_bytes=CHUNK
        )
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    partial = await tech.get_session_media(app_id, sid, mid)
    # Finished chunks stay on the server; the one cut off mid-body is not stored at all.
    assert 0 < partial.uploaded_bytes < len(payload) and partial.uploaded_bytes % CHUNK == 0
    assert not partial.is_complete

    seen: list[int] = []
    done = await tech.upload_media_content(
        app_id, sid, mid, source, progress=lambda d, t: seen.append(d), chunk_bytes=CHUNK, resume=True
    )
    assert done.is_complete and done.uploaded_bytes == len(payload)
    assert seen[0] == partial.uploaded_bytes  # only the rest was sent
    items = await tech.list_session_media(app_id, sid, archived="include")
    assert [m.media_id for m in items.items] == [mid]

    dest = tmp_path / "copy.mp4"
    written = await tech.download_media_content(app_id, sid, mid, dest, total_bytes=done.total_bytes)
    assert written == len(payload) and _file_sha(dest) == _sha(payload)
    # Resuming a complete item sends nothing and answers it unchanged.
    again = await tech.upload_media_content(app_id, sid, mid, source, resume=True)
    assert again.etag == done.etag


async def test_resume_needs_the_same_size(tech: SkylightClient, app_id: str) -> None:
    sid, mid = await _new_media(tech, app_id, 10)
    with pytest.raises(ValidationError, match="exactly 10 bytes"):
        await tech.upload_media_content(app_id, sid, mid, b"short", resume=True)


async def test_download_checks_total_bytes(tech: SkylightClient, app_id: str) -> None:
    sid, mid = await _new_media(tech, app_id, 5)
    await tech.upload_media_content(app_id, sid, mid, b"12345")
    with pytest.raises(BadResponse, match="5 bytes for media of 6 bytes"):
        await tech.download_media_content(app_id, sid, mid, io.BytesIO(), total_bytes=6)


async def test_100_mib_goes_up_and_down_in_chunks_without_loading_whole(
    tech: SkylightClient, app_id: str, tmp_path: Path
) -> None:
    size = 100 * 1024 * 1024
    source = tmp_path / "big.bin"
    digest = hashlib.sha256()
    with source.open("wb") as handle:
        block = os.urandom(1 << 20)
        for i in range(size >> 20):
            piece = block[i:] + block[:i]  # every MiB differs, so a misplaced chunk changes the hash
            digest.update(piece)
            handle.write(piece)
    sid, mid = await _new_media(tech, app_id, size)
    # The sandbox runs in this process: the peak counts its buffers too (one 8 MiB chunk at a time).
    tracemalloc.start()
    try:
        media = await tech.upload_media_content(app_id, sid, mid, source)
        up_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        dest = tmp_path / "back.bin"
        await tech.download_media_content(app_id, sid, mid, dest, total_bytes=size)
        down_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert media.is_complete and _file_sha(dest) == digest.hexdigest()
    assert up_peak < 40 * 1024 * 1024, f"peak {up_peak} bytes while uploading {size}"
    assert down_peak < 20 * 1024 * 1024, f"peak {down_peak} bytes while downloading {size}"


async def test_seeded_photo_has_an_svg_annotation(
    sandbox: Any, dispatch: SkylightClient, app_id: str
) -> None:
    for session in (await dispatch.get_sessions(app_id))[:30]:
        page = await dispatch.list_session_media(app_id, session.session_id, archived="include")
        for media in page.items:
            if media.annotations:
                note = media.annotations[0]
                assert note.annotation_id and note.path.startswith("<svg") and "stroke" in note.path
                assert media.content_type == "image/png"
                return
    pytest.fail("no seeded media carries an annotation")
