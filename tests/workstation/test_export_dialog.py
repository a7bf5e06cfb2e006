"""Export from the window as a user does it: Ctrl+E, choose CSV with BOM, Export; and one session to JSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from tests.gui.helpers import signed_in_window
from tests.support.qt import wait_until


async def test_export_dialog_writes_the_list(make_window: Any, sandbox: Any, tmp_path: Path) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    QTest.keySequence(window, QKeySequence("Ctrl+E"))
    dialog = await wait_until(lambda: window.workstation.export_dialog, 5, what="the Export dialog")
    assert dialog.csv.isChecked() and dialog.bom.isEnabled()
    dialog.bom.setChecked(True)
    target = tmp_path / "list.csv"
    dialog.path.setText(str(target))
    QTest.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert not dialog.path.isEnabled()  # locked while it runs
    await wait_until(lambda: window.workstation.export_dialog is None, 30, what="the export to finish")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    header = window.workspace.sessions.table.horizontalHeader()
    model = window.services.browser.model
    shown = [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]
    shown = [t for c, t in enumerate(shown) if not header.isSectionHidden(c)]
    assert rows[0] == ["Id", *shown]
    # Every session, in the list's order, with its name as stored: an unnamed one is shown "(unnamed)"
    # in the list but exported empty (another test in the shared sandbox may have made one).
    assert [r[0] for r in rows[1:]] == [s.session_id for s in model.sessions()]
    assert [r[1] for r in rows[1:]] == [s.name for s in model.sessions()]
    assert len(rows) - 1 == model.total


async def test_cancel_in_the_dialog_before_export_just_closes(make_window: Any, sandbox: Any) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    dialog = window.workstation.open_export()
    assert dialog is not None
    dialog.json.setChecked(True)
    assert not dialog.bom.isEnabled() and dialog.path.text().endswith(".json")
    QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: window.workstation.export_dialog is None, 5, what="the dialog to close")


async def test_export_one_session_from_the_menu(make_window: Any, sandbox: Any, tmp_path: Path) -> None:
    window = await signed_in_window(make_window, sandbox, "dispatch")
    window.workspace.sessions.table.selectRow(0)
    pane = window.workspace.detail_pane
    await wait_until(lambda: pane.session is not None, 15, what="the session's details")
    window.workstation.export_session_action.trigger()
    files = window.workstation.session_file_dialog
    assert files is not None
    target = tmp_path / "one.json"
    files.selectFile(str(target))
    files.accept()
    await wait_until(target.exists, 15, what="the session file")
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["sessionId"] == pane.session.session_id
    assert {"data", "participants", "media"} <= document.keys()
