"""Every limit answers 400 with field details; bad bodies answer 400/413 and never 500."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import RestServer, make_session, sessions_url


def problems(r: httpx.Response) -> dict[str, str]:
    assert r.status_code == 400, r.text
    body = r.json()
    assert isinstance(body["error"], str) and body["error"]
    return {d["field"]: d["message"] for d in body["details"]}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "n" * 256}, {"name"}),
        ({"description": "d" * 1001}, {"description"}),
        ({"properties": {f"k{i}": i for i in range(51)}}, {"properties"}),
        ({"properties": {"k": None}}, {"properties.k"}),
        ({"properties": {"k": {"nested": 1}}}, {"properties.k"}),
        ({"properties": ["a"]}, {"properties"}),
        ({"version": 0}, {"version"}),
        ({"version": "3"}, {"version"}),
        ({"version": True}, {"version"}),
        ({"status": "paused"}, {"status"}),
        ({"participants": [{"id": "u", "type": "robot"}]}, {"participants[0].type"}),
        ({"participants": [{"type": "user"}]}, {"participants[0].id"}),
        ({"participants": [{"id": "u", "isGuest": "yes"}]}, {"participants[0].isGuest"}),
        ({"participants": "u"}, {"participants"}),
        ({"name": 5, "description": "d" * 1001}, {"name", "description"}),
        ({"properties": {"k" * 65: "v"}}, {"properties." + "k" * 65}),
        ({"properties": {"k": "v" * 1001}}, {"properties.k"}),
        ({"properties": {"k": 2**53 + 1}}, {"properties.k"}),
        ({"version": 2**31}, {"version"}),
        ({"participants": [{"id": "u" * 256}]}, {"participants[0].id"}),
    ],
)
def test_session_create_limits(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], body: dict[str, Any], fields: set[str]
) -> None:
    r = as_user("tech").post(
        sessions_url(rest_server.app_id()), json={"version": 1, "participants": [], **body}
    )
    assert set(problems(r)) == fields


def test_limits_at_the_edge_are_accepted(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    s = make_session(
        as_user("tech"),
        rest_server.app_id(),
        name="n" * 255,
        description="d" * 1000,
        properties={f"k{i}": (i if i % 3 else str(i)) for i in range(49)} | {"flag": False},
        version=1,
    )
    assert len(s["properties"]) == 50 and len(s["name"]) == 255


def test_session_patch_limits(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    r = tech.patch(sessions_url(app, sid), json={"name": None, "version": -1, "participants": [{"id": ""}]})
    assert set(problems(r)) == {"name", "version", "participants[0].id"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"bad key": 1}, "data.bad key"),
        ({"ok": {"deeper": {"no.dots": 1}}}, "data.ok.deeper.no.dots"),
        ({"list": [{"fine": 1}, {"not fine!": 2}]}, "data.list[1].not fine!"),
        ({"k" * 65: 1}, "data." + "k" * 65),
        ({"": 1}, "data."),
        ({"é": 1}, "data.é"),
    ],
)
def test_data_keys_are_checked_at_every_depth(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], data: dict[str, Any], field: str
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    r = tech.patch(sessions_url(app, sid, "data"), json={"data": data, "version": 1})
    assert field in problems(r)
    assert tech.get(sessions_url(app, sid, "data")).json() == {}  # nothing was stored


def test_data_patch_needs_an_object_and_a_valid_version(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    assert set(problems(tech.patch(sessions_url(app, sid, "data"), json={"data": [1], "version": 0}))) == {
        "data",
        "version",
    }
    deep: dict[str, Any] = {}
    cursor = deep
    for _ in range(40):
        cursor["d"] = {}
        cursor = cursor["d"]
    assert tech.patch(sessions_url(app, sid, "data"), json={"data": deep, "version": 1}).status_code == 400


def test_participant_add_validation(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    r = tech.post(sessions_url(app, sid, "participants"), json={"id": "x", "type": "team"})
    assert problems(r) == {"type": "must be one of: user, group"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"filename": ""}, {"filename"}),
        ({"filename": "f" * 256}, {"filename"}),
        ({}, {"filename"}),
        ({"filename": "a", "title": "t" * 256, "description": "d" * 256}, {"title", "description"}),
        ({"filename": "a", "totalBytes": -1}, {"totalBytes"}),
        ({"filename": "a", "labels": "x"}, {"labels"}),
        ({"filename": "a", "labels": ["a,b"]}, {"labels[0]"}),
        ({"filename": "a", "labels": ["l"] * 51}, {"labels"}),
        ({"filename": "a", "labels": ["l" * 65, ""]}, {"labels[0]", "labels[1]"}),
        ({"filename": "a", "contentType": "x" * 256}, {"contentType"}),
        ({"filename": "a", "totalBytes": 2 * 1024**3 + 1}, {"totalBytes"}),
        ({"filename": "a", "totalBytes": 1.5}, {"totalBytes"}),
        ({"filename": "a", "properties": {"k": [1]}}, {"properties.k"}),
    ],
)
def test_media_field_limits(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], body: dict[str, Any], fields: set[str]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    assert set(problems(tech.post(sessions_url(app, sid, "media"), json=body))) == fields


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"filename": ""}, {"filename"}),
        ({"filename": "f" * 256, "title": "t" * 256}, {"filename", "title"}),
        ({"description": "d" * 256}, {"description"}),
        ({"archived": "yes"}, {"archived"}),
        ({"labels": ["a,b"]}, {"labels[0]"}),
        ({"properties": {"k": None}}, {"properties.k"}),
    ],
)
def test_media_patch_limits(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], body: dict[str, Any], fields: set[str]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    media = tech.post(sessions_url(app, sid, "media"), json={"filename": "keep.png"}).json()
    url = sessions_url(app, sid, "media", media["mediaId"])
    assert set(problems(tech.patch(url, json=body))) == fields
    assert tech.get(url).json() == media  # nothing changed


def test_custom_event_validation(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    r = tech.post(sessions_url(app, sid, "events"), json={"eventType": "has space", "data": {"x y": 1}})
    assert set(problems(r)) == {"eventType", "data.x y"}


@pytest.mark.parametrize(
    ("content", "headers", "status", "needle"),
    [
        (b"{not json", {"content-type": "application/json"}, 400, "Malformed JSON"),
        (b"", {"content-type": "application/json"}, 400, "empty"),
        (b'{"name": NaN}', {"content-type": "application/json"}, 400, "NaN"),
        (b'{"name": "\\ud800"}', {"content-type": "application/json"}, 400, "Malformed JSON"),
        (b"[" * 100_000 + b"]" * 100_000, {"content-type": "application/json"}, 400, "Malformed JSON"),
        (b'{"name": "x"}', {"content-type": "text/plain"}, 400, "Content-Type"),
        (b"name=x", {"content-type": "application/x-www-form-urlencoded"}, 400, "Content-Type"),
        (b"\xff\xfe\x00", {"content-type": "application/json"}, 400, "Malformed JSON"),
        (b'"just a string"', {"content-type": "application/json"}, 400, "JSON object"),
        (b'{"name": "' + b"x" * (1024 * 1024) + b'"}', {"content-type": "application/json"}, 413, "limit"),
    ],
)
def test_bad_bodies_get_400_or_413(
    rest_server: RestServer,
    as_user: Callable[..., httpx.Client],
    content: bytes,
    headers: dict[str, str],
    status: int,
    needle: str,
) -> None:
    r = as_user("tech").post(sessions_url(rest_server.app_id()), content=content, headers=headers)
    assert r.status_code == status, r.text
    message = r.json()["error"] + str(r.json().get("details", ""))
    assert needle in message


def test_streamed_body_over_the_limit_is_413(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    def chunks() -> Iterator[bytes]:
        # No Content-Length: the server must count while it reads.
        yield b'{"name": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    r = as_user("tech").post(
        sessions_url(rest_server.app_id()), content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413


def test_unknown_routes_and_methods_use_the_error_shape(as_user: Callable[..., httpx.Client]) -> None:
    tech = as_user("tech")
    r = tech.get("/v1/application/nothing-here")
    assert r.status_code == 404 and set(r.json()) == {"error"}
    r = tech.put("/v1/application/applications")
    assert r.status_code == 405 and set(r.json()) == {"error"}
    # Allow names every method of the path, though FastAPI serves each from its own route.
    r = tech.put(sessions_url("some-app", "some-session"))
    assert r.status_code == 405 and r.headers["allow"] == "GET, PATCH"


def test_whole_numbers_written_with_a_fraction_are_integers(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    # JSON has one number type: 3.0 is the integer 3 (JSON Schema agrees); 3.5 is not.
    tech, app = as_user("tech"), rest_server.app_id()
    assert make_session(tech, app, version=3.0)["version"] == 3
    sid = make_session(tech, app)["sessionId"]
    media = tech.post(sessions_url(app, sid, "media"), json={"filename": "a", "totalBytes": 4.0})
    assert media.status_code == 201 and media.json()["totalBytes"] == 4
    assert set(problems(tech.post(sessions_url(app), json={"version": 3.5, "participants": []}))) == {
        "version"
    }


def test_null_means_none_for_lists_and_maps_but_not_for_texts(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    s = make_session(tech, app, properties=None)
    assert s["properties"] == {} and len(s["participants"]) == 1
    # participants is required on create (ref): null does not stand in for it.
    assert problems(tech.post(sessions_url(app), json={"version": 1, "participants": None})) == {
        "participants": "is required"
    }
    media = tech.post(sessions_url(app, s["sessionId"], "media"), json={"filename": "a", "labels": None})
    assert media.status_code == 201 and media.json()["labels"] == []
    url = sessions_url(app, s["sessionId"], "media", media.json()["mediaId"])
    assert set(problems(tech.patch(url, json={"title": None, "archived": None}))) == {"title", "archived"}
