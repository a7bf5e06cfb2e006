"""The session table repaints only the shown rows whose data changed (storm batches are mostly unseen)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication

from skydesk.models.filters import SessionFilters
from skydesk.models.session_columns import COL_NAME
from skydesk.models.session_table import SessionTableModel
from skydesk.ui.session_list import SessionListPane
from tests.models.sessions import changed, make_session


class _Paints(QObject):
    """The regions painted on a widget."""

    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.rects: list[QRect] = []
        widget.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QPaintEvent):
            self.rects.append(event.region().boundingRect())
        return False


def _scrolled_to_the_end(qtbot: Any, rows: int) -> tuple[SessionListPane, SessionTableModel, _Paints]:
    pane = SessionListPane()
    qtbot.addWidget(pane)
    model = SessionTableModel(pane)
    model.set_fetch_callback(lambda: None)
    pane.set_model(model)
    pane.resize(900, 400)
    pane.show()
    qtbot.waitExposed(pane)
    model.begin_load(SessionFilters())
    model.append_page([make_session(i) for i in range(rows)], total=rows, has_more=False)
    model.fetch_finished()
    table, bar = pane.table, pane.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and not pane._span_timer.isActive(), timeout=5000)
    bar.setValue(bar.maximum())
    paints = _Paints(table.viewport())
    table.viewport().update()
    qtbot.waitUntil(lambda: len(paints.rects) == 1, timeout=5000)
    QApplication.processEvents()
    paints.rects.clear()
    return pane, model, paints


def test_changes_to_rows_out_of_sight_do_not_repaint_the_shown_rows(qtbot: Any) -> None:
    pane, model, paints = _scrolled_to_the_end(qtbot, 300)
    table = pane.table
    first_shown = table.rowAt(0)
    assert first_shown > 50
    model.apply_sessions([changed(make_session(n), name=f"Renamed {n}") for n in range(0, 40, 3)])
    QApplication.processEvents()
    assert paints.rects == [], "no shown row changed: nothing repainted"
    assert model.data(model.index(3, COL_NAME)) == "Renamed 3"  # the model has it; shown when scrolled to

    # A batch from far above down to a shown row repaints the shown rows of that range only.
    upto = first_shown + 2
    model.apply_sessions([changed(make_session(n), name=f"Renamed {n}") for n in (1, upto)])
    qtbot.waitUntil(lambda: len(paints.rects) > 0, timeout=5000)
    top = max(0, table.rowViewportPosition(first_shown))
    rows_rect = QRect(0, top, table.viewport().width(), table.rowViewportPosition(upto + 1) - top)
    assert all(rows_rect.contains(rect) for rect in paints.rects), (paints.rects, rows_rect)
    assert rows_rect.height() < table.viewport().height() / 2
    assert model.data(model.index(upto, COL_NAME)) == f"Renamed {upto}"

    table.verticalScrollBar().setValue(0)  # rows scrolled into sight show their new data
    qtbot.waitUntil(lambda: table.rowAt(0) == 0, timeout=5000)
    rect = table.visualRect(model.index(3, COL_NAME))
    assert table.indexAt(rect.center()).data() == "Renamed 3"


def test_ending_highlights_announce_runs_of_rows_not_each_row(qtbot: Any) -> None:
    _pane, model, _paints = _scrolled_to_the_end(qtbot, 60)
    ranges: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda tl, br, roles=(): ranges.append((tl.row(), br.row())) if roles else None)
    model.apply_sessions([changed(make_session(n)) for n in (0, 1, 2, 3, 7, 9, 10)])
    qtbot.waitUntil(lambda: len(ranges) >= 3, timeout=10_000)  # the highlights fade after ~1.5 s
    assert sorted(ranges) == [(0, 3), (7, 7), (9, 10)]
