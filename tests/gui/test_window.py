"""Accessibility names, keyboard shortcuts, settings restored on the next start, and a clean exit."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from skydesk.ui.common import plain_label
from skydesk.ui.reauth import ReauthDialog
from tests.gui.helpers import close_window, signed_in_window, visible_column, wait_loaded
from tests.support.qt import wait_until

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QAbstractItemView)


def _inside_composite(widget: QWidget) -> bool:
    """Parts of a combo box or spin box (their line edit, popup list) are named by their owner."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox):
            return True
        parent = parent.parentWidget()
    return False


def _unnamed(root: QWidget) -> list[str]:
    """Interactive widgets whose accessible name is missing or differs from their visible label.

    Hidden widgets are checked too (a page not shown yet, the other tab, the advanced filters): they
    become visible later. The visible label is the button's text, the buddy label's text, or for an
    icon-only button its tooltip; any other widget needs a name of some kind.
    """
    buddies = {id(label.buddy()): label.text() for label in root.findChildren(QLabel) if label.buddy()}
    problems = []
    for widget in [root, *root.findChildren(QWidget)]:
        if (
            not isinstance(widget, INTERACTIVE)
            or isinstance(widget, QHeaderView)
            or _inside_composite(widget)
            or widget.objectName().startswith("qt_")  # Qt's own helpers (a table's corner button)
        ):
            continue
        name = widget.accessibleName()
        if isinstance(widget, QAbstractButton) and widget.text():
            expected = plain_label(widget.text())
        elif id(widget) in buddies:
            expected = plain_label(buddies[id(widget)])
        elif isinstance(widget, QAbstractButton) and widget.toolTip():
            expected = widget.toolTip()
        else:
            expected = name or "<a name>"
        if not name or name != expected:
            problems.append(f"{type(widget).__name__} {widget.objectName()!r}: {name!r} != {expected!r}")
    return problems


async def test_every_interactive_widget_is_named_after_its_label(make_window: Any, sandbox: Any) -> None:
    window = make_window()
    window.show_sign_in()
    assert _unnamed(window.sign_in_page) == []
    reauth = ReauthDialog("Your session has expired.", "tech", window)
    assert _unnamed(reauth) == []
    reauth.deleteLater()

    window = await signed_in_window(make_window, sandbox, "tech")
    workspace = window.workspace
    session = next(s for s in window.services.browser.model.sessions() if s.is_open)
    workspace.sessions.select_session(session.session_id)
    pane = workspace.detail_pane
    await wait_until(lambda: pane.session is not None, 10, what="the detail pane")
    workspace.sessions.filter_bar.search.setText("a")  # shows the search field's clear button
    workspace.sessions.filter_bar.more.click()
    problems = _unnamed(window)
    assert problems == [], "\n".join(problems)
    names = {w.accessibleName() for w in window.findChildren(QWidget)}
    assert {"Sessions", "Session details", "Participants"} <= names

    # The dialogs and questions the window opens.
    dialog = workspace.new_session(window._current_application())
    assert dialog is not None
    assert _unnamed(dialog) == []
    dialog.add_participant_button.click()
    assert dialog.participant_dialog is not None and _unnamed(dialog.participant_dialog) == []
    dialog.participant_dialog.reject()
    dialog.reject()
    pane.close_button.click()
    assert pane.close_box is not None and _unnamed(pane.close_box) == []
    pane.close_box.reject()
    pane.name.editor.setText("An unsaved edit")
    window.request_quit()
    box = workspace.guard.box
    assert box is not None and _unnamed(box) == []
    box.reject()


