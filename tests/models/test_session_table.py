"""SessionTableModel: state rows with words, paging guard, live upserts, sort placement, highlights."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from skydesk.models.filters import SessionFilters
from skydesk.models.session_columns import COL_NAME, COL_STATUS
from skydesk.models.session_table import (
    HighlightRole,
    SessionIdRole,
    SessionRole,
    SessionTableModel,
    StateRowRole,
)
from tests.models.sessions import changed, make_session
from tests.support.qt import wait_until


def snapshot(model: SessionTableModel, columns: tuple[int, ...] = (0, 1, 5)) -> list[str]:
    """What the table shows, one line per row, selected columns joined by ' | '."""
    lines = []
    for row in range(model.rowCount()):
        cells = [model.data(model.index(row, c)) or "" for c in columns]
        lines.append(" | ".join(cells).rstrip(" |"))
    return lines


@pytest.fixture
def model(qapp: Any) -> Iterator[SessionTableModel]:
    made = SessionTableModel()
    yield made
    shiboken6.delete(made)  # with its highlight timer, now: the leak check runs after this


def loaded(model: SessionTableModel, n: int, has_more: bool = False, **filters: Any) -> None:
    model.begin_load(SessionFilters(**filters))
    model.append_page(
        [make_session(i) for i in range(n)], total=n + (100 if has_more else 0), has_more=has_more
    )
    model.fetch_finished()


def test_states_have_words_and_pass_the_model_tester(
    model: SessionTableModel, qtmodeltester: ModelTester
) -> None:
    qtmodeltester.check(model)  # empty, never loaded
    assert model.rowCount() == 0

    model.begin_load(SessionFilters())
    qtmodeltester.check(model)
    assert snapshot(model) == ["Loading sessions…"]
    assert model.data(model.index(0, 0), StateRowRole) is True
    assert model.flags(model.index(0, 0)) == Qt.ItemFlag.ItemIsEnabled  # not selectable

    model.append_page([], total=0, has_more=False)
    model.fetch_finished()
    qtmodeltester.check(model)
    assert snapshot(model) == ["No sessions match these filters"]

    model.begin_load(SessionFilters())
    model.set_error("Cannot reach 127.0.0.1:9")
    model.fetch_finished()
    qtmodeltester.check(model)
    assert snapshot(model) == ["Could not load sessions: Cannot reach 127.0.0.1:9 — press F5 to retry"]
    assert not model.canFetchMore(QModelIndex())


def test_loaded_rows_snapshot(model: SessionTableModel, qtmodeltester: ModelTester) -> None:
    loaded(model, 3)
    qtmodeltester.check(model)
    assert model.columnCount() == 9
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(9)] == [
        "Name", "Status", "Participants", "Created", "Modified", "site", "orderId", "assetId", "priority",
    ]  # fmt: skip
    assert snapshot(model) == [
        "Inspection 00000 | Open | South",
        "Inspection 00001 | Open | North",
        "Inspection 00002 | Open | South",
    ]
    assert model.data(model.index(1, 2)) == "u-tech, field-team"
    assert model.data(model.index(1, 0), SessionIdRole) == "s00001"
    assert model.data(model.index(1, 0), SessionRole) == make_session(1)
    assert model.row_of("s00002") == 2 and model.session_at(2) == make_session(2)
    assert model.total == 3


def test_fetch_more_is_guarded_until_the_page_is_done(model: SessionTableModel, qtbot: Any) -> None:
    calls: list[int] = []
    model.set_fetch_callback(lambda: calls.append(1))
    loaded(model, 5, has_more=True)
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # a view scrolling fast asks again: ignored while loading
    assert calls == [1]
    assert model.state == "loading"
    qtbot.waitUntil(lambda: snapshot(model)[-1] == "Loading more sessions…", timeout=5000)
    assert not model.canFetchMore(QModelIndex())
    model.fetch_finished()  # e.g. the page task was cancelled or failed
    assert snapshot(model)[-1] == "Inspection 00004 | Open | South"
    assert model.canFetchMore(QModelIndex())


def test_append_page_keeps_ids_unique(model: SessionTableModel, qtmodeltester: ModelTester) -> None:
    loaded(model, 3, has_more=True)
    qtmodeltester.check(model)
    # The next page repeats s00002 (e.g. it was inserted live meanwhile) with newer data.
    model.append_page([changed(make_session(2), name="Renamed"), make_session(3)], total=4, has_more=False)
    model.fetch_finished()
    assert [s.session_id for s in model.sessions()] == ["s00000", "s00001", "s00002", "s00003"]
    assert model.data(model.index(2, COL_NAME)) == "Renamed"
    assert model.total == 4


def test_a_page_older_than_a_live_row_does_not_undo_it(model: SessionTableModel) -> None:
    loaded(model, 3, has_more=True)
    live = changed(make_session(2), name="Changed live")  # a change shown after the next page was made
    model.apply_sessions([live])
    model.append_page([make_session(2), make_session(3)], total=4, has_more=False)  # s00002's older copy
    model.fetch_finished()
    assert [s.session_id for s in model.sessions()] == ["s00000", "s00001", "s00002", "s00003"]
    assert model.session_at(2) == live


def test_live_changes_made_while_a_refresh_loads_survive_its_older_pages(model: SessionTableModel) -> None:
    loaded(model, 4, status="open")
    model.begin_refresh()  # F5 or a resync: its pages are read while these events arrive
    created, renamed = make_session(9), changed(make_session(1), name="Renamed meanwhile")
    model.apply_sessions([created, renamed, changed(make_session(2), status="closed")])
    model.forget("s00003")  # the user left it meanwhile
    # The refresh was read before all of that: it has s00001's old name, s00002 open, s00003, no s00009.
    model.replace_sessions([make_session(i) for i in range(4)], total=4, has_more=False)
    model.fetch_finished()
    assert [s.session_id for s in model.sessions()] == ["s00000", "s00001", "s00009"]
    assert model.session_at(1) == renamed
    assert model.total == 3
    # A refresh read after the events changes nothing more; and once done, nothing is replayed again.
    model.begin_refresh()
    model.replace_sessions([make_session(0), renamed, created], total=3, has_more=False)
    model.fetch_finished()
    assert [s.session_id for s in model.sessions()] == ["s00000", "s00001", "s00009"]
    assert model.total == 3


def test_a_failed_refresh_forgets_the_changes_it_kept(model: SessionTableModel) -> None:
    loaded(model, 2)
    model.begin_refresh()
    model.apply_sessions([changed(make_session(1), name="Live")])
    model.fetch_finished()  # the refresh failed: the rows stay as they are, live change included
    model.replace_sessions([make_session(0), make_session(1)], total=2, has_more=False)  # a later load
    assert model.session_at(1) == make_session(1)


def test_live_update_changes_only_that_row(model: SessionTableModel, qtmodeltester: ModelTester) -> None:
    loaded(model, 4)
    qtmodeltester.check(model)
    emitted: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda tl, br, roles=(): emitted.append((tl.row(), br.row())))
    model.apply_sessions([changed(make_session(1), name="Pump swapped")])
    assert emitted == [(1, 1)]
    assert model.data(model.index(1, COL_NAME)) == "Pump swapped"
    assert model.data(model.index(1, 0), HighlightRole) is not None
    assert model.data(model.index(0, 0), HighlightRole) is None
    # A late, older event must not overwrite newer data.
    model.apply_sessions([make_session(1, name="stale")])
    assert model.data(model.index(1, COL_NAME)) == "Pump swapped"


def test_new_sessions_go_where_the_sort_puts_them(
    model: SessionTableModel, qtmodeltester: ModelTester
) -> None:
    loaded(model, 4, sort="-createdAt")  # newest first
    model.begin_load(SessionFilters(sort="-createdAt"))
    model.append_page([make_session(i) for i in (8, 6, 4, 2)], total=4, has_more=False)
    model.fetch_finished()
    model.apply_sessions([make_session(5), make_session(9), make_session(1)])
    qtmodeltester.check(model)
    assert [s.session_id for s in model.sessions()] == [f"s{n:05d}" for n in (9, 8, 6, 5, 4, 2, 1)]
    assert model.total == 7

    model.begin_load(SessionFilters(sort="name"))
    model.append_page(
        [make_session(i, name=n) for i, n in enumerate(["b", "d", "f"])], total=3, has_more=False
    )
    model.fetch_finished()
    model.apply_sessions([make_session(7, name="e"), make_session(8, name="a")])
    assert [s.name for s in model.sessions()] == ["a", "b", "d", "e", "f"]


def test_new_session_beyond_loaded_pages_waits_for_paging(model: SessionTableModel) -> None:
    loaded(model, 3, has_more=True)  # creation order: a new session belongs at the very end
    model.apply_sessions([make_session(50)])
    assert model.row_of("s00050") == -1
    assert model.total == 104  # but the count includes it


def test_filters_decide_live_membership(model: SessionTableModel, qtmodeltester: ModelTester) -> None:
    loaded(model, 4, status="open", properties={"site": ["North"]})
    model.begin_load(SessionFilters(status="open", properties={"site": ["North"]}))
    model.append_page([make_session(1), make_session(3)], total=2, has_more=False)
    model.fetch_finished()
    model.apply_sessions([make_session(4)])  # site South: not for this list
    model.apply_sessions([make_session(5)])  # North: inserted
    assert [s.session_id for s in model.sessions()] == ["s00001", "s00003", "s00005"]
    model.apply_sessions([changed(make_session(3), status="closed")])  # leaves the status=open view
    qtmodeltester.check(model)
    assert [s.session_id for s in model.sessions()] == ["s00001", "s00005"]
    assert model.total == 2


def test_closed_session_changes_status_in_unfiltered_view(model: SessionTableModel) -> None:
    loaded(model, 3)
    model.apply_sessions([changed(make_session(2), status="closed")])
    assert model.data(model.index(2, COL_STATUS)) == "Closed"


def test_update_under_modified_sort_moves_the_row(
    model: SessionTableModel, qtmodeltester: ModelTester
) -> None:
    model.begin_load(SessionFilters(sort="-modifiedAt"))
    model.append_page([make_session(i) for i in (3, 2, 1, 0)], total=4, has_more=False)
    model.fetch_finished()
    qtmodeltester.check(model)
    model.apply_sessions([changed(make_session(1), minutes=30)])
    assert [s.session_id for s in model.sessions()] == ["s00001", "s00003", "s00002", "s00000"]
    assert model.row_of("s00001") == 0 and model.row_of("s00000") == 3
    model.apply_sessions([changed(make_session(1), minutes=-30)])  # older than the shown one: ignored
    assert model.row_of("s00001") == 0


def test_live_insert_into_empty_list_replaces_the_empty_row(model: SessionTableModel) -> None:
    loaded(model, 0)
    assert snapshot(model) == ["No sessions match these filters"]
    model.apply_sessions([make_session(1)])
    assert snapshot(model) == ["Inspection 00001 | Open | North"]


async def test_highlight_fades_after_about_a_second_and_a_half(model: SessionTableModel) -> None:
    loaded(model, 2)
    cleared: list[int] = []
    model.dataChanged.connect(
        lambda tl, br, roles=(): cleared.append(tl.row()) if HighlightRole in roles else None
    )
    model.apply_sessions([changed(make_session(0))])
    assert model.data(model.index(0, 0), HighlightRole) is not None
    await asyncio.sleep(0.5)
    assert model.data(model.index(0, 0), HighlightRole) is not None
    await wait_until(lambda: model.data(model.index(0, 0), HighlightRole) is None, within=5, what="fade")
    assert cleared == [0]


def test_header_click_requests_server_sort(model: SessionTableModel) -> None:
    asked: list[str] = []
    model.sort_requested.connect(asked.append)
    model.sort(COL_NAME, Qt.SortOrder.AscendingOrder)
    model.sort(3, Qt.SortOrder.DescendingOrder)
    model.sort(COL_STATUS, Qt.SortOrder.AscendingOrder)  # not sortable on the server: ignored
    assert asked == ["name", "-createdAt"]


def test_many_rows_cost_no_qobjects(model: SessionTableModel) -> None:
    model.begin_load(SessionFilters())
    model.append_page([make_session(i) for i in range(20_000)], total=20_000, has_more=False)
    model.fetch_finished()
    assert model.rowCount() == 20_000
    assert len(model.children()) <= 2  # only the highlight timer: rows are plain Session objects
    model.apply_sessions([make_session(20_001), changed(make_session(5), name="Renamed")])
    assert model.row_of("s20001") == 20_000
    assert model.data(model.index(5, COL_NAME)) == "Renamed"
    # Full collections do not scan the rows (B5): none of them is tracked, whichever way it came in.
    assert not any(gc.is_tracked(s) for s in model.sessions())


def test_an_id_repeated_within_one_page_is_one_row(
    model: SessionTableModel, qtmodeltester: ModelTester
) -> None:
    """A first page that repeats an id: no IndexError, one row for it, no other row overwritten."""
    qtmodeltester.check(model)
    model.begin_load(SessionFilters())
    first, second, third = make_session(1), make_session(2), make_session(3)
    again = changed(first, name="Pump check (newer copy)")
    model.append_page([first, second, again, third], total=3, has_more=False)
    model.fetch_finished()
    assert model.rowCount() == 3
    ids = [model.data(model.index(r, COL_NAME), SessionIdRole) for r in range(3)]
    assert sorted(ids) == ["s00001", "s00002", "s00003"]
    assert model.data(model.index(ids.index("s00001"), COL_NAME)) == "Pump check (newer copy)"
    assert model.data(model.index(ids.index("s00002"), COL_NAME)) == second.name
    assert model.data(model.index(ids.index("s00003"), COL_NAME)) == third.name

    # A later page repeating one of its own ids, and one already shown, adds only the new one once.
    fourth = make_session(4)
    model.append_page([fourth, changed(second, name="Second, renamed"), fourth], total=4, has_more=False)
    ids = [model.data(model.index(r, COL_NAME), SessionIdRole) for r in range(model.rowCount())]
    assert sorted(ids) == ["s00001", "s00002", "s00003", "s00004"]
    assert model.data(model.index(ids.index("s00002"), COL_NAME)) == "Second, renamed"
    assert model.data(model.index(ids.index("s00003"), COL_NAME)) == third.name


def test_a_batch_of_live_changes_is_announced_once_and_moves_stay_exact(
    model: SessionTableModel, qtmodeltester: ModelTester
) -> None:
    loaded(model, 8, sort="modifiedAt")
    qtmodeltester.check(model)
    emitted: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda tl, br, roles=(): emitted.append((tl.row(), br.row())))
    renamed = [changed(make_session(n), minutes=0, name=f"Renamed {n}") for n in (2, 5, 3)]
    model.apply_sessions(renamed)  # same modifiedAt: every row stays where it is
    assert emitted == [(2, 5)]  # one signal covering the rows of the batch, not one per row
    assert [model.data(model.index(r, COL_NAME)) for r in (2, 3, 5)] == [
        "Renamed 2",
        "Renamed 3",
        "Renamed 5",
    ]
    emitted.clear()
    model.apply_sessions([changed(make_session(1), name="Newest"), changed(make_session(6), minutes=1)])
    by_modified = sorted(model.sessions(), key=lambda s: (s.modified_at, s.created_at))
    order = [s.session_id for s in model.sessions()]
    assert order == [s.session_id for s in by_modified]
    assert order[-1] == "s00001"
    assert [model.row_of(sid) for sid in order] == list(range(8))
    assert emitted and all(0 <= lo <= hi < 8 for lo, hi in emitted)


def test_a_page_in_time_changes_the_row_count_once_and_a_slow_one_shows_loading_more(
    model: SessionTableModel, qtmodeltester: ModelTester, qtbot: Any
) -> None:
    model.set_fetch_callback(lambda: None)
    loaded(model, 5, has_more=True)
    qtmodeltester.check(model)
    changes: list[tuple[str, int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: changes.append(("inserted", first, last)))
    model.rowsRemoved.connect(lambda _p, first, last: changes.append(("removed", first, last)))
    model.fetchMore(QModelIndex())
    assert model.state == "loading" and model.state_text == "Loading more sessions…"
    model.append_page([make_session(i) for i in range(5, 8)], total=108, has_more=True)
    model.fetch_finished()
    assert changes == [("inserted", 5, 7)], "no loading row came and went around a page that was in time"
    assert model.rowCount() == 8 and model.state == "none"
    changes.clear()
    model.fetchMore(QModelIndex())  # this page is slow: the words become a row after a moment
    qtbot.waitUntil(lambda: model.rowCount() == 9, timeout=5000)
    assert snapshot(model)[-1] == "Loading more sessions…"
    model.append_page([make_session(8)], total=108, has_more=True)
    model.fetch_finished()
    assert changes == [("inserted", 8, 8), ("inserted", 8, 8), ("removed", 9, 9)]
    assert model.rowCount() == 9 and snapshot(model)[-1] == "Inspection 00008 | Open | South"
    model.fetchMore(QModelIndex())
    model.set_error("server went away")  # an error while the row is held back shows at once
    assert snapshot(model)[-1].startswith("Could not load sessions: server went away")


def test_unread_rows_are_bold_and_share_one_font(model: SessionTableModel) -> None:
    loaded(model, 3)
    model.unread = {"s00001", "s00002"}
    fonts = [model.data(model.index(row, col), Qt.ItemDataRole.FontRole) for row in (1, 2) for col in (0, 3)]
    assert all(font.bold() for font in fonts)
    assert all(font is fonts[0] for font in fonts), "one font object, not one per painted cell"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole) is None
