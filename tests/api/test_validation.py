"""Client-side validation: limits from the reference, checked before any request is sent."""

from __future__ import annotations

import io

import httpx
import pytest

from skydesk.api import Participant, ValidationError
from skydesk.api import validation as v

from .fakes import APP, FakeApi, json_response, session_json, signed_in


def test_single_value_helpers_return_messages_or_none() -> None:
    assert v.validate_name("x" * v.NAME_MAX) is None
    assert "256 characters long; the limit is 255" in (v.validate_name("x" * 256) or "")
    assert v.validate_description("x" * 1000) is None
    assert v.validate_description("x" * 1001) is not None
    assert v.validate_version(1) is None
    assert v.validate_version(0) is not None and v.validate_version(True) is not None
    assert v.validate_participant_type("group") is None and v.validate_participant_type("robot")
    assert v.validate_limit(1) is None and v.validate_limit(200) is None
    assert v.validate_limit(0) and v.validate_limit(201) and v.validate_limit("5")
    assert v.validate_sort("-modifiedAt") is None and v.validate_sort("createdAt") is None
    assert v.validate_sort("size") and v.validate_sort("--name")
    assert v.validate_sort("-filename", v.MEDIA_SORT_FIELDS) is None
    assert v.validate_status("closed") is None and v.validate_status("archived")
    assert v.validate_media_filename("") and v.validate_media_filename("a" * 256)
    assert v.validate_media_filename("a.jpg") is None
    assert v.validate_media_title("t" * 256) and v.validate_media_description("d" * 256)
    assert v.validate_archived("only") is None and v.validate_archived("all")


def test_properties_cap_and_value_types() -> None:
    assert v.validate_properties({f"k{i}": "v" for i in range(50)}) == []
    errors = v.validate_properties({f"k{i}": "v" for i in range(51)})
    assert [e.field for e in errors] == ["properties"] and "51" in errors[0].message
    errors = v.validate_properties({"ok": 1, "bad": {"nested": 1}})
    assert [e.field for e in errors] == ["properties.bad"]


def test_data_keys_checked_at_every_depth_with_paths() -> None:
    data = {"good_key-1": {"steps": [{"ok": 1}, {"bad key": 2}]}, "x" * 65: 1, "fine": [1, [{"é": 0}]]}
    fields = [e.field for e in v.validate_data_keys(data)]
    assert fields == ["data.fine.1.0.é", "data.good_key-1.steps.1.bad key", "data." + "x" * 65]
    assert v.validate_data_keys({"a" * 64: {"b": None}}) == []
    assert [e.field for e in v.validate_data_keys({"when": object()})] == ["data.when"]
    assert [e.field for e in v.validate_data_keys({"n": float("nan")})] == ["data.n"]


