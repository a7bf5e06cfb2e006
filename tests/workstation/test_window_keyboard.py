"""The main window by keyboard: Tab order, every shortcut, focus after save, the columns, the title."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMessageBox, QWidget

from skydesk.models.browser import LIST_TARGET
from skydesk.models.detail import session_load_target
from skydesk.ui.main_window import PAGE_WORKSPACE
from tests.gui.helpers import signed_in_window, wait_loaded
from tests.support.qt import wait_until


def _focus() -> QWidget | None:
    return QApplication.focusWidget()


def _inside(widget: QWidget | None, root: QWidget) -> bool:
    while widget is not None:
        if widget is root:
            return True
        widget = widget.parentWidget()
    return False


async def _back_to(window: Any) -> None:
    """Activate the window again, as the window manager does when a dialog closes (offscreen does not)."""
    window.activateWindow()
    await wait_until(window.isActiveWindow, 5, what="the window to be active again")


async def _open_first_session(window: Any) -> Any:
    table = window.workspace.sessions.table
    table.setFocus()
    sessions = window.services.browser.model.sessions()
    table.selectRow(next(row for row, s in enumerate(sessions) if s.is_open))  # an editable one
    pane = window.workspace.detail_pane
    await wait_until(lambda: pane.session is not None, 15, what="the first session in the detail pane")
    return pane


async def test_tab_reaches_every_pane_and_leaves_every_table(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    window.set_size(1400, 900)
    pane = await _open_first_session(window)
    workspace = window.workspace
    table = workspace.sessions.table
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Tab)
    assert not _inside(_focus(), table), "Tab stayed in the session list"
    seen: list[QWidget] = []
    for _ in range(120):
        widget = _focus()
        assert widget is not None
        seen.append(widget)
        if widget is table:
            break
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    else:
        raise AssertionError(f"Tab never came back to the session list: {[type(w).__name__ for w in seen]}")
    reached = {
        "filters": workspace.sessions.filter_bar,
        "details": pane,
        "participants": workspace.participants,
    }
    for name, root in reached.items():
        assert any(_inside(w, root) for w in seen), f"Tab never reached the {name} pane"
    assert pane.name.editor in seen and pane.properties.table in seen
    # Every table or list hands Tab on after one press (no walking from cell to cell).
    for view in [w for w in set(seen) if isinstance(w, QAbstractItemView)]:
        view.setFocus()
        QTest.keyClick(view, Qt.Key.Key_Tab)
        assert _focus() is not view, f"{view.accessibleName()} kept the focus on Tab"


async def test_every_shortcut_does_its_job(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    workspace = window.workspace
    hooks = window.workstation

    QTest.keySequence(window, QKeySequence("Ctrl+L"))  # focus the search
    assert _focus() is workspace.sessions.filter_bar.search

    pane = await _open_first_session(window)
    QTest.keySequence(window, QKeySequence("Ctrl+Shift+C"))  # copy the session id
    assert QGuiApplication.clipboard().text() == pane.session.session_id

    # Ctrl+S saves, and the focus stays in the field being edited.
    original = pane.session.name
    pane.name.editor.setFocus()
    QTest.keyClick(pane.name.editor, Qt.Key.Key_End)
    QTest.keyClicks(pane.name.editor, " (checked)")
    QTest.keySequence(pane.name.editor, QKeySequence("Ctrl+S"))
    await wait_until(lambda: pane.session.name == f"{original} (checked)", 15, what="the saved name")
    await wait_until(lambda: not pane.dirty_fields(), 5, what="the pane to settle")
    assert _focus() is pane.name.editor

    # Esc reverts a small edit at once; a large one asks first.
    QTest.keyClick(pane.name.editor, Qt.Key.Key_End)
    QTest.keyClicks(pane.name.editor, "!")
    QTest.keyClick(pane.name.editor, Qt.Key.Key_Escape)
    assert pane.name.text() == f"{original} (checked)" and not pane.dirty_fields()
    pane.description.editor.setFocus()
    QTest.keyClicks(pane.description.editor, "A much longer note that someone typed for a while.")
    QTest.keyClick(pane.description.editor, Qt.Key.Key_Escape)
    box = hooks.revert_box
    assert isinstance(box, QMessageBox) and pane.dirty_fields()
    next(b for b in box.buttons() if b.text() == "Revert").click()
    assert not pane.dirty_fields()
    await _back_to(window)

    # F5 reloads the list and the open session (both go to the server again).
    ops = window.services.ops
    started: set[str] = set()
    ops.busy_changed.connect(lambda target, count: count and started.add(target))
    QTest.keySequence(window, QKeySequence("F5"))
    await wait_until(lambda: not ops.busy(LIST_TARGET), 15, what="the reload")
    assert {LIST_TARGET, session_load_target(pane.session.session_id)} <= started

    QTest.keySequence(window, QKeySequence("Ctrl+N"))  # a new session
    dialog = await wait_until(lambda: workspace.new_session_dialog, 5, what="the New session dialog")
    await wait_until(lambda: _focus() is dialog.name.editor, 5, what="the focus in Name")
    dialog.reject()
    await _back_to(window)

    QTest.keySequence(window, QKeySequence("Ctrl+E"))  # export
    export = await wait_until(lambda: hooks.export_dialog, 5, what="the Export dialog")
    assert export.isVisible() and "Name" in export.spec().columns
    export.reject()
    await _back_to(window)

    QTest.keySequence(window, QKeySequence("F1"))  # the keyboard shortcuts page lists all of them
    help_page = await wait_until(lambda: hooks.shortcuts_dialog, 5, what="the shortcuts page")
    keys = " ".join(keys for _what, keys in help_page.rows)
    for key in ("Ctrl+S", "Esc", "Ctrl+L", "F5", "Ctrl+N", "Ctrl+Shift+C", "Ctrl+E", "F1"):
        assert key in keys, key
    help_page.reject()


async def test_view_columns_and_the_name_column_share(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    window.set_size(1024, 700)
    sessions = window.workspace.sessions
    table = sessions.table
    for title in ("Created", "orderId", "assetId"):  # every column shown: the narrowest case
        sessions.set_column_visible(title, True)
    await asyncio.sleep(0.05)  # yield to the loop (no nested pass)
    name_width = table.horizontalHeader().sectionSize(0)
    assert name_width >= 0.25 * table.viewport().width(), (name_width, table.viewport().width())

    # View > Columns: the same choice as the header's menu.
    menu = window.workstation.columns_menu
    menu.aboutToShow.emit()
    entries = {a.text(): a for a in menu.actions()}
    assert not entries["Name"].isEnabled() and entries["Created"].isChecked()
    entries["Created"].trigger()
    assert "Created" in sessions.hidden_columns()
    assert table.horizontalHeader().isSectionHidden(3)


async def test_title_and_toolbar_follow_the_profile(make_window: Any, sandbox: Any) -> None:
    window = make_window()
    assert window.windowTitle() == "skydesk" and not window.toolbar.isVisible()
    assert not window.workstation.export_action.isEnabled()  # the same on every sign-in page
    window.close_by_test = False
    from tests.gui.helpers import fill_sign_in

    fill_sign_in(window, sandbox, "tech", profile="EU production")
    QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_loaded(window)
    assert window.windowTitle() == f"skydesk — EU production ({sandbox.info.realm})"
    assert window.pages.currentIndex() == PAGE_WORKSPACE and window.toolbar.isVisible()
    tag = window.workstation.color_tag
    assert not tag.isVisible()  # no colour chosen
    profile = window.settings.profile("EU production")
    window.services.profiles.update("EU production", replace(profile, color="#d32f2f"))
    assert tag.isVisible() and tag.text() == "EU production" and "#d32f2f" in tag.styleSheet()
