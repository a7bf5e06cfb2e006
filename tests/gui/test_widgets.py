"""Single widgets driven directly: the property limit, the version and draft flag, sign-in progress."""

from __future__ import annotations

from typing import Any

from skydesk.api.validation import PROPERTIES_MAX
from skydesk.ui.detail_pane import SessionDetailPane
from skydesk.ui.properties_editor import PropertiesEditor
from skydesk.ui.signin import SignInPage
from tests.models.sessions import make_session


def test_the_properties_table_stops_at_the_limit(qtbot: Any) -> None:
    editor = PropertiesEditor()
    qtbot.addWidget(editor)
    editor.set_properties({f"key{i}": str(i) for i in range(PROPERTIES_MAX - 1)})
    assert editor.add_button.isEnabled()
    editor.add_button.click()
    assert editor.table.rowCount() == PROPERTIES_MAX
    assert editor.counter.text() == f"{PROPERTIES_MAX} / {PROPERTIES_MAX}"
    assert not editor.add_button.isEnabled(), "no 51st property"
    assert editor.error() == "Every property needs a key"  # the new row is still empty


def test_the_detail_pane_shows_version_and_draft_flag(qtbot: Any) -> None:
    pane = SessionDetailPane()
    qtbot.addWidget(pane)
    pane.show_session(make_session(1, version=4, is_draft=True))
    assert pane.version_value.full_text() == "4 (draft)"
    pane.show_session(make_session(2, version=3, is_draft=False))
    assert pane.version_value.full_text() == "3 (published)"
    pane.show_session(make_session(3, status="closed"))
    assert pane.name.editor.isReadOnly() and not pane.close_button.isEnabled()


def test_signing_in_shows_progress_naming_the_host_and_locks_the_button(qtbot: Any) -> None:
    page = SignInPage()
    qtbot.addWidget(page)
    page.show()
    page.set_busy(True, "api.example.test")
    assert page.progress.isVisible() and page.progress_label.text() == "Signing in to api.example.test…"
    assert not page.sign_in_button.isEnabled()
    page.set_busy(False)
    assert not page.progress.isVisible() and page.sign_in_button.isEnabled()