def test_data_key_check_survives_deep_nesting() -> None:
    data: dict[str, object] = {}
    node = data
    for _ in range(5000):
        child: dict[str, object] = {}
        node["k"] = child
        node = child
    node["bad key"] = 1
    errors = v.validate_data_keys(data)
    # Refused for its depth (the 33rd level), without walking on into the recursion limit.
    assert len(errors) == 1 and "at most 32 levels" in errors[0].message
    assert errors[0].field == "data" + ".k" * 33


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.create_session(APP, name="n" * 256, version=1), "name"),
        (lambda c: c.create_session(APP, description="d" * 1001, version=1), "description"),
        (lambda c: c.create_session(APP, version=0), "version"),
        (
            lambda c: c.create_session(APP, version=1, participants=[Participant("x", "robot")]),
            "participants.0.type",
        ),
        (
            lambda c: c.create_session(APP, version=1, properties={str(i): "v" for i in range(51)}),
            "properties",
        ),
        (lambda c: c.patch_session(APP, "s", {"nmae": "typo"}), "nmae"),
        (lambda c: c.patch_session(APP, "s", {"status": "paused"}), "status"),
        (lambda c: c.update_session_properties(APP, "s", {"a": None}), "properties.a"),
        (lambda c: c.patch_session_data(APP, "s", {"steps": [{"bad key": 1}]}), "data.steps.0.bad key"),
        (lambda c: c.patch_session_data(APP, "s", {"a": 1}, version=0), "version"),
        (lambda c: c.add_participant(APP, "s", "u-2", "robot"), "type"),
        (lambda c: c.list_sessions(APP, limit=201), "limit"),
        (lambda c: c.list_sessions(APP, sort="size"), "sort"),
        (lambda c: c.list_sessions(APP, status="paused"), "status"),
        (lambda c: c.list_session_events(APP, "s", limit=0), "limit"),
        (lambda c: c.list_session_media(APP, "s", archived="all"), "archived"),
        (lambda c: c.list_session_media(APP, "s", sort="title"), "sort"),
        (
            lambda c: c.create_session_media(APP, "s", filename="", content_type="a/b", total_bytes=1),
            "filename",
        ),
        (
            lambda c: c.create_session_media(
                APP, "s", filename="f", content_type="a/b", total_bytes=1, title="t" * 256
            ),
            "title",
        ),
        (
            lambda c: c.create_session_media(APP, "s", filename="f", content_type="a/b", total_bytes=-1),
            "total_bytes",
        ),
        (lambda c: c.update_session_media(APP, "s", "m", description="d" * 256), "description"),
        (lambda c: c.get_session(APP, ""), "session_id"),
        (lambda c: c.create_session_event(APP, "s", "", {}), "event_type"),
        # Every limit, through every method that takes it.
        (lambda c: c.update_session_name(APP, "s", "n" * 256), "name"),
        (lambda c: c.update_session_description(APP, "s", "d" * 1001), "description"),
        (lambda c: c.update_session_properties(APP, "s", {str(i): "v" for i in range(51)}), "properties"),
        (lambda c: c.patch_session(APP, "s", {}), "patch"),
        (lambda c: c.patch_session(APP, "s", {"version": 0}), "version"),
        (lambda c: c.patch_session(APP, "s", {"participants": [{"type": "user"}]}), "participants.0.id"),
        (
            lambda c: c.patch_session(APP, "s", {"participants": [{"id": "u", "isGuest": "yes"}]}),
            "participants.0.isGuest",
        ),
        (lambda c: c.patch_session_data(APP, "s", {"k" * 65: 1}), "data." + "k" * 65),
        (lambda c: c.patch_session_data(APP, "s", {"when": {1, 2}}), "data.when"),
        (lambda c: c.patch_session_data(APP, "s", ["not", "an", "object"]), "data"),
        (lambda c: c.add_participant(APP, "s", ""), "id"),
        (lambda c: c.remove_participant(APP, "s", ""), "participant_id"),
        (lambda c: c.create_session_event(APP, "s", "e" * 256, {}), "event_type"),
        (lambda c: c.create_session_event(APP, "s", "note", {"n": float("inf")}), "data.n"),
        (lambda c: c.list_sessions(APP, limit=0), "limit"),
        (lambda c: c.list_sessions(APP, limit=True), "limit"),
        (lambda c: c.list_sessions(APP, created_from="2026-01-01"), "createdFrom"),
        (lambda c: c.list_sessions(APP, participants=["a,b"]), "participants"),
        (lambda c: c.list_sessions(APP, properties={"": "x"}), "properties"),
        (lambda c: c.iter_sessions(APP, page_size=500).__anext__(), "limit"),
        (lambda c: c.list_session_events(APP, "s", limit=201), "limit"),
        (lambda c: c.list_session_media(APP, "s", limit=201), "limit"),
        (lambda c: c.list_session_media(APP, "s", modified_to=1), "modifiedTo"),
        (
            lambda c: c.create_session_media(APP, "s", filename="f" * 256, content_type="a/b", total_bytes=1),
            "filename",
        ),
        (
            lambda c: c.create_session_media(
                APP, "s", filename="f", content_type="a/b", total_bytes=1, description="d" * 256
            ),
            "description",
        ),
        (
            lambda c: c.create_session_media(
                APP, "s", filename="f", content_type="a/b", total_bytes=1, labels=["ok", ""]
            ),
            "labels.1",
        ),
        (
            lambda c: c.create_session_media(
                APP,
                "s",
                filename="f",
                content_type="a/b",
                total_bytes=1,
                properties={str(i): 1 for i in range(51)},
            ),
            "properties",
        ),
        (
            lambda c: c.create_session_media(APP, "s", filename="f", content_type="jpeg", total_bytes=1),
            "content_type",
        ),
        (lambda c: c.update_session_media(APP, "s", "m", title="t" * 256), "title"),
        (lambda c: c.update_session_media(APP, "s", "m", size=3), "size"),
        (lambda c: c.update_session_media(APP, "s", "m", archived="yes"), "archived"),
        (lambda c: c.update_session_media(APP, "s", "m"), "fields"),
        (lambda c: c.delete_session_media(APP, "s", ""), "media_id"),
        (lambda c: c.upload_media_content(APP, "s", "", b"abc"), "media_id"),
        (lambda c: c.download_media_content(APP, "s", "", io.BytesIO()), "media_id"),
    ],
)
async def test_invalid_input_raises_before_any_request(call, field: str) -> None:  # type: ignore[no-untyped-def]
    api = FakeApi(lambda r: json_response(200, session_json()))
    async with await signed_in(api) as client:
        with pytest.raises(ValidationError) as err:
            await call(client)
    assert field in [d.field for d in err.value.details]
    assert field in err.value.message
    assert api.api_requests() == []  # nothing reached the server


async def test_server_400_details_are_parsed() -> None:
    body = {"error": "Invalid session", "details": [{"field": "name", "message": "too long"}]}
    api = FakeApi(lambda r: httpx.Response(400, json=body))
    async with await signed_in(api) as client:
        with pytest.raises(ValidationError) as err:
            await client.update_session_name(APP, "s-1", "ok")
    assert err.value.status == 400
    assert [(d.field, d.message) for d in err.value.details] == [("name", "too long")]
    assert "Invalid session" in err.value.message
