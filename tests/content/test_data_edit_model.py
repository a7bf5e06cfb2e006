"""The editable data tree: add, edit, rename, delete and retype at any depth; refused keys are marked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from skydesk.models.data_edit_model import (
    COL_KEY,
    COL_TYPE,
    COL_VALUE,
    DataEditModel,
    KeyErrorRole,
    PathRole,
    convert,
)

DOC = {
    "inspection": {"steps": [{"title": "Check valve"}, {"title": "Log pressure", "done": False}]},
    "readings": {"pressure_bar": 8.1},
}


def model_of(doc: dict[str, Any]) -> DataEditModel:
    model = DataEditModel()
    model.set_document(doc)
    return model


def test_round_trip_and_paths(qapp: Any) -> None:
    model = model_of(DOC)
    assert model.document() == DOC
    title = model.index_of(("inspection", "steps", 1, "title"))
    assert title.data() == "title" and title.siblingAtColumn(COL_VALUE).data() == "Log pressure"
    assert title.data(PathRole) == ("inspection", "steps", 1, "title")
    assert title.data(Qt.ItemDataRole.AccessibleTextRole) == "inspection.steps[1].title"


def test_edit_values_in_place_with_types(qapp: Any) -> None:
    model = model_of(DOC)
    pressure = model.index_of(("readings", "pressure_bar")).siblingAtColumn(COL_VALUE)
    assert model.setData(pressure, "8.98")
    assert not model.setData(pressure, "eight"), "a number cell refuses text"
    done = model.index_of(("inspection", "steps", 1, "done")).siblingAtColumn(COL_VALUE)
    assert model.setData(done, "true")
    assert model.document()["readings"]["pressure_bar"] == 8.98
    assert model.document()["inspection"]["steps"][1]["done"] is True


def test_add_rename_delete_deep(qapp: Any) -> None:
    model = model_of(DOC)
    step = model.index_of(("inspection", "steps", 0))
    added = model.add(step, "note", "ok")
    assert added.data() == "note"
    assert model.rename(model.index_of(("inspection", "steps", 0, "title")), "label")
    steps = model.index_of(("inspection", "steps"))
    model.add(steps, value={"title": "New"}, row=0)  # an array item, first
    model.remove(model.index_of(("readings",)))
    assert model.document() == {
        "inspection": {
            "steps": [
                {"title": "New"},
                {"label": "Check valve", "note": "ok"},
                {"title": "Log pressure", "done": False},
            ]
        }
    }
    assert model.index_of(("inspection", "steps", 2)).data() == "[2]", "items are renumbered"


def test_retype_converts_what_it_can(qapp: Any) -> None:
    model = model_of({"a": "8.5", "b": 1, "c": {"x": 1}})
    model.setData(model.index_of(("a",)).siblingAtColumn(COL_TYPE), "number")
    model.setData(model.index_of(("b",)).siblingAtColumn(COL_TYPE), "string")
    model.setData(model.index_of(("c",)).siblingAtColumn(COL_TYPE), "array")
    model.set_type(model.index_of(("b",)), "null")
    assert model.document() == {"a": 8.5, "b": None, "c": [1]}
    assert convert("true", "boolean") is True and convert(None, "object") == {}


def test_refused_and_duplicate_keys_are_marked_at_any_depth(qapp: Any) -> None:
    model = model_of(DOC)
    deep = model.index_of(("inspection", "steps", 1, "title"))
    model.rename(deep, "bad key")
    assert deep.data(KeyErrorRole) and "letters, digits" in deep.data(KeyErrorRole)
    assert deep.data(Qt.ItemDataRole.ForegroundRole) is not None
    model.add(model.index_of(("readings",)), "pressure_bar", 1)
    paths = [path for path, _ in model.problems()]
    assert paths == [
        ("inspection", "steps", 1, "bad key"),
        ("readings", "pressure_bar"),
        ("readings", "pressure_bar"),
    ]
    model.rename(deep, "title")
    model.remove(model.index_of(("readings", "pressure_bar")))
    assert model.problems() == []


def test_changed_fields_are_highlighted(qapp: Any) -> None:
    model = model_of(DOC)
    model.set_changed_paths({("readings", "pressure_bar")})
    assert model.index_of(("readings", "pressure_bar")).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index_of(("readings",)).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(0, COL_KEY).data(Qt.ItemDataRole.BackgroundRole) is None


def test_models_pass_the_model_tester(qapp: Any, qtmodeltester: Any) -> None:
    from skydesk.events.types import event_from_json
    from skydesk.models.event_log_model import EventLogController
    from skydesk.models.timeline import TimelineModel
    from tests.events.payloads import event

    model = model_of(DOC)
    qtmodeltester.check(model)
    model.add(model.index_of(("inspection", "steps")), value={"title": "x"})
    model.remove(model.index_of(("readings",)))
    qtmodeltester.check(model)
    log = EventLogController(limit=3)
    log.add_events([event_from_json(event("session_created")) for _ in range(5)])
    qtmodeltester.check(log.model)
    timeline = TimelineModel()
    timeline.set_events([event_from_json(event("session_data_updated", session_id="s")) for _ in range(3)])
    timeline.add_newer([event_from_json(event("session_closed", session_id="s"))])
    qtmodeltester.check(timeline)
