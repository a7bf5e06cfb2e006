"""The sandbox is as strict as the reference (issue 13): required fields, sort=_id, media types,
property values kept as given, and the explicit --lenient mode."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from skydesk.sandbox.cli import build_parser
from tests.sandbox.conftest import RestServer, make_session, sessions_url

REQUIRED = "is required"


def details(r: httpx.Response) -> dict[str, str]:
    assert r.status_code == 400, r.text
    return {d["field"]: d["message"] for d in r.json()["details"]}


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"name": "no version", "participants": []}, {"version"}),
        ({"name": "no participants", "version": 3}, {"participants"}),
        ({"name": "neither"}, {"version", "participants"}),
        ({"version": None, "participants": None}, {"version", "participants"}),
    ],
)
def test_create_needs_version_and_participants(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], body: dict[str, Any], missing: set[str]
) -> None:
    r = as_user("tech").post(sessions_url(rest_server.app_id()), json=body)
    assert details(r) == dict.fromkeys(missing, REQUIRED)


def test_data_patch_needs_version_and_add_participant_needs_type(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    assert details(tech.patch(sessions_url(app, sid, "data"), json={"data": {"a": 1}})) == {
        "version": REQUIRED
    }
    r = tech.post(sessions_url(app, sid, "participants"), json={"id": "u-9"})
    assert details(r) == {"type": REQUIRED}
    # Nothing was applied by the refused requests.
    assert tech.get(sessions_url(app, sid, "data")).json() == {}
    assert [p["id"] for p in tech.get(sessions_url(app, sid, "participants")).json()] == [
        rest_server.user_id("tech")
    ]


def test_openapi_marks_the_required_fields(as_user: Callable[..., httpx.Client]) -> None:
    schemas = as_user().get("/openapi.json").json()["components"]["schemas"]
    assert {"version", "participants"} <= set(schemas["SessionCreate"]["required"])
    assert "version" in schemas["DataPatch"]["required"]
    assert "type" in schemas["ParticipantAdd"]["required"]
    assert "x-skydesk-adopted" not in schemas["SessionCreate"]["properties"]["version"]


@pytest.mark.parametrize("sort", ["_id", "-_id"])
def test_sort_by_id_is_creation_order(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], tag: str, sort: str
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    # Names in reverse alphabetical order, so creation order differs from name order.
    made = [make_session(tech, app, name=f"{tag} {c}")["sessionId"] for c in "zyx"]
    expected = made if sort == "_id" else made[::-1]
    seen: list[str] = []
    params: dict[str, Any] = {"name": tag, "sort": sort, "limit": 2}
    while True:
        page = tech.get(sessions_url(app), params=params).json()
        seen += [s["sessionId"] for s in page["data"]]
        if not page["page"]["nextCursor"]:
            break
        params["nextCursor"] = page["page"]["nextCursor"]
    assert seen == expected
    media = [
        tech.post(sessions_url(app, made[0], "media"), json={"filename": n}).json()["mediaId"] for n in "ba"
    ]
    listed = tech.get(sessions_url(app, made[0], "media"), params={"sort": sort}).json()["data"]
    assert [m["mediaId"] for m in listed] == (media if sort == "_id" else media[::-1])


@pytest.mark.parametrize(
    "content_type",
    [
        "000" + "0" * 40,
        "image",
        "image/",
        "/png",
        "image/png/x",
        "ima ge/png",
        "imäge/png",
        "image/png;",
        "x" * 300,
    ],
)
def test_media_content_type_must_be_a_media_type(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], content_type: str
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    r = tech.post(sessions_url(app, sid, "media"), json={"filename": "a.bin", "contentType": content_type})
    assert set(details(r)) == {"contentType"}


def test_valid_media_types_are_kept_and_served(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    for content_type in ("image/jpeg", "application/vnd.skylight+json", "text/plain; charset=utf-8"):
        body = {"filename": "a.txt", "contentType": content_type, "totalBytes": 2}
        media = tech.post(sessions_url(app, sid, "media"), json=body).json()
        content = sessions_url(app, sid, "media", media["mediaId"], "content")
        assert tech.put(content, content=b"hi").status_code == 200
        assert tech.get(content).headers["content-type"] == content_type


def test_properties_are_kept_as_given_and_filters_match_the_string_form(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], tag: str
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    number = make_session(tech, app, name=tag, properties={"orderId": 123456, "urgent": True})
    text = make_session(tech, app, name=tag, properties={"orderId": "123456", "urgent": "true"})
    assert number["properties"] == {"orderId": 123456, "urgent": True}  # kept, not converted
    assert text["properties"] == {"orderId": "123456", "urgent": "true"}
    for prop in ({"prop.orderId": "123456"}, {"prop.urgent": "true"}):
        found = tech.get(sessions_url(app), params={"name": tag, **prop}).json()["data"]
        assert {s["sessionId"] for s in found} == {number["sessionId"], text["sessionId"]}


def test_the_cli_is_strict_unless_told_otherwise() -> None:
    assert build_parser().parse_args([]).lenient is False
    assert build_parser().parse_args(["--lenient"]).lenient is True


def test_lenient_mode_lets_required_fields_default(make_sandbox: Callable[..., Any]) -> None:
    sandbox = make_sandbox(lenient=True, seed=0)
    info = sandbox.info
    with httpx.Client(
        base_url=info.api_url, verify=ssl.create_default_context(cafile=info.ca_file), timeout=30
    ) as c:
        token = c.post(
            f"/v1/authentication/login/realms/{info.realm}",
            json={"username": "tech", "password": info.user("tech").password, "realm": info.realm},
        ).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        app = next(a.application_id for a in info.applications if a.name == "Field Inspection")
        created = c.post(sessions_url(app), json={"name": "lenient"})
        assert created.status_code == 201, created.text
        session = created.json()
        assert session["version"] == 3 and len(session["participants"]) == 1  # published; the caller
        sid = session["sessionId"]
        assert c.patch(sessions_url(app, sid, "data"), json={"data": {"a": 1}}).status_code == 200
        assert c.post(sessions_url(app, sid, "participants"), json={"id": "u-2"}).status_code == 204
        schemas = c.get("/openapi.json").json()["components"]["schemas"]
    create = schemas["SessionCreate"]
    assert "version" not in create.get("required", []) and "participants" not in create.get("required", [])
    assert create["properties"]["version"]["x-skydesk-adopted"] is True
    assert schemas["DataPatch"]["properties"]["version"]["x-skydesk-adopted"] is True
    assert schemas["ParticipantAdd"]["properties"]["type"]["x-skydesk-adopted"] is True