async def test_keyboard_shortcuts(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    shortcuts = {
        window.new_session_action: "Ctrl+N",
        window.refresh_action: "F5",
        window.find_action: "Ctrl+F",
        window.quit_action: "Ctrl+Q",
    }
    for action, keys in shortcuts.items():
        assert action.shortcut() == QKeySequence(keys), action.text()
    window.activateWindow()
    await wait_until(lambda: QApplication.activeWindow() is window, 5, what="the window to be active")

    QTest.keySequence(window, QKeySequence("Ctrl+F"))
    search = window.workspace.sessions.filter_bar.search
    await wait_until(search.hasFocus, 5, what="focus in the search field")

    loads: list[bool] = []
    window.services.browser.busy.connect(loads.append)
    QTest.keySequence(window, QKeySequence("F5"))
    await wait_until(lambda: True in loads, 5, what="F5 to reload")
    await wait_loaded(window)

    quits: list[bool] = []
    window.quit_requested.connect(lambda: quits.append(True))
    QTest.keySequence(window, QKeySequence("Ctrl+Q"))
    await wait_until(lambda: quits, 5, what="Ctrl+Q to ask to quit")

    QTest.keySequence(window, QKeySequence("Ctrl+N"))
    dialog = await wait_until(lambda: window.workspace.new_session_dialog, 5, what="Ctrl+N's dialog")
    dialog.reject()


async def test_layout_profile_application_and_filters_are_restored(
    make_window: Any, sandbox: Any, tmp_path: Path
) -> None:
    settings_path = tmp_path / "restored.json"
    window = await signed_in_window(make_window, sandbox, "dispatch", settings_path=settings_path)
    combo = window.app_combo
    other = (combo.currentIndex() + 1) % combo.count()
    other_id = combo.itemData(other)
    combo.setCurrentIndex(other)
    await wait_until(lambda: window.services.browser.application_id == other_id, 5)
    await wait_loaded(window)
    bar = window.workspace.sessions.filter_bar
    bar.status.setCurrentIndex(bar.status.findData("closed"))
    bar.search.setText("a")
    bar._on_debounce_timeout()  # what the debounce timer does 300 ms later
    await wait_loaded(window)
    window.resize(760, 590)  # within the 800x800 offscreen screen, above the minimum width
    window.workspace.main_splitter.setSizes([600, 500])
    sizes = window.workspace.main_splitter.sizes()
    await close_window(window)

    again = make_window(settings_path=settings_path)
    again.show_sign_in()
    page = again.sign_in_page
    assert page.profile_combo.currentText() == "test"
    assert page.api_url.text() == sandbox.info.api_url
    assert page.username.text() == "dispatch"
    assert (again.width(), again.height()) == (760, 590)
    again_bar = again.workspace.sessions.filter_bar
    assert again_bar.status.currentData() == "closed"
    assert again_bar.search.text() == "a"

    page.password.setText("dispatch-demo-pw")
    QTest.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_loaded(again)
    assert again.services.browser.application_id == other_id
    assert again.app_combo.currentData() == other_id
    restored = again.workspace.main_splitter.sizes()
    assert all(abs(a - b) <= 8 for a, b in zip(restored, sizes, strict=True)), (restored, sizes)
    assert set(visible_column(again, 1)) <= {"Closed"}


async def test_shutdown_leaves_no_thread_and_no_task(make_window: Any, sandbox: Any) -> None:
    before = set(threading.enumerate())  # thread objects: a dead thread's ident may be reused
    window = await signed_in_window(make_window, sandbox, "tech")
    await wait_until(lambda: window.status.live_state == "connected", 20, what="live events")
    started = [t.name for t in threading.enumerate() if t not in before]
    assert "skydesk-events" in started, f"the event stream runs on its own thread ({started})"

    await close_window(window)

    def left_threads() -> list[str]:
        # Not ours to judge: the sandbox server's AnyIO request workers, and the qasync loop's default
        # executor worker (a QThread, seen as a dummy thread), which closing the loop joins.
        return [
            t.name
            for t in threading.enumerate()
            if t not in before
            and t.name != "AnyIO worker thread"
            and not isinstance(t, threading._DummyThread)
        ]

    for _ in range(100):
        if not left_threads():
            break
        await asyncio.sleep(0.1)
    assert left_threads() == []
    current = asyncio.current_task()
    left = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    assert left == []
    assert not window.isVisible()
