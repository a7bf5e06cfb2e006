"""ParticipantListModel and JsonTreeModel: model tester plus what they display."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from skydesk.api.models import Participant
from skydesk.models.json_tree import COL_TYPE, COL_VALUE, JsonTreeModel, PathRole
from skydesk.models.participants import IsGuestRole, KindRole, ParticipantIdRole, ParticipantListModel


def test_participants(qapp: Any, qtmodeltester: ModelTester) -> None:
    model = ParticipantListModel()
    qtmodeltester.check(model)
    model.label_for = lambda pid: {"u-1": "Alex Rivera"}.get(pid, pid)
    model.set_participants(
        [Participant("u-1"), Participant("field-team", "group"), Participant("u-guest", is_guest=True)]
    )
    qtmodeltester.check(model)
    shown = [model.data(model.index(r)) for r in range(model.rowCount())]
    assert shown == ["Alex Rivera", "field-team", "u-guest (guest)"]
    assert [model.data(model.index(r), KindRole) for r in range(3)] == ["user", "group", "user"]
    assert [model.data(model.index(r), IsGuestRole) for r in range(3)] == [False, False, True]
    assert model.data(model.index(1), ParticipantIdRole) == "field-team"
    assert model.data(model.index(1), Qt.ItemDataRole.ToolTipRole) == "field-team\nGroup id: field-team"
    assert model.row_of("u-guest") == 2 and model.row_of("nobody") == -1
    model.set_participants([])
    assert model.rowCount() == 0


def _dump(model: JsonTreeModel, parent: QModelIndex | None = None, depth: int = 0) -> list[str]:
    parent = parent or QModelIndex()
    lines = []
    for row in range(model.rowCount(parent)):
        idx = model.index(row, 0, parent)
        cells = [model.data(model.index(row, c, parent)) for c in range(3)]
        lines.append("  " * depth + " | ".join(cells))
        lines += _dump(model, idx, depth + 1)
    return lines


def test_json_tree(qapp: Any, qtmodeltester: ModelTester) -> None:
    model = JsonTreeModel()
    qtmodeltester.check(model)
    model.set_document(
        {"pump": {"pressure": 4.5, "ok": True, "notes": None}, "steps": ["drain", {"n": 2}], "by": "tech"}
    )
    qtmodeltester.check(model)
    assert _dump(model) == [
        "pump | {3 keys} | object",
        "  pressure | 4.5 | number",
        "  ok | true | boolean",
        "  notes | null | null",
        "steps | [2 items] | array",
        "  0 | drain | string",
        "  1 | {1 key} | object",
        "    n | 2 | number",
        "by | tech | string",
    ]
    steps = model.index(1, 0)
    inner = model.index(1, 0, steps)
    assert model.data(model.index(0, 0, inner), PathRole) == "steps.1.n"
    assert model.parent(inner) == steps
    assert model.rowCount(model.index(1, COL_VALUE)) == 0  # only column 0 has children
    assert model.data(model.index(2, COL_TYPE)) == "string"
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    model.set_document({})
    assert model.rowCount() == 0
