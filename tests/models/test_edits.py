"""EditBaseline: untouched fields follow the server, an edited field someone else changed is a conflict."""

from __future__ import annotations

from skydesk.models.edits import EditBaseline, FieldConflict, changed_fields
from tests.models.sessions import changed, make_session


def _typed(name: str, description: str = "", properties: dict[str, str] | None = None) -> dict[str, object]:
    return {
        "name": name,
        "description": description,
        "properties": properties or {"site": "North", "priority": "1"},
    }


def test_a_change_to_a_field_the_user_did_not_touch_merges_in_silently() -> None:
    start = make_session(1)
    base = EditBaseline()
    base.start(start)
    theirs = changed(start, description="theirs", modified_by="u-dispatch")
    assert base.update(theirs, _typed("Mine")) == []
    assert base.values["description"] == "theirs" and base.dirty(_typed("Mine", "theirs")) == {"name"}
    assert base.session is theirs


def test_a_change_to_the_edited_field_is_a_conflict_until_the_user_chooses() -> None:
    start = make_session(1)
    base = EditBaseline()
    base.start(start)
    theirs = changed(start, name="Theirs", modified_by="u-dispatch")
    assert base.update(theirs, _typed("Mine")) == [FieldConflict("name", "Theirs", "u-dispatch")]
    assert base.update(theirs, _typed("Mine")) == []  # the same change is not reported twice
    assert base.dirty(_typed("Mine")) == {"name"}
    assert base.use_theirs("name") == "Theirs" and not base.conflicts
    assert base.dirty(_typed("Theirs")) == set()

    again = changed(theirs, name="Theirs 2", modified_by="u-sam")
    assert [c.by for c in base.update(again, _typed("Mine 2"))] == ["u-sam"]
    base.keep_mine("name")
    assert not base.conflicts and base.dirty(_typed("Mine 2")) == {"name"}  # Save will send mine


def test_the_server_holding_what_the_user_typed_is_no_conflict() -> None:
    start = make_session(1)
    base = EditBaseline()
    base.start(start)
    mine = changed(start, name="Mine")
    assert base.update(mine, _typed("Mine")) == [] and base.dirty(_typed("Mine")) == set()
    assert changed_fields(start, mine) == {"name"}
