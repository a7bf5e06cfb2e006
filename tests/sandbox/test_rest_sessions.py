"""Applications, roles, sessions, participants, data and the timeline over REST (CONTRACT §2)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.sandbox.conftest import RestServer, make_session, sessions_url

APPS = "/v1/application/applications"


def test_applications_list_get_and_roles(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech = as_user("tech")
    r = tech.get(APPS)
    assert r.status_code == 200
    body = r.json()
    assert [a["name"] for a in body["data"]] == ["Field Inspection", "Pump Maintenance", "Site Survey"]
    assert body["page"] == {"count": 3, "limit": 50, "total": 3, "prevCursor": None, "nextCursor": None}
    versions = {a["name"]: (a["publishedVersion"], a["draftVersion"]) for a in body["data"]}
    assert versions == {"Field Inspection": (3, 4), "Pump Maintenance": (1, -1), "Site Survey": (-1, 1)}

    app_id = rest_server.app_id()
    one = tech.get(f"{APPS}/{app_id}").json()
    assert set(one) == {
        "applicationId", "name", "description", "draftVersion", "publishedVersion", "createdBy", "createdAt",
    }  # fmt: skip

    roles = tech.get(f"{APPS}/{app_id}/roles").json()
    by_name = {r["name"]: r for r in roles}
    assert set(by_name) == {"technician", "dispatcher", "viewer"}
    assert "session:read:any" in by_name["dispatcher"]["permissions"]
    assert {"id": rest_server.user_id("tech"), "type": "user"} in by_name["technician"]["participants"]
    assert any(p["type"] == "group" for p in by_name["technician"]["participants"])


def test_applications_page_with_cursor(as_user: Callable[..., httpx.Client]) -> None:
    tech = as_user("tech")
    first = tech.get(APPS, params={"limit": 2, "sort": "name"}).json()
    assert [a["name"] for a in first["data"]] == ["Field Inspection", "Pump Maintenance"]
    second = tech.get(
        APPS, params={"limit": 2, "sort": "name", "nextCursor": first["page"]["nextCursor"]}
    ).json()
    assert [a["name"] for a in second["data"]] == ["Site Survey"]
    assert second["page"]["nextCursor"] is None and second["page"]["prevCursor"]
    # Applications have no modifiedAt, so it is not a sort key for them.
    r = tech.get(APPS, params={"sort": "-modifiedAt"})
    assert r.status_code == 400 and r.json()["details"][0]["field"] == "sort"


def test_unknown_application_is_404(as_user: Callable[..., httpx.Client]) -> None:
    tech = as_user("tech")
    for path in ("/nope", "/nope/roles", "/nope/sessions", "/nope/sessions/x/data"):
        r = tech.get(APPS + path)
        assert r.status_code == 404, path
        assert "nope" in r.json()["error"]


def test_create_session_stores_what_is_given_and_adds_the_creator(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech = as_user("tech")
    me = rest_server.user_id("tech")
    s = make_session(
        tech, rest_server.app_id(), name="Pump P-7", properties={"site": "Depot", "orderId": 42}, version=3
    )
    assert s["status"] == "open" and s["version"] == 3 and s["isDraft"] is False
    assert s["participants"] == [{"id": me, "type": "user", "isGuest": False}]
    assert s["createdBy"] == me and s["modifiedBy"] == me and s["createdAt"] == s["modifiedAt"]
    # The sandbox keeps property values as given (CONTRACT §4); the SDK is the one that sends strings.
    assert s["properties"] == {"site": "Depot", "orderId": 42}
    assert s["description"] == ""
    # A version above the published one is a draft, as is any session of an unpublished application.
    survey = make_session(tech, rest_server.app_id("Site Survey"), name="Survey", version=1)
    assert survey["version"] == 1 and survey["isDraft"] is True
    draft = make_session(tech, rest_server.app_id(), name="Try draft", version=4)
    assert draft["isDraft"] is True
    assert tech.get(sessions_url(rest_server.app_id(), s["sessionId"])).json() == s


def test_creator_is_not_duplicated_when_listed(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    me = rest_server.user_id("tech")
    s = make_session(
        as_user("tech"),
        rest_server.app_id(),
        participants=[{"id": "field-team-x", "type": "group"}, {"id": me, "type": "user", "isGuest": True}],
    )
    assert s["participants"] == [
        {"id": "field-team-x", "type": "group", "isGuest": False},
        {"id": me, "type": "user", "isGuest": True},
    ]


def test_patch_session_fields_and_replace_properties(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    s = make_session(tech, app, name="Before", properties={"a": "1", "b": "2"})
    r = tech.patch(
        sessions_url(app, s["sessionId"]),
        json={"name": "After", "description": "d", "properties": {"c": True}},
    )
    assert r.status_code == 200
    patched = r.json()
    assert patched["name"] == "After" and patched["description"] == "d"
    assert patched["properties"] == {"c": True}  # replaced whole, as the SDK documents
    assert patched["modifiedAt"] >= s["modifiedAt"]
    assert tech.get(sessions_url(app, s["sessionId"])).json() == patched


def test_closed_session_refuses_every_change_with_409(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app, name="To close")["sessionId"]
    closed = tech.patch(sessions_url(app, sid), json={"status": "closed"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    attempts = [
        tech.patch(sessions_url(app, sid), json={"name": "again"}),
        tech.patch(sessions_url(app, sid), json={"status": "open"}),
        tech.patch(sessions_url(app, sid, "data"), json={"data": {"x": 1}, "version": 3}),
        tech.post(sessions_url(app, sid, "participants"), json={"id": "u-1", "type": "user"}),
        tech.delete(sessions_url(app, sid, "participants", rest_server.user_id("tech"))),
        tech.post(sessions_url(app, sid, "events"), json={"eventType": "note", "data": {}}),
        tech.post(sessions_url(app, sid, "media"), json={"filename": "a.png", "totalBytes": 1}),
    ]
    for r in attempts:
        assert r.status_code == 409, r.request.url
        assert r.json() == {"error": f"Session {sid} is closed"}
    # Reading a closed session still works.
    assert tech.get(sessions_url(app, sid, "data")).status_code == 200


def test_participants_add_list_remove(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    url = sessions_url(app, sid, "participants")
    r = tech.post(url, json={"id": "grp-1", "type": "group"})
    assert r.status_code == 204 and r.content == b""
    missing = tech.post(url, json={"id": "guest-1", "isGuest": True})  # type is required (ref)
    assert missing.status_code == 400 and missing.json()["details"] == [
        {"field": "type", "message": "is required"}
    ]
    assert tech.post(url, json={"id": "guest-1", "type": "user", "isGuest": True}).status_code == 204
    listed = tech.get(url).json()
    assert {"id": "grp-1", "type": "group", "isGuest": False} in listed
    assert {"id": "guest-1", "type": "user", "isGuest": True} in listed
    assert tech.delete(f"{url}/grp-1").status_code == 204
    assert tech.delete(f"{url}/grp-1").status_code == 404
    assert [p["id"] for p in tech.get(url).json()] == [rest_server.user_id("tech"), "guest-1"]


def test_data_merge_patch_semantics(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    url = sessions_url(app, sid, "data")
    assert tech.get(url).json() == {}
    first = {
        "steps": {"s1": {"done": False, "notes": "x"}, "s2": {"done": False}},
        "tags": ["a", "b"],
        "n": 1,
    }
    r = tech.patch(url, json={"data": first, "version": 3})
    assert r.status_code == 200 and set(r.json()) == {"eventId"}
    second = {"steps": {"s1": {"done": True, "notes": None}}, "tags": ["c"], "n": None, "new": {"k": 0}}
    tech.patch(url, json={"data": second, "version": 3})
    assert tech.get(url).json() == {
        "steps": {"s1": {"done": True}, "s2": {"done": False}},  # nested merge, null deletes
        "tags": ["c"],  # arrays are replaced
        "new": {"k": 0},
    }


def test_data_patch_event_id_is_on_the_timeline(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    event_id = tech.patch(sessions_url(app, sid, "data"), json={"data": {"k": 1}, "version": 2}).json()[
        "eventId"
    ]
    timeline = tech.get(sessions_url(app, sid, "events")).json()["data"]
    event = next(e for e in timeline if e["eventId"] == event_id)
    assert event["eventType"] == "session_data_updated"
    assert event["data"] == {"k": 1} and event["version"] == 2 and "session" not in event


def test_timeline_records_device_headers_and_every_change(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    app = rest_server.app_id()
    tech = as_user("tech", deviceid="tablet-42", devicetimestamp="2024-05-01T12:30:00.250+02:00")
    sid = make_session(tech, app, name="Timeline")["sessionId"]
    tech.patch(sessions_url(app, sid), json={"name": "Timeline 2"})
    tech.patch(sessions_url(app, sid), json={"properties": {"priority": "high"}})
    tech.patch(sessions_url(app, sid, "data"), json={"data": {"a": 1}, "version": 1})
    custom = tech.post(sessions_url(app, sid, "events"), json={"eventType": "photo.taken", "data": {"n": 1}})
    assert custom.status_code == 201
    tech.patch(sessions_url(app, sid), json={"status": "closed"})
    page = tech.get(sessions_url(app, sid, "events")).json()
    kinds = [e["eventType"] for e in page["data"]]
    assert kinds == [
        "session_created",
        "session_updated",
        "session_properties_updated",
        "session_data_updated",
        "session_event_created",
        "session_closed",
    ]
    assert page["page"]["total"] == 6
    me = rest_server.user_id("tech")
    for e in page["data"]:
        assert e["source"] == "skylight" and e["userId"] == me and e["sessionId"] == sid
        assert e["deviceId"] == "tablet-42"
        assert e["timestamp"] == "2024-05-01T10:30:00.250Z"  # device time, normalised to UTC
        assert e["createdAt"] > "2025"  # server time
    assert page["data"][4]["customEventType"] == "photo.taken" and page["data"][4]["data"] == {"n": 1}
    assert page["data"][5]["session"]["status"] == "closed"


def test_without_device_timestamp_the_server_time_is_used(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    event = tech.get(sessions_url(app, sid, "events")).json()["data"][0]
    assert event["timestamp"] == event["createdAt"] and event["deviceId"] is None


def test_bad_device_timestamp_is_400(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    tech = as_user("tech", devicetimestamp="yesterday")
    r = tech.post(sessions_url(rest_server.app_id()), json={"name": "x"})
    assert r.status_code == 400
    assert r.json()["details"][0]["field"] == "devicetimestamp"


def test_timeline_pages_both_ways(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app)["sessionId"]
    for i in range(6):
        tech.patch(sessions_url(app, sid, "data"), json={"data": {"i": i}, "version": 1})
    url = sessions_url(app, sid, "events")
    p1 = tech.get(url, params={"limit": 4}).json()
    p2 = tech.get(url, params={"limit": 4, "nextCursor": p1["page"]["nextCursor"]}).json()
    assert [e["data"]["i"] for e in p2["data"]] == [3, 4, 5]
    back = tech.get(url, params={"limit": 4, "prevCursor": p2["page"]["prevCursor"]}).json()
    assert [e["eventId"] for e in back["data"]] == [e["eventId"] for e in p1["data"]]
    newest = tech.get(url, params={"sort": "-createdAt", "limit": 1}).json()["data"][0]
    assert newest["data"] == {"i": 5}
