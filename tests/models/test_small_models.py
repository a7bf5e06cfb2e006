"""ParticipantListModel: model tester plus what it displays (the data tree: tests/content)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from skydesk.api.models import Participant
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
