"""Roles per application: who sees which sessions, who may change them (403/404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.sandbox.conftest import RestServer, make_session, sessions_url


def all_ids(client: httpx.Client, app: str, **params: Any) -> list[str]:
    ids: list[str] = []
    params = {"limit": 200, **params}
    while True:
        page = client.get(sessions_url(app), params=params).json()
        ids += [s["sessionId"] for s in page["data"]]
        if not page["page"]["nextCursor"]:
            return ids
        params["nextCursor"] = page["page"]["nextCursor"]


def test_participants_see_only_their_sessions(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    app = rest_server.app_id()
    service = rest_server.service
    tech_identities = set(service.actor_by_username("tech").identities)
    everything = all_ids(as_user("dispatch"), app)
    mine = all_ids(as_user("tech"), app)
    assert mine and len(mine) < len(everything)
    # Totals count only what the caller may see.
    for user, ids in (("tech", mine), ("dispatch", everything)):
        page = as_user(user).get(sessions_url(app), params={"limit": 1}).json()["page"]
        assert page["total"] == len(ids) and page["count"] == 1
    dispatch_actor = service.actor_by_username("dispatch")
    for sid in everything:
        session = service.get_session(dispatch_actor, app, sid)
        involved = any(p["id"] in tech_identities for p in session["participants"])
        assert (sid in mine) == involved, session["participants"]


def test_group_membership_grants_visibility_and_update(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    from skydesk.sandbox.seed import FIELD_TEAM_ID

    app, dispatch, sam = rest_server.app_id(), as_user("dispatch"), as_user("sam")
    s = make_session(dispatch, app, name="Team job", participants=[{"id": FIELD_TEAM_ID, "type": "group"}])
    assert sam.get(sessions_url(app, s["sessionId"])).status_code == 200
    assert s["sessionId"] in all_ids(sam, app)
    r = sam.patch(sessions_url(app, s["sessionId"], "data"), json={"data": {"by": "sam"}, "version": 1})
    assert r.status_code == 200
    # Once the group is removed, sam no longer sees it (and it answers like an unknown id).
    assert (
        dispatch.delete(sessions_url(app, s["sessionId"], "participants", FIELD_TEAM_ID)).status_code == 204
    )
    assert sam.get(sessions_url(app, s["sessionId"])).status_code == 404


def test_others_sessions_answer_404_not_403(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    app, dispatch, tech = rest_server.app_id(), as_user("dispatch"), as_user("tech")
    private = make_session(dispatch, app, name="Dispatch only")["sessionId"]
    for r in (
        tech.get(sessions_url(app, private)),
        tech.patch(sessions_url(app, private), json={"name": "mine now"}),
        tech.get(sessions_url(app, private, "data")),
        tech.get(sessions_url(app, private, "participants")),
        tech.get(sessions_url(app, private, "events")),
        tech.get(sessions_url(app, private, "media")),
        tech.post(sessions_url(app, private, "participants"), json={"id": rest_server.user_id("tech")}),
    ):
        assert r.status_code == 404, r.request.url
        assert r.json() == {"error": f"Session {private} not found"}
    assert dispatch.get(sessions_url(app, private)).json()["name"] == "Dispatch only"
    # An id that does not exist answers the same way, for everyone.
    for client in (tech, dispatch):
        r = client.get(sessions_url(app, "no-such-session"))
        assert r.status_code == 404 and r.json() == {"error": "Session no-such-session not found"}


def test_dispatcher_may_update_any_session(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    app = rest_server.app_id()
    sid = make_session(as_user("tech"), app, name="Tech's")["sessionId"]
    r = as_user("dispatch").patch(sessions_url(app, sid), json={"description": "checked by dispatch"})
    assert r.status_code == 200 and r.json()["modifiedBy"] == rest_server.user_id("dispatch")


def test_viewer_may_read_applications_and_roles_but_nothing_else(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    app, viewer = rest_server.app_id(), as_user("viewer")
    assert viewer.get("/v1/application/applications").json()["page"]["total"] == 3
    assert viewer.get(f"/v1/application/applications/{app}").status_code == 200
    assert viewer.get(f"/v1/application/applications/{app}/roles").status_code == 200
    for r in (
        viewer.get(sessions_url(app)),
        viewer.post(sessions_url(app), json={"name": "nope"}),
    ):
        assert r.status_code == 403, r.request.url
        assert set(r.json()) == {"error"}


def test_participants_may_update_others_may_not(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    app, tech, dispatch = rest_server.app_id(), as_user("tech"), as_user("dispatch")
    sam_id = rest_server.user_id("sam")
    s = make_session(dispatch, app, participants=[{"id": sam_id, "type": "user"}])
    sam = as_user("sam")
    assert sam.patch(sessions_url(app, s["sessionId"]), json={"name": "sam renamed"}).status_code == 200
    assert tech.patch(sessions_url(app, s["sessionId"]), json={"name": "tech renamed"}).status_code == 404


def test_media_needs_media_rights_and_visibility(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    app, dispatch = rest_server.app_id(), as_user("dispatch")
    private = make_session(dispatch, app)["sessionId"]
    assert (
        as_user("tech").post(sessions_url(app, private, "media"), json={"filename": "x"}).status_code == 404
    )
    assert as_user("viewer").get(sessions_url(app, private, "media")).status_code == 403
