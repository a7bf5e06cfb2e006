"""People and rights in the real window against the sandbox (issue 9): names everywhere, the rights the
user has, a role taken away meanwhile, a refused directory, and how many directory requests a list costs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from skydesk.models.people import short_id
from skydesk.models.session_columns import COL_PARTICIPANTS
from skydesk.models.timeline import COL_WHO
from skydesk.sandbox.seed import FIELD_TEAM_ID
from tests.gui.helpers import fill_sign_in, signed_in_window, visible_column
from tests.models.people import app_id_of, drop_permission
from tests.support.qt import wait_until


class DirectoryCalls:
    """Records the directory lists the sandbox answers (the real service methods, only observed)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, service: Any) -> None:
        self.made: list[str] = []
        for name in ("list_users", "list_groups", "get_user", "get_group"):
            monkeypatch.setattr(service, name, self._observe(name, getattr(service, name)))

    def _observe(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def observed(*args: Any) -> Any:
            self.made.append(name)
            return real(*args)

        return observed


@pytest.fixture
def refused(sandbox: Any) -> Any:
    yield sandbox.service.refuse_directory
    sandbox.service.refuse_directory(None)


def open_dialogs() -> list[QDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


async def test_names_everywhere_with_ids_in_tooltips(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    tech, sam = sandbox.info.user("tech"), sandbox.info.user("sam")
    model = window.services.browser.model

    # Participants column: names as soon as they arrive, the ids in the tooltip.
    await wait_until(
        lambda: any("Alex Rivera (you)" in t for t in visible_column(window, COL_PARTICIPANTS)), 30
    )
    cells = visible_column(window, COL_PARTICIPANTS)
    assert any("field-team" in c for c in cells) and any("Sam Okafor" in c for c in cells)
    assert not any(u.id in c or short_id(u.id) in c for c in cells for u in sandbox.info.users)
    row = next(r for r, c in enumerate(cells) if "Alex Rivera (you)" in c)
    assert f"Alex Rivera (you): {tech.id}" in model.index(row, COL_PARTICIPANTS).data(
        Qt.ItemDataRole.ToolTipRole
    )

    # Detail pane: Created by / Modified by named, the id in the tooltip and copyable.
    window.workspace.sessions.table.selectRow(row)
    pane = window.workspace.detail_pane
    await wait_until(lambda: pane.session is not None, 20, what="the session open")
    names = {u.display_name for u in sandbox.info.users} | {"Alex Rivera (you)"}
    await wait_until(lambda: pane.created_value.full_text().split(" by ")[-1] in names, 20)
    assert pane.session.created_by in pane.created_value.toolTip()
    copy = next(a for a in pane.created_value.actions() if a.text() == "Copy creator's id")
    copy.trigger()
    assert QGuiApplication.clipboard().text() == pane.session.created_by

    # Event summaries (the session's timeline) name who did it.
    timeline = window.services.content.timeline.model
    who = lambda: {timeline.index(r, COL_WHO).data() for r in range(timeline.rowCount())}  # noqa: E731
    await wait_until(lambda: who() and who() <= names, 30, what=f"named timeline entries, not {who()}")

    # Participants pane: name and job title; a group with its member count.
    listed = window.workspace.participants.model
    texts = lambda: [listed.index(r, 0).data() for r in range(listed.rowCount())]  # noqa: E731
    await wait_until(
        lambda: (
            "Alex Rivera (you) · Field Technician" in texts()
            or any(t.startswith("field-team · 2 members") for t in texts())
        ),
        20,
        what=f"named participants, not {texts()}",
    )

    # The people filters show names and filter by id.
    field = window.workspace.sessions.filter_bar.participant
    field.setText(sam.id)
    await wait_until(lambda: field.displayText() == "Sam Okafor", 20)
    assert window.workspace.sessions.filter_bar.filters().participant == sam.id
    window.workspace.sessions.filter_bar.created_by.setText(FIELD_TEAM_ID)
    await wait_until(
        lambda: window.workspace.sessions.filter_bar.created_by.displayText() == "field-team", 20
    )


async def test_viewer_sees_new_session_disabled_with_its_reason(make_window: Any, sandbox: Any) -> None:
    window = make_window()
    fill_sign_in(window, sandbox, "viewer")
    QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
    permissions = window.services.permissions
    await wait_until(lambda: permissions.rights is not None and permissions.rights.known, 30, what="rights")
    action = window.new_session_action
    await wait_until(lambda: not action.isEnabled(), 10)
    assert action.toolTip() == "Your role in Field Inspection does not allow creating sessions"
    QTest.keySequence(window, QKeySequence("Ctrl+N"))
    assert window.workspace.new_session_dialog is None  # the shortcut is off too
    roles = window.people_hooks.show_roles()
    assert roles.summary.text() == "Your roles in Field Inspection: viewer."


async def test_role_removed_meanwhile_the_403_is_worded_and_the_button_disabled(
    make_window: Any, make_sandbox: Any
) -> None:
    sandbox = make_sandbox(seed=5)
    window = await signed_in_window(make_window, sandbox, "tech")
    action = window.new_session_action
    await wait_until(lambda: window.services.permissions.rights.known and action.isEnabled(), 20)
    drop_permission(sandbox, app_id_of(sandbox), "technician", "session:create")

    QTest.keySequence(window, QKeySequence("Ctrl+N"))
    dialog = await wait_until(lambda: window.workspace.new_session_dialog, 5, what="the New session dialog")
    dialog.name.editor.setText("Created after the role changed")
    QTest.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: dialog.error.isVisible(), 20, what="the refusal in the dialog")
    assert dialog.error.text() == (
        "The session was not created: your role in Field Inspection no longer allows creating sessions."
    )
    assert not action.isEnabled(), "off as soon as the server said no"
    await wait_until(
        lambda: action.toolTip() == "Your role in Field Inspection does not allow creating sessions",
        20,
        what="the reason from the roles read again",
    )
    assert not action.isEnabled()


async def test_refused_directory_falls_back_to_ids_and_local_labels_without_a_dialog(
    make_window: Any, sandbox: Any, refused: Any
) -> None:
    refused(404)
    window = await signed_in_window(make_window, sandbox, "tech")
    people = window.services.people
    await wait_until(lambda: people.refused, 30, what="the directory refused")
    sam = sandbox.info.user("sam")
    cells = visible_column(window, COL_PARTICIPANTS)
    assert any("tech (you)" in c for c in cells)
    assert any(short_id(sam.id) in c for c in cells) and not any("Sam Okafor" in c for c in cells)
    assert open_dialogs() == [] and window.presenter.last is None

    # "Name this person" from the participants pane: kept per profile, shown everywhere.
    row = next(r for r, c in enumerate(cells) if short_id(sam.id) in c)
    window.workspace.sessions.table.selectRow(row)
    participants = window.workspace.participants
    await wait_until(lambda: participants.model.row_of(sam.id) >= 0, 20)
    participants.list_view.setCurrentIndex(participants.model.index(participants.model.row_of(sam.id), 0))
    window.people_hooks.name_action.trigger()
    dialog = window.people_hooks.name_dialog
    dialog.setTextValue("Sam from the north yard")
    dialog.accept()
    await wait_until(
        lambda: any("Sam from the north yard" in c for c in visible_column(window, COL_PARTICIPANTS)), 10
    )
    assert window.services.settings.people_labels == {"test": {sam.id: "Sam from the north yard"}}
    assert open_dialogs() == []


async def test_a_list_of_200_sessions_makes_a_bounded_number_of_directory_requests(
    make_window: Any, make_sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(seed=400)  # about 200 of them in Field Inspection
    calls = DirectoryCalls(monkeypatch, sandbox.service)
    window = await signed_in_window(make_window, sandbox, "dispatch")
    model = window.services.browser.model
    table = window.workspace.sessions.table
    root = QModelIndex()

    async def next_page() -> bool:
        done = lambda: model.total > 0 and len(model.sessions()) >= model.total  # noqa: E731
        await wait_until(lambda: model.canFetchMore(root) or done(), 30, what="a page")
        if done():
            return False
        model.fetchMore(root)  # what scrolling to the end does
        return True

    while await next_page():
        pass
    for row in range(0, model.rowCount(), 10):  # paint every part of the list
        table.scrollTo(model.index(row, COL_PARTICIPANTS))
        await asyncio.sleep(0.02)  # yield to the loop (no nested pass)
    await wait_until(
        lambda: any("Dana Brooks (you)" in c for c in visible_column(window, COL_PARTICIPANTS)), 30
    )
    await wait_until(lambda: not window.services.people._inflight, 20)
    assert len(visible_column(window, COL_PARTICIPANTS)) == model.total >= 180
    # The realm has 5 people: one batch of ids, answered by one users and one groups request.
    assert 1 <= len(calls.made) <= 4, calls.made
