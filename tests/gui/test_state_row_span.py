"""The list's state row spans the table's width, and pages that come in time leave the spans alone."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject
from PySide6.QtWidgets import QApplication

from skydesk.models.filters import SessionFilters
from skydesk.models.session_columns import COL_NAME
from skydesk.models.session_table import SessionTableModel
from skydesk.ui.session_list import SessionListPane
from tests.models.sessions import make_session


def _shown_pane(qtbot: Any, width: int = 0, height: int = 0) -> tuple[SessionListPane, SessionTableModel]:
    pane = SessionListPane()
    qtbot.addWidget(pane)
    model = SessionTableModel(pane)
    model.set_fetch_callback(lambda: None)  # pages are appended by hand
    pane.set_model(model)
    if width:
        pane.resize(width, height)
    pane.show()
    return pane, model


def test_the_state_row_spans_the_width_and_pages_in_time_do_not_touch_the_spans(qtbot: Any) -> None:
    pane, model = _shown_pane(qtbot)
    table, width = pane.table, model.columnCount()
    model.begin_load(SessionFilters())
    qtbot.waitUntil(lambda: table.columnSpan(0, 0) == width, timeout=5000)  # "Loading sessions…"

    clears: list[int] = []
    clear_spans = table.clearSpans
    table.clearSpans = lambda: (clears.append(1), clear_spans())  # type: ignore[method-assign]
    model.append_page([make_session(i) for i in range(20)], total=60, has_more=True)
    model.fetch_finished()
    qtbot.waitUntil(lambda: clears == [1], timeout=5000)  # the loading row went: its span once
    for page in (1, 2):  # loading more, and the page arrives before its row would show
        model.fetchMore(QModelIndex())
        model.append_page([make_session(20 * page + i) for i in range(20)], total=60, has_more=page < 2)
        model.fetch_finished()
        # the pane's deferred span update has run (and must have found nothing to do)
        qtbot.waitUntil(lambda: not pane._span_timer.isActive(), timeout=5000)
    assert clears == [1], "no full-table repaint from clearing spans after each page"
    assert model.rowCount() == 60 and all(table.columnSpan(r, 0) == 1 for r in range(60))

    model.begin_load(SessionFilters(status="closed"))
    model.append_page([], total=0, has_more=False)
    model.fetch_finished()  # "No sessions match these filters" spans the width
    qtbot.waitUntil(lambda: model.rowCount() == 1 and table.columnSpan(0, 0) == width, timeout=5000)


class _Paints(QObject):
    """Counts the paint events of a widget."""

    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_rows_added_below_the_shown_ones_do_not_repaint_the_table(qtbot: Any) -> None:
    pane, model = _shown_pane(qtbot, 900, 400)
    model.begin_load(SessionFilters())
    model.append_page([make_session(i) for i in range(100)], total=300, has_more=True)
    model.fetch_finished()
    table, bar = pane.table, pane.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and not pane._span_timer.isActive(), timeout=5000)
    paints = _Paints(table.viewport())
    table.viewport().update()
    qtbot.waitUntil(lambda: paints.count == 1, timeout=5000)
    shown_max = bar.maximum()
    model.append_page([make_session(i) for i in range(100, 200)], total=300, has_more=True)
    qtbot.waitUntil(lambda: bar.maximum() > shown_max, timeout=5000)  # laid out: the scroll bar grew
    QApplication.processEvents()
    assert paints.count == 1, "the shown rows did not change: no repaint"
    model.apply_sessions([make_session(1000, created_at=make_session(0).created_at)])  # new first row
    qtbot.waitUntil(lambda: paints.count > 1, timeout=5000)
    assert model.data(model.index(1, COL_NAME)) == "Inspection 01000"


def test_pages_in_quick_succession_repaint_the_scroll_bar_and_count_once_per_interval(
    qtbot: Any, monkeypatch: Any
) -> None:
    # Intervals far longer than the test, so what is held back does not depend on the machine's speed.
    monkeypatch.setattr("skydesk.ui.session_table_view.SCROLL_BAR_PAINT_MS", 600_000)
    monkeypatch.setattr("skydesk.ui.session_list.PROGRESS_TEXT_MS", 600_000)
    pane, model = _shown_pane(qtbot, 900, 400)
    table, bar, label = pane.table, pane.table.verticalScrollBar(), pane.count_label
    model.begin_load(SessionFilters())

    def page(n: int) -> None:  # rows 100n .. 100n + 99 of 600, laid out
        shown_max = bar.maximum()
        model.append_page([make_session(100 * n + i) for i in range(100)], total=600, has_more=n < 5)
        model.fetch_finished()
        qtbot.waitUntil(lambda: bar.maximum() > shown_max, timeout=5000)  # the range follows each page

    page(0)
    qtbot.waitUntil(lambda: not pane._span_timer.isActive(), timeout=5000)
    assert label.text() == "100 of 600 sessions loaded"
    qtbot.waitExposed(pane)
    paints = _Paints(bar)
    bar.update()
    qtbot.waitUntil(lambda: paints.count > 0, timeout=5000)
    QApplication.processEvents()  # the window's first paints are behind us
    paints.count = 0
    page(1)
    qtbot.waitUntil(lambda: paints.count == 1, timeout=5000)  # the first page after a pause: painted at once
    page(2)
    page(3)
    QApplication.processEvents()
    assert paints.count == 1 and not bar.updatesEnabled(), "the next two wait for the interval"
    assert label.text() == "100 of 600 sessions loaded", "progress words wait for the interval too"
    # The interval ends (as its timers would say): one repaint shows where paging has got to.
    table._on_bar_timer_timeout()
    pane._on_count_timer_timeout()
    assert table._bar_timer.isActive(), "still paging: the next interval has begun"
    qtbot.waitUntil(lambda: paints.count == 2 and label.text() == "400 of 600 sessions loaded", timeout=5000)
    assert bar.updatesEnabled()
    # While the user drags the handle, it follows every page.
    bar.setSliderDown(True)
    page(4)
    qtbot.waitUntil(lambda: paints.count == 3, timeout=5000)
    assert bar.updatesEnabled()
    bar.setSliderDown(False)
    # The last page: its words show at once, whatever the interval.
    page(5)
    assert label.text() == "600 sessions"
