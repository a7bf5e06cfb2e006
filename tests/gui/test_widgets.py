"""Single widgets driven directly: property limit, version and draft flag, sign-in progress, API state."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QStatusBar

from skydesk.api.validation import PROPERTIES_MAX
from skydesk.ui.detail_pane import SessionDetailPane
from skydesk.ui.properties_editor import PropertiesEditor
from skydesk.ui.signin import SignInPage
from skydesk.ui.status import API_STATES, StatusWidgets
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


def test_the_api_state_says_working_only_for_a_request_that_takes_a_while(qtbot: Any) -> None:
    bar = QStatusBar()
    qtbot.addWidget(bar)
    status = StatusWidgets(bar)
    status.set_api_state("online")
    # A quick request (a page of sessions answers in ~10 ms): the words never change, so the status bar
    # is neither laid out nor repainted for it.
    status.set_api_state("working", "loading")
    assert status.api_label.text() == API_STATES["online"]
    status.set_api_state("online")
    assert status.api_label.text() == API_STATES["online"]
    assert not status._working_timer.isActive(), "nothing left to say 'working' later"
    # A slow one: "working" shows once it has lasted the delay, with its detail.
    status.set_api_state("working", "loading")
    qtbot.waitUntil(lambda: status.api_label.text() == API_STATES["working"], timeout=10_000)
    assert status.api_label.toolTip() == "loading"
    status.set_api_state("error", "the server is down")
    assert status.api_label.text() == API_STATES["error"]
    assert status.api_label.toolTip() == "the server is down"


def test_the_app_icon_is_the_shipped_one(qapp: Any) -> None:
    from skydesk.ui.common import app_icon

    icon = app_icon()
    assert not icon.isNull() and not icon.pixmap(32, 32).isNull()


def test_the_live_dot_is_a_circle_in_the_middle_of_its_label(qtbot: Any) -> None:
    from PySide6.QtGui import QColor

    from skydesk.ui.status import LIVE_STATES

    bar = QStatusBar()
    qtbot.addWidget(bar)
    status = StatusWidgets(bar)
    status.set_live_state("connected")
    dot = status.live_dot
    image = dot.pixmap().toImage()
    ratio = dot.pixmap().devicePixelRatio()
    assert dot.size().width() == dot.size().height() == round(image.width() / ratio)  # fills the label
    middle = image.pixelColor(image.width() // 2, image.height() // 2)
    assert middle == QColor(LIVE_STATES["connected"][0])  # filled in the state's colour
    right, bottom = image.width() - 1, image.height() - 1
    for x, y in ((0, 0), (right, 0), (0, bottom), (right, bottom)):
        assert image.pixelColor(x, y).alpha() == 0, "the corners stay clear: a circle, not a square"
    # Its margin is even: the circle's edge is as far from the left as from the right.
    row = [image.pixelColor(x, image.height() // 2).alpha() for x in range(image.width())]
    first = next(i for i, alpha in enumerate(row) if alpha)
    last = max(i for i, alpha in enumerate(row) if alpha)
    assert first == image.width() - 1 - last and first >= 2


def test_the_progress_page_shows_its_message_centred_over_a_busy_bar(qtbot: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QProgressBar

    from skydesk.ui.progress import ProgressPage

    page = ProgressPage()
    qtbot.addWidget(page)
    assert page.findChild(QProgressBar) is None  # made when there is something to say
    page.set_message("Starting the demo sandbox…")
    page.resize(800, 600)
    page.show()
    qtbot.waitExposed(page)
    bar = page.findChild(QProgressBar)
    assert bar is not None and bar.maximum() == 0  # busy
    assert page.label.text() == "Starting the demo sandbox…"
    assert page.label.alignment() & Qt.AlignmentFlag.AlignHCenter
    assert abs(bar.geometry().center().x() - page.rect().center().x()) <= 1
    assert page.label.geometry().bottom() < bar.geometry().top()
    page.set_message("Restoring your sign-in…")
    assert page.label.text() == "Restoring your sign-in…" and len(page.findChildren(QProgressBar)) == 1


def test_an_error_label_gets_its_colour_only_with_a_message(qtbot: Any) -> None:
    from PySide6.QtWidgets import QLabel

    from skydesk.ui.common import error_color, set_error_text

    label = QLabel()
    qtbot.addWidget(label)
    set_error_text(label, None)  # what every form does when it is first shown
    assert label.styleSheet() == "" and label.isHidden() and label.text() == ""
    set_error_text(label, "The realm is unknown")
    assert label.text() == "The realm is unknown" and not label.isHidden()
    assert error_color(label).name() in label.styleSheet()
    set_error_text(label, None)
    assert label.isHidden() and label.text() == ""
