"""Arranging media on the sandbox through the SDK, and reading back what the server holds."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from skydesk.sandbox.seed import png_bytes


async def new_session(client: Any, app_id: str, name: str = "Media") -> str:
    """A fresh session (so tests sharing the sandbox never see each other's media)."""
    session = await client.create_session(app_id, name=f"{name} {uuid.uuid4().hex[:8]}")
    return str(session.session_id)


async def add_media(
    client: Any,
    app_id: str,
    session_id: str,
    filename: str,
    content: bytes | None = None,
    *,
    content_type: str = "image/png",
    labels: tuple[str, ...] = (),
    archived: bool = False,
) -> Any:
    """Create an item with its bytes (a small PNG unless given); archived if asked."""
    data = content if content is not None else png_bytes(40, 30, seed=len(filename))
    media = await client.create_session_media(
        app_id, session_id, filename=filename, content_type=content_type, total_bytes=len(data), labels=labels
    )
    media = await client.upload_media_content(app_id, session_id, media.media_id, data)
    if archived:
        media = await client.archive_session_media(app_id, session_id, media.media_id)
    return media


def sha(data: bytes) -> str:
    """SHA-256 of bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def file_sha(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


async def server_sha(client: Any, media: Any) -> str:
    """SHA-256 of what the server holds for an item."""
    import io

    buffer = io.BytesIO()
    await client.download_media_content(
        media.application_id, media.session_id, media.media_id, buffer, total_bytes=media.total_bytes
    )
    return sha(buffer.getvalue())


def fill_with_images(sandbox: Any, app_id: str, session_id: str, count: int, user: str = "tech") -> list[str]:
    """Put ``count`` small PNGs into a session straight through the sandbox's service (no HTTP: fast).

    For benchmarks and scale tests (e.g. 500 items); returns the media ids in creation order.
    """
    service = sandbox.service
    actor = service.actor_by_username(user)
    ids = []
    for i in range(count):
        data = png_bytes(64, 48, seed=i)
        body = {"filename": f"img-{i:04}.png", "contentType": "image/png", "totalBytes": len(data)}
        made = service.create_media(actor, app_id, session_id, body)
        service.upload_content(actor, app_id, session_id, made["mediaId"], data)
        ids.append(made["mediaId"])
    return ids


def dump_tasks() -> None:
    """Print where every asyncio task waits (the await chain), to diagnose a load that never ends."""
    import asyncio

    for task in asyncio.all_tasks():
        coro: Any = task.get_coro()
        chain = []
        while coro is not None:
            frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
            chain.append(
                f"{getattr(coro, '__qualname__', type(coro).__name__)}:{frame.f_lineno if frame else '-'}"
            )
            coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
        print("TASK", task.get_name(), " > ".join(chain))
