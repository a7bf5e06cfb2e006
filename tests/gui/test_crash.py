"""An unexpected exception in a controller: the crash dialog gets it, and the window stays usable."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.ui.crash_dialog import install_crash_dialog
from tests.gui.helpers import signed_in_window
from tests.support.qt import wait_until


async def test_an_injected_bug_reaches_the_crash_dialog_and_the_pane_stays_usable(
    make_window: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    reporter = install_crash_dialog(lambda: window)
    try:
        workspace, services = window.workspace, window.services
        first, second = [s for s in services.browser.model.sessions() if s.is_open][:2]
        participants = services.detail.participants_model
        original = participants.set_participants

        # A bug no real part produces on demand, hence injected: showing the participants fails once.
        def broken(items: Any) -> None:
            monkeypatch.setattr(participants, "set_participants", original)
            raise RuntimeError("injected bug in the detail controller")

        monkeypatch.setattr(participants, "set_participants", broken)
        workspace.sessions.select_session(first.session_id)
        dialog = await wait_until(lambda: reporter.dialog, 20, what="the crash dialog")
        assert "injected bug in the detail controller" in dialog.details
        assert dialog.copy_button.text() == "&Copy details"
        assert "unexpected" in window.statusBar().currentMessage()
        dialog.close()

        # Usable afterwards: nothing is left busy, another session opens, and an edit saves.
        pane = workspace.detail_pane
        assert services.ops.busy(f"session:{first.session_id}/load") == 0
        workspace.sessions.select_session(second.session_id)
        await wait_until(
            lambda: pane.session is not None and pane.session.session_id == second.session_id, 20
        )
        assert pane.isEnabled() and pane.name.editor.isEnabled()
        # (edits go to a session of this test's own: the shared sandbox's seeded ones stay as they are)
        services.detail.create_session(services.browser.application_id, "After the crash", "", None, [], {})
        await wait_until(lambda: pane.session is not None and pane.session.name == "After the crash", 20)
        pane.name.editor.setText("After the crash, saved")
        await wait_until(pane.save_button.isEnabled, 10, what="Save")
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
        await wait_until(lambda: not pane.dirty_fields(), 20, what="the save")
        assert pane.session.name == "After the crash, saved"
    finally:
        reporter.uninstall()
