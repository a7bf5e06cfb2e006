"""The list's words and the pane's place in it: filtered counts, Clear filters, sessions outside the list."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from skydesk.models.session_columns import COL_NAME
from tests.gui.helpers import signed_in_window, visible_column, wait_loaded
from tests.support.qt import wait_until


def _press(box: QMessageBox, text: str) -> None:
    QTest.mouseClick(next(b for b in box.buttons() if b.text() == text), Qt.MouseButton.LeftButton)


async def test_the_count_says_filtered_and_clear_filters_shows_everything(
    make_window: Any, sandbox: Any
) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    pane = window.workspace.sessions
    bar = pane.filter_bar
    model = window.services.browser.model
    every = model.total
    assert pane.count_label.text() == f"{every} sessions"
    assert bar.more.text() == "More filters" and not bar.clear.isEnabled()

    bar.status.setCurrentIndex(bar.status.findData("closed"))
    await wait_until(lambda: "(filtered)" in pane.count_label.text(), 20, what="the filtered count")
    await wait_loaded(window)
    closed = model.total
    assert 0 < closed < every
    assert pane.count_label.text() == f"{closed} of {every} sessions (filtered)"
    assert bar.more.text() == "More filters" and bar.clear.isEnabled()

    bar.more.click()
    bar.created_by.setText(sandbox.info.user("dispatch").id)
    await wait_until(lambda: bar.more.text() == "More filters (1)", 10, what="More filters (1)")
    assert bar.more.accessibleName() == "More filters (1)"

    QTest.mouseClick(bar.clear, Qt.MouseButton.LeftButton)
    await wait_until(lambda: pane.count_label.text() == f"{every} sessions", 20, what="every session again")
    assert bar.status.currentData() is None and bar.created_by.text() == ""
    assert bar.more.text() == "More filters" and not bar.clear.isEnabled()


async def test_a_session_filtered_out_of_the_list_stays_open_and_says_so(
    make_window: Any, sandbox: Any
) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    workspace = window.workspace
    model = window.services.browser.model
    session = next(s for s in model.sessions() if s.is_open)
    workspace.sessions.select_session(session.session_id)
    pane = workspace.detail_pane
    await wait_until(lambda: pane.session is not None and pane.session.session_id == session.session_id, 10)
    assert not pane.notice.isVisible()

    bar = workspace.sessions.filter_bar
    bar.status.setCurrentIndex(bar.status.findData("closed"))
    await wait_until(lambda: model.row_of(session.session_id) < 0 and model.total > 0, 20, what="filtered")
    await wait_loaded(window)
    assert pane.session is not None and pane.session.session_id == session.session_id  # still shown
    assert pane.notice.text().startswith("Not in the current list")

    QTest.mouseClick(bar.clear, Qt.MouseButton.LeftButton)
    await wait_until(
        lambda: workspace.sessions.selected_session_id() == session.session_id, 20, what="reselect"
    )
    assert not pane.notice.isVisible()
    assert session.name in visible_column(window, COL_NAME)


@pytest.mark.parametrize(
    "reload_at", ["", "before", "during"], ids=["alone", "reload-before", "reload-during"]
)
async def test_removing_yourself_warns_first_and_then_says_so_plainly(
    make_window: Any, sandbox: Any, reload_at: str
) -> None:
    # A reload (a live event or a resync asks for one) just before the removal is sent, or while it is on
    # its way: it must neither show the session again nor make losing access a "not found" problem.
    window = await signed_in_window(make_window, sandbox, "tech")
    workspace = window.workspace
    app = window.services.browser.application_id
    window.services.detail.create_session(app, "Leaving soon", "", None, [], {})
    pane = workspace.detail_pane
    await wait_until(lambda: pane.session is not None and pane.session.name == "Leaving soon", 20)
    session_id = pane.session.session_id
    people = workspace.participants
    tech = sandbox.info.user("tech").id
    await wait_until(lambda: people.model.row_of(tech) >= 0, 10, what="tech among the participants")

    people.list_view.setFocus()
    people.list_view.setCurrentIndex(people.model.index(people.model.row_of(tech), 0))
    QTest.mouseClick(people.remove_button, Qt.MouseButton.LeftButton)
    box = await wait_until(lambda: people.confirm_box, 5, what="the warning")
    assert box.windowTitle() == "Remove yourself" and "lose access" in box.text()
    if reload_at == "before":
        window.services.detail.reload()
    _press(box, "Remove myself")
    if reload_at == "during":
        window.services.detail.reload()

    await wait_until(lambda: pane.session is None, 20, what="the pane to clear")
    assert (
        pane.placeholder.text()
        == "You are no longer a participant of “Leaving soon”, so it is not shown any more."
    )
    assert not pane.banner.isVisible() and window.presenter.dialog is None  # no "Not found" error
    assert window.services.browser.model.row_of(session_id) < 0

    other = next(s for s in window.services.browser.model.sessions())
    workspace.sessions.select_session(other.session_id)
    await wait_until(lambda: pane.session is not None and pane.session.session_id == other.session_id, 10)
    assert not pane.banner.isVisible()
