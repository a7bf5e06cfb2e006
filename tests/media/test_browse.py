"""The Media tab lists a session's media with every filter, pages by cursor, and shows thumbnails."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from skydesk.models import media_controller
from skydesk.models.media import COL_CREATED_BY, COL_FILENAME, COL_UPLOAD
from skydesk.ui.media_tab import SORT_CHOICES, MediaTab
from tests.media.helpers import add_media, dump_tasks, new_session
from tests.support.qt import wait_until


def shown(tab: MediaTab) -> list[str]:
    """Filenames as the list displays them, top to bottom."""
    model = tab.controller.model
    return [model.index(r, COL_FILENAME).data() for r in range(model.rowCount())]


async def settle(tab: MediaTab, services: Any) -> None:
    await wait_until(lambda: services.ops.busy("media.list") == 0, 60, what="media list loaded")


async def test_every_filter_and_sort(services: Any, tech: Any, app_id: str, sandbox: Any, qtbot: Any) -> None:
    sid = await new_session(tech, app_id)
    await add_media(tech, app_id, sid, "b-pump.png", labels=("pump", "before"))
    await add_media(tech, app_id, sid, "a-valve.png", labels=("valve",))
    await add_media(tech, app_id, sid, "c-clip.mp4", b"\0" * 100, content_type="video/mp4", labels=("pump",))
    await add_media(tech, app_id, sid, "d-old.png", labels=("pump",), archived=True)
    half = await tech.create_session_media(
        app_id, sid, filename="e-half.bin", content_type="application/octet-stream", total_bytes=10
    )
    # Half an upload, as a cut-off client leaves it (one Content-Range chunk of two).
    service = sandbox.service
    service.upload_content(
        service.actor_by_username("tech"), app_id, sid, half.media_id, b"12345", "bytes 0-4/10"
    )

    tab = MediaTab(services.media)
    qtbot.addWidget(tab)
    tab.show()
    services.media.open(app_id, sid)
    await wait_until(lambda: len(shown(tab)) == 4, 60, what="first page")
    assert shown(tab) == ["b-pump.png", "a-valve.png", "c-clip.mp4", "e-half.bin"]  # archived hidden
    model = services.media.model
    row = shown(tab).index("e-half.bin")
    assert model.index(row, COL_UPLOAD).data().startswith("incomplete: 5 bytes of 10 bytes")
    assert model.index(0, COL_UPLOAD).data() == "complete"
    assert model.index(0, COL_CREATED_BY).data() == "tech (you)"

    async def expect(names: list[str]) -> None:
        await wait_until(lambda: shown(tab) == names, 60, what=f"list {names}, have {shown(tab)}")

    tab.labels_edit.setText("pump")
    tab.labels_edit.editingFinished.emit()
    await expect(["b-pump.png", "c-clip.mp4"])
    tab.exclude_edit.setText("before")
    tab.exclude_edit.editingFinished.emit()
    await expect(["c-clip.mp4"])
    tab.labels_edit.setText("")
    tab.labels_edit.editingFinished.emit()
    tab.exclude_edit.setText("")
    tab.exclude_edit.editingFinished.emit()
    tab.type_box.setCurrentText("image/*")
    await expect(["b-pump.png", "a-valve.png"])
    tab.type_box.setCurrentText("")
    tab.archived_box.setCurrentIndex(2)  # only archived
    await expect(["d-old.png  (archived)"])
    tab.archived_box.setCurrentIndex(1)  # with archived
    tab.sort_box.setCurrentIndex([s for _, s in SORT_CHOICES].index("-filename"))
    await expect(["e-half.bin", "d-old.png  (archived)", "c-clip.mp4", "b-pump.png", "a-valve.png"])
    tab.sort_box.setCurrentIndex([s for _, s in SORT_CHOICES].index("filename"))
    await expect(["a-valve.png", "b-pump.png", "c-clip.mp4", "d-old.png  (archived)", "e-half.bin"])
    tab.sort_box.setCurrentIndex([s for _, s in SORT_CHOICES].index("-modifiedAt"))
    await expect(["e-half.bin", "d-old.png  (archived)", "c-clip.mp4", "a-valve.png", "b-pump.png"])


async def test_cursor_paging(services: Any, tech: Any, app_id: str, monkeypatch: Any, qtbot: Any) -> None:
    monkeypatch.setattr(media_controller, "PAGE_SIZE", 3)
    sid = await new_session(tech, app_id)
    for i in range(7):
        await add_media(tech, app_id, sid, f"p{i}.bin", b"x", content_type="application/octet-stream")
    tab = MediaTab(services.media)
    qtbot.addWidget(tab)
    services.media.open(app_id, sid)
    model = services.media.model
    try:
        await wait_until(lambda: model.rowCount() == 3, 60, what="first page of 3")
    except AssertionError:
        dump_tasks()
        raise
    assert model.total == 7 and model.canFetchMore()
    while model.canFetchMore():
        model.fetchMore()
        await wait_until(lambda: not model._fetching, 60, what="next page")
    assert shown(tab) == [f"p{i}.bin" for i in range(7)]
    assert "7 items" in tab.count_label.text()


async def test_thumbnails_load_for_visible_rows_once(
    services: Any, tech: Any, app_id: str, sandbox: Any, qtbot: Any
) -> None:
    sid = await new_session(tech, app_id)
    made = [await add_media(tech, app_id, sid, f"photo-{i:02}.png") for i in range(30)]
    downloads = sandbox.service.content_downloads
    tab = MediaTab(services.media)
    qtbot.addWidget(tab)
    tab.resize(900, 300)  # room for a handful of rows
    tab.show()
    services.media.open(app_id, sid)
    model = services.media.model
    await wait_until(lambda: model.rowCount() == 30, 60, what="list")

    def thumbed() -> list[int]:
        # Only asks the loader what it holds: reading DecorationRole here would request every row.
        return [r for r, m in enumerate(model.items) if services.thumbnails.ready_for(m)]

    def painted(row: int) -> bool:
        return model.index(row, COL_FILENAME).data(Qt.ItemDataRole.DecorationRole) is not None

    await wait_until(lambda: len(thumbed()) >= 3 and services.thumbnails.pending == 0, 60, what="thumbnails")
    fetched = [m.media_id for m in made if downloads[m.media_id]]
    assert 3 <= len(fetched) < 15, f"{len(fetched)} of 30 fetched with only a few rows in view"
    assert thumbed() == list(range(len(thumbed())))  # the rows at the top, where the view is
    assert painted(0)  # what the view paints: the pixmap
    assert painted(0)  # what the view paints: the pixmap
    assert all(downloads[m] == 1 for m in fetched)

    # A second view of the same list: nothing is fetched again (memory) ...
    services.media.open(None, None)
    services.media.open(app_id, sid)
    await wait_until(lambda: len(thumbed()) >= 3, 60, what="thumbnails again")
    assert all(downloads[m] == 1 for m in fetched)
    # ... nor after the memory is dropped, as in a new run of the app (the disk cache per profile).
    services.thumbnails.forget()
    before = services.thumbnails.from_disk
    model.beginResetModel()
    model.endResetModel()
    await wait_until(lambda: len(thumbed()) >= 3 and services.thumbnails.pending == 0, 60, what="from disk")
    assert services.thumbnails.from_disk > before
    assert all(downloads[m] == 1 for m in fetched)
    cache = services.thumbnails.cache
    assert cache is not None and "thumbnails" in str(cache.folder) and cache.size() > 0
