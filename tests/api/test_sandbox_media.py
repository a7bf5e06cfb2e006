"""Media metadata and streamed content against the real sandbox."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import pytest

from skydesk.api import NotFound, SkylightClient


async def test_media_round_trip(tech: SkylightClient, app_id: str, tmp_path: Path) -> None:
    session = await tech.create_session(app_id, name=f"Media {uuid.uuid4().hex[:8]}")
    sid = session.session_id
    payload = os.urandom(700_000)  # several chunks
    media = await tech.create_session_media(
        app_id,
        sid,
        filename="pump.jpg",
        content_type="image/jpeg",
        total_bytes=len(payload),
        title="Pump",
        labels=["before", "north"],
        properties={"angle": "left"},
    )
    assert (media.filename, media.total_bytes, media.uploaded_bytes) == ("pump.jpg", len(payload), 0)
    assert media.labels == ("before", "north") and not media.is_complete

    source = tmp_path / "upload.jpg"
    await _write(source, payload)
    progress: list[tuple[int, int]] = []
    uploaded = await tech.upload_media_content(
        app_id, sid, media.media_id, source, progress=lambda d, t: progress.append((d, t))
    )
    assert uploaded.is_complete and uploaded.etag
    assert (
        progress[0] == (0, len(payload))
        and progress[-1] == (len(payload), len(payload))
        and len(progress) > 2
    )

    dest = tmp_path / "out" / "pump.jpg"
    dest.parent.mkdir()
    seen: list[tuple[int, int]] = []
    written = await tech.download_media_content(
        app_id, sid, media.media_id, dest, progress=lambda d, t: seen.append((d, t))
    )
    assert written == len(payload) and dest.read_bytes() == payload
    assert seen[-1] == (len(payload), len(payload))
    assert os.listdir(dest.parent) == ["pump.jpg"]  # the temp part was renamed, not left beside it
    buffer = io.BytesIO()
    assert await tech.download_media_content(app_id, sid, media.media_id, buffer) == len(payload)
    assert buffer.getvalue() == payload

    updated = await tech.update_session_media(
        app_id, sid, media.media_id, title="Pump, left", labels=["after"]
    )
    assert (updated.title, updated.labels) == ("Pump, left", ("after",))
    assert await tech.get_session_media(app_id, sid, media.media_id) == updated


async def test_media_filters_archive_and_delete(tech: SkylightClient, app_id: str) -> None:
    sid = (await tech.create_session(app_id, name=f"Media list {uuid.uuid4().hex[:8]}")).session_id
    made = {}
    for name, ctype, labels in (
        ("a.jpg", "image/jpeg", ["x"]),
        ("b.png", "image/png", ["y"]),
        ("c.txt", "text/plain", ["x", "y"]),
    ):
        made[name] = await tech.create_session_media(
            app_id,
            sid,
            filename=name,
            content_type=ctype,
            total_bytes=3,
            labels=labels,
            properties={"n": name},
        )
        await tech.upload_media_content(app_id, sid, made[name].media_id, b"abc")

    async def names(**filters: object) -> list[str]:
        page = await tech.list_session_media(app_id, sid, sort="filename", **filters)  # type: ignore[arg-type]
        return [m.filename for m in page.items]

    assert await names() == ["a.jpg", "b.png", "c.txt"]
    assert await names(content_type=["image/jpeg", "image/png"]) == ["a.jpg", "b.png"]
    assert await names(labels=["x"], exclude_labels=["y"]) == ["a.jpg"]
    assert await names(properties={"n": "b.png"}) == ["b.png"]
    assert await names(created_by=[tech.user_id or ""]) == ["a.jpg", "b.png", "c.txt"]
    first = await tech.list_session_media(app_id, sid, sort="-filename", limit=2)
    assert [m.filename for m in first.items] == ["c.txt", "b.png"] and first.total == 3

    archived = await tech.archive_session_media(app_id, sid, made["b.png"].media_id)
    assert archived.archived
    assert await names() == ["a.jpg", "c.txt"]
    assert await names(archived="only") == ["b.png"]
    assert await names(archived="include") == ["a.jpg", "b.png", "c.txt"]

    await tech.delete_session_media(app_id, sid, made["a.jpg"].media_id)
    with pytest.raises(NotFound):
        await tech.get_session_media(app_id, sid, made["a.jpg"].media_id)


async def _write(path: Path, data: bytes) -> None:
    import asyncio

    await asyncio.to_thread(path.write_bytes, data)
