"""The session table's columns fit a 1280-px window; the others are a right-click away and remembered."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt

from skydesk.models.session_columns import COL_NAME
from tests.gui.helpers import close_window, signed_in_window
from tests.support.qt import wait_until


def _shown(window: Any) -> list[str]:
    header = window.workspace.sessions.table.horizontalHeader()
    model = window.services.browser.model
    return [
        str(model.headerData(c, header.orientation()))
        for c in range(model.columnCount())
        if not header.isSectionHidden(c)
    ]


async def test_default_columns_fit_and_long_names_are_elided_with_a_tooltip(
    make_window: Any, sandbox: Any
) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    window.set_size(1280, 800)
    # Let Qt lay out by yielding to the loop; a nested processEvents() inside this task's step would run
    # other tasks' steps re-entrantly, which asyncio refuses, and a lost step left a request hanging forever.
    await asyncio.sleep(0.05)
    table = window.workspace.sessions.table
    assert _shown(window) == ["Name", "Status", "Participants", "Modified", "site", "priority"]
    assert table.horizontalHeader().length() <= table.viewport().width()
    assert table.horizontalScrollBar().maximum() == 0, "nothing runs off to the right"
    assert table.columnWidth(COL_NAME) >= table.fontMetrics().horizontalAdvance("M") * 15

    model = window.services.browser.model
    longest = max(range(len(model.sessions())), key=lambda r: len(model.sessions()[r].name))
    index = model.index(longest, COL_NAME)
    full = model.sessions()[longest].name
    assert table.fontMetrics().horizontalAdvance(full) > table.columnWidth(COL_NAME), "it needs eliding"
    assert index.data(Qt.ItemDataRole.DisplayRole) == full
    assert index.data(Qt.ItemDataRole.ToolTipRole) == full


async def test_columns_are_chosen_from_the_header_menu_and_remembered(
    make_window: Any, sandbox: Any, tmp_path: Path
) -> None:
    settings_path = tmp_path / "columns.json"
    window = await signed_in_window(make_window, sandbox, "dispatch", settings_path=settings_path)
    pane = window.workspace.sessions
    header = pane.table.horizontalHeader()
    header.customContextMenuRequested.emit(QPoint(10, 5))  # what a right-click on the header does
    menu = await wait_until(lambda: pane.column_menu, 5, what="the column menu")
    actions = {a.text(): a for a in menu.actions()}
    assert not actions["Name"].isEnabled(), "the name column cannot be hidden"
    assert not actions["Created"].isChecked()
    actions["Created"].trigger()
    actions["site"].trigger()
    menu.close()
    assert "Created" in _shown(window) and "site" not in _shown(window)
    await close_window(window)

    again = await signed_in_window(make_window, sandbox, "dispatch", settings_path=settings_path)
    assert _shown(again) == ["Name", "Status", "Participants", "Created", "Modified", "priority"]
