"""The document logic under the data editor: paths, key rule, minimal patches, three-way merge, raw text."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from skydesk.api import merge_patch
from skydesk.models.json_doc import (
    MISSING,
    describe_patch,
    find,
    format_path,
    get_at,
    key_error,
    key_problems,
    merge_diff,
    null_members,
    parse_document,
    same,
    three_way,
)

keys = st.text(alphabet="abcxyz_-09", min_size=1, max_size=4)
scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-2, 2) | st.text(max_size=3)
values = st.recursive(
    scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(keys, kids, max_size=3), max_leaves=12
)
documents = st.dictionaries(keys, values, max_size=5)


def without_null_members(value: Any) -> Any:
    """What a merge patch can express: objects never hold null."""
    if isinstance(value, dict):
        return {k: without_null_members(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_null_members(v) for v in value]
    return value


@given(documents, documents)
def test_applying_the_diff_reproduces_after(before: dict[str, Any], after: dict[str, Any]) -> None:
    after = without_null_members(after)
    patch = merge_diff(before, after)
    assert same(merge_patch(before, patch), after)


@given(documents)
def test_no_change_is_an_empty_patch(doc: dict[str, Any]) -> None:
    assert merge_diff(doc, doc) == {}


def test_deep_edit_patch_is_minimal() -> None:
    before = {
        "inspection": {"steps": [{"title": "a"}, {"title": "b"}], "by": "tech"},
        "readings": {"pressure_bar": 8.1, "temp": 20},
        "notes": "x",
    }
    after = {
        "inspection": {"steps": [{"title": "a"}, {"title": "B"}], "by": "tech"},
        "readings": {"pressure_bar": 8.98, "temp": 20},
    }
    patch = merge_diff(before, after)
    assert patch == {
        "inspection": {"steps": [{"title": "a"}, {"title": "B"}]},  # arrays go whole
        "readings": {"pressure_bar": 8.98},
        "notes": None,  # deleted keys go as null
    }
    assert describe_patch(patch, before).startswith("set inspection.steps")
    assert "set readings.pressure_bar 8.1 → 8.98" in describe_patch(patch, before)
    assert "removed notes" in describe_patch(patch, before)


def test_type_changes_are_changes() -> None:
    assert merge_diff({"a": 1}, {"a": True}) == {"a": True}
    assert merge_diff({"a": 1}, {"a": "1"}) == {"a": "1"}
    assert merge_diff({"a": {"b": 1}}, {"a": [1]}) == {"a": [1]}


def test_paths_read_like_code() -> None:
    assert format_path(("inspection", "steps", 2, "title")) == "inspection.steps[2].title"
    assert format_path(("bad key",)) == '["bad key"]'
    doc = {"inspection": {"steps": [0, 1, {"title": "t"}]}}
    assert get_at(doc, ("inspection", "steps", 2, "title")) == "t"
    assert get_at(doc, ("inspection", "nope")) is MISSING


def test_key_rule_comes_from_the_sdk() -> None:
    assert key_error("ok_key-1") is None
    assert key_error("bad key") is not None
    assert key_error("x" * 65) is not None
    assert key_error("") is not None
    doc = {"a": {"b c": [{"ok": 1, "é": 2}]}}
    assert [p for p, _ in key_problems(doc)] == [("a", "b c"), ("a", "b c", 0, "é")]


def test_null_members_are_reported() -> None:
    assert null_members({"a": None, "b": [None], "c": {"d": None}}) == [("a",), ("c", "d")]


def test_three_way_merges_untouched_keys_silently() -> None:
    base = {"a": 1, "b": {"x": 1, "y": 1}}
    mine = {"a": 2, "b": {"x": 1, "y": 1}}
    theirs = {"a": 1, "b": {"x": 5, "y": 1}, "c": 3}
    result = three_way(base, mine, theirs)
    assert result.clashes == []
    assert result.merged == {"a": 2, "b": {"x": 5, "y": 1}, "c": 3}


def test_three_way_reports_clashes_both_ways() -> None:
    base = {"a": 1, "b": 1}
    mine = {"a": 2, "b": 2}
    theirs = {"a": 3, "b": 1, "c": 9}
    result = three_way(base, mine, theirs)
    assert [c.path for c in result.clashes] == [("a",)]
    assert (result.clashes[0].mine, result.clashes[0].theirs) == (2, 3)
    assert result.merged == {"a": 2, "b": 2, "c": 9}  # keep mine
    assert result.reloaded == {"a": 3, "b": 2, "c": 9}  # theirs where we clashed, my other edit kept


def test_same_change_on_both_sides_is_no_clash() -> None:
    assert three_way({"a": 1}, {"a": 2}, {"a": 2}).clashes == []


def test_raw_text_errors_carry_line_and_column() -> None:
    value, problem = parse_document('{\n  "a": 1,\n  "b": }')
    assert value is None and problem is not None
    assert (problem.line, problem.column) == (3, 8)
    assert parse_document("[1]")[1] is not None
    assert parse_document('{"a": [1]}') == ({"a": [1]}, None)


def test_find_matches_keys_and_values() -> None:
    doc = {"inspection": {"steps": [{"title": "Check valve"}, {"title": "Log"}]}, "valveCount": 2}
    assert find(doc, "VALVE") == [("inspection", "steps", 0, "title"), ("valveCount",)]
    assert find(doc, "") == []
