"""A downloaded thumbnail is shown first and written to the disk cache after, in the background."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from skydesk.api._query import session_path
from skydesk.api._retry import RetryPolicy
from skydesk.models.media import COL_FILENAME
from skydesk.models.thumbnails import THUMB_SIZE
from skydesk.ui.media_tab import MediaTab
from tests.media.helpers import add_media, new_session
from tests.support.qt import wait_until


async def test_a_thumbnail_is_shown_before_it_is_cached_and_then_cached(
    services: Any, tech: Any, app_id: str, qtbot: Any
) -> None:
    sid = await new_session(tech, app_id)
    made = await add_media(tech, app_id, sid, "photo.png")
    loader, cache = services.thumbnails, services.thumbnails.cache
    assert cache is not None
    on_disk_when_shown: list[bool] = []
    loader.ready.connect(
        lambda media_id: on_disk_when_shown.append(cache.get(media_id, made.etag or "") is not None)
    )
    tab = MediaTab(services.media)
    qtbot.addWidget(tab)
    tab.show()
    services.media.open(app_id, sid)
    model = services.media.model
    await wait_until(lambda: model.rowCount() == 1, 60, what="list")
    model.index(0, COL_FILENAME).data(Qt.ItemDataRole.DecorationRole)  # what painting the row asks
    await wait_until(lambda: on_disk_when_shown, 60, what="the thumbnail shown")
    assert on_disk_when_shown == [False]  # shown before the PNG was encoded and written
    await wait_until(lambda: loader.pending == 0, 60, what="the disk cache write")  # pending counts it
    stored = cache.get(made.media_id, made.etag or "")
    assert stored is not None and stored.startswith(b"\x89PNG")
    pixmap = model.index(0, COL_FILENAME).data(Qt.ItemDataRole.DecorationRole)
    assert pixmap is not None and pixmap.width() <= THUMB_SIZE.width() and loader.downloaded == 1


async def test_a_thumbnail_whose_download_failed_on_a_busy_server_is_tried_again(
    services: Any, tech: Any, app_id: str, sandbox: Any, qtbot: Any
) -> None:
    sid = await new_session(tech, app_id)
    made = await add_media(tech, app_id, sid, "photo.png")
    loader = services.thumbnails
    content = session_path(app_id, sid, "media", made.media_id, "content")
    attempts = RetryPolicy().max_attempts  # the SDK resends a GET this often before it gives up
    sandbox.faults.fail(503, share=1.0, times=attempts, path=content, retry_after=0)
    try:
        tab = MediaTab(services.media)
        qtbot.addWidget(tab)
        tab.show()
        services.media.open(app_id, sid)  # the row is painted once, and then not again
        await wait_until(
            lambda: sandbox.faults.injected().get("status_503", 0) >= attempts, 30, what="the SDK gave up"
        )
        await wait_until(lambda: loader.ready_for(made), 30, what="the thumbnail, asked again by itself")
    finally:
        sandbox.faults.clear()
    assert loader.downloaded == 1
