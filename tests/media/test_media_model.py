"""The media list model alone: Qt's model checks, cell text, paging guard, and the query's own rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt

from skydesk.api import Media
from skydesk.models.media import (
    COL_LABELS,
    COL_SIZE,
    COL_UPLOAD,
    IncompleteRole,
    MediaListModel,
    MediaQuery,
    human_size,
)


def item(n: int, **fields: Any) -> Media:
    base: dict[str, Any] = {
        "media_id": f"m{n}", "session_id": "s", "application_id": "a", "filename": f"f{n}.png", "title": "",
        "description": "", "content_type": "image/png", "labels": (), "properties": {}, "total_bytes": 2048,
        "uploaded_bytes": 2048, "etag": "e", "archived": False, "created_by": "u",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC), "modified_by": "u",
        "modified_at": datetime(2026, 1, 1, tzinfo=UTC),
    }  # fmt: skip
    base.update(fields)
    return Media(**base)


def test_model_passes_qt_checks_and_pages(qtmodeltester: Any) -> None:
    model = MediaListModel()
    asked: list[bool] = []
    model.fetch_callback = lambda: asked.append(True)
    qtmodeltester.check(model)
    model.set_page([item(1, labels=("a", "b")), item(2, uploaded_bytes=512)], total=3, has_more=True)
    qtmodeltester.check(model)
    assert model.index(0, COL_LABELS).data() == "a, b" and model.index(0, COL_SIZE).data() == "2.0 KB"
    assert model.index(1, COL_UPLOAD).data() == "incomplete: 512 bytes of 2.0 KB (25 %)"
    assert model.index(1, 0).data(IncompleteRole) is True
    model.fetchMore()
    model.fetchMore()  # guarded: one request until the page arrives
    assert asked == [True] and not model.canFetchMore()
    model.append_page([item(2), item(3)], total=3, has_more=False)  # m2 already listed: not twice
    assert [m.media_id for m in model.items] == ["m1", "m2", "m3"] and not model.canFetchMore()
    model.remove("m1")
    assert model.total == 2 and model.index(0, 0).data(Qt.ItemDataRole.DisplayRole) == "f2.png"


def test_query_admits_what_the_server_would_list() -> None:
    photo = item(1, labels=("pump",))
    assert MediaQuery().admits(photo) and not MediaQuery(archived="only").admits(photo)
    assert not MediaQuery().admits(item(2, archived=True))
    assert MediaQuery(archived="include").admits(item(2, archived=True))
    assert MediaQuery(labels=("pump", "x")).admits(photo) and not MediaQuery(exclude_labels=("pump",)).admits(
        photo
    )
    assert MediaQuery(content_types=("image/*",)).admits(photo)
    assert not MediaQuery(content_types=("video/*",)).admits(photo)
    assert MediaQuery(labels=("a",), sort="-filename").kwargs() == {
        "archived": "exclude", "labels": ["a"], "sort": "-filename"
    }  # fmt: skip
    assert human_size(5) == "5 bytes" and human_size(3 * 1024**3) == "3.0 GB"
