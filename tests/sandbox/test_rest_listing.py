"""Every session list parameter of the reference: filters, sorting, page totals and cursors."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import RestServer, make_session, sessions_url


def listing(client: httpx.Client, app: str, **params: Any) -> dict[str, Any]:
    r = client.get(sessions_url(app), params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def names(page: dict[str, Any]) -> list[str]:
    return [s["name"] for s in page["data"]]


@pytest.fixture
def five(rest_server: RestServer, as_user: Callable[..., httpx.Client], tag: str) -> list[dict[str, Any]]:
    """Five sessions tagged with a unique run id, made by tech (and one by dispatch)."""
    tech, dispatch, app = as_user("tech"), as_user("dispatch"), rest_server.app_id()
    specs = [
        ("Alpha pump", {"site": "North", "priority": "high"}),
        ("beta VALVE", {"site": "South", "priority": "low"}),
        ("Gamma pump", {"site": "North", "priority": "low"}),
        ("delta tank", {"site": "East", "priority": "high"}),
    ]
    made = [make_session(tech, app, name=n, properties={"run": tag, **p}) for n, p in specs]
    made.append(
        make_session(
            dispatch,
            app,
            name="Epsilon pump",
            properties={"run": tag, "site": "North", "priority": "high", "count": 7},
            participants=[{"id": rest_server.user_id("tech"), "type": "user"}],
        )
    )
    return made


def test_property_filters_or_within_and_across(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], tag: str, five: list[dict[str, Any]]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    run = {"prop.run": tag}
    assert listing(tech, app, **run)["page"]["total"] == 5
    either = listing(tech, app, **run, **{"prop.site": "North,East"})
    assert sorted(names(either)) == ["Alpha pump", "Epsilon pump", "Gamma pump", "delta tank"]
    both = listing(tech, app, **run, **{"prop.site": "North", "prop.priority": "high"})
    assert sorted(names(both)) == ["Alpha pump", "Epsilon pump"]
    # Numbers match their JSON text.
    assert names(listing(tech, app, **run, **{"prop.count": "7"})) == ["Epsilon pump"]
    assert listing(tech, app, **run, **{"prop.site": "Nowhere"})["page"]["total"] == 0


def test_status_name_participants_created_by(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], tag: str, five: list[dict[str, Any]]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    run = {"prop.run": tag}
    tech.patch(sessions_url(app, five[1]["sessionId"]), json={"status": "closed"})
    assert names(listing(tech, app, **run, status="closed")) == ["beta VALVE"]
    assert listing(tech, app, **run, status="open")["page"]["total"] == 4
    # Case-insensitive substring.
    assert sorted(names(listing(tech, app, **run, name="PUMP"))) == [
        "Alpha pump",
        "Epsilon pump",
        "Gamma pump",
    ]
    assert names(listing(tech, app, **run, name="valve")) == ["beta VALVE"]
    dispatch_id = rest_server.user_id("dispatch")
    assert names(listing(tech, app, **run, participants=f"{dispatch_id},someone-else")) == ["Epsilon pump"]
    assert names(listing(tech, app, **run, createdBy=dispatch_id)) == ["Epsilon pump"]
    assert listing(tech, app, **run, createdBy=rest_server.user_id("tech"))["page"]["total"] == 4
    assert names(listing(tech, app, **run, modifiedBy=dispatch_id)) == ["Epsilon pump"]


def test_date_bounds_are_inclusive(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], tag: str, five: list[dict[str, Any]]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    run = {"prop.run": tag}
    first, last = five[0], five[-1]
    exact = listing(tech, app, **run, createdFrom=first["createdAt"], createdTo=first["createdAt"])
    assert "Alpha pump" in names(exact)
    window = listing(tech, app, **run, createdFrom=first["createdAt"], createdTo=last["createdAt"])
    assert window["page"]["total"] == 5
    assert listing(tech, app, **run, createdFrom="2999-01-01T00:00:00Z")["page"]["total"] == 0
    assert listing(tech, app, **run, modifiedTo="2000-01-01T00:00:00+01:00")["page"]["total"] == 0
    assert listing(tech, app, **run, modifiedFrom=first["modifiedAt"])["page"]["total"] == 5
    r = tech.get(sessions_url(app), params={"createdFrom": "last tuesday"})
    assert r.status_code == 400 and r.json()["details"][0]["field"] == "createdFrom"
    # Every RFC 3339 spelling works: lower-case t/z, a leap second, and bounds beyond year 1-9999 in UTC.
    stamp = first["createdAt"].lower()
    assert "Alpha pump" in names(listing(tech, app, **run, createdFrom=stamp, createdTo=stamp))
    assert listing(tech, app, **run, createdTo="2998-12-31T23:59:60Z")["page"]["total"] == 5
    assert listing(tech, app, **run, createdFrom="0001-01-01T00:00:00+01:00")["page"]["total"] == 5
    assert listing(tech, app, **run, createdFrom="9999-12-31T23:59:59-01:00")["page"]["total"] == 0


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # Names sort case-insensitively (a binary collation would put every capital first).
        ("name", ["Alpha pump", "beta VALVE", "delta tank", "Epsilon pump", "Gamma pump"]),
        ("-name", ["Gamma pump", "Epsilon pump", "delta tank", "beta VALVE", "Alpha pump"]),
        ("createdAt", ["Alpha pump", "beta VALVE", "Gamma pump", "delta tank", "Epsilon pump"]),
        ("-createdAt", ["Epsilon pump", "delta tank", "Gamma pump", "beta VALVE", "Alpha pump"]),
        ("", ["Alpha pump", "beta VALVE", "Gamma pump", "delta tank", "Epsilon pump"]),
    ],
)
def test_sorting_pages_in_order(
    rest_server: RestServer,
    as_user: Callable[..., httpx.Client],
    tag: str,
    five: list[dict[str, Any]],
    sort: str,
    expected: list[str],
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    seen: list[str] = []
    params: dict[str, Any] = {"prop.run": tag, "limit": 2, "sort": sort}
    while True:
        page = listing(tech, app, **params)
        assert page["page"]["count"] == len(page["data"]) <= 2 and page["page"]["total"] == 5
        seen += names(page)
        if not page["page"]["nextCursor"]:
            break
        params["nextCursor"] = page["page"]["nextCursor"]
    assert seen == expected


def test_modified_at_sort_follows_changes(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], tag: str, five: list[dict[str, Any]]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    time.sleep(0.002)  # make the modification land on a later millisecond
    tech.patch(
        sessions_url(app, five[0]["sessionId"], "data"), json={"data": {"touched": True}, "version": 1}
    )
    assert names(listing(tech, app, **{"prop.run": tag}, sort="-modifiedAt"))[0] == "Alpha pump"


def test_prev_cursor_walks_back_and_is_ignored_with_next(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], tag: str, five: list[dict[str, Any]]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    run = {"prop.run": tag, "limit": 2, "sort": "name"}
    p1 = listing(tech, app, **run)
    assert p1["page"]["prevCursor"] is None
    p2 = listing(tech, app, **run, nextCursor=p1["page"]["nextCursor"])
    p3 = listing(tech, app, **run, nextCursor=p2["page"]["nextCursor"])
    assert names(p3) == ["Gamma pump"] and p3["page"]["nextCursor"] is None
    back = listing(tech, app, **run, prevCursor=p3["page"]["prevCursor"])
    assert names(back) == names(p2)
    assert names(listing(tech, app, **run, prevCursor=back["page"]["prevCursor"])) == names(p1)
    # With both cursors, prevCursor is ignored.
    both = listing(tech, app, **run, nextCursor=p1["page"]["nextCursor"], prevCursor=p3["page"]["prevCursor"])
    assert names(both) == names(p2)


@pytest.mark.parametrize("backward", [False, True], ids=["nextCursor", "prevCursor"])
def test_cursor_walk_is_exactly_once_while_sessions_are_added(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], tag: str, backward: bool
) -> None:
    app, dispatch = rest_server.app_id("Pump Maintenance"), as_user("dispatch")
    actor = rest_server.service.actor_by_username("dispatch")
    original = {
        make_session(dispatch, app, name=f"s{i:02d}", properties={"run": tag})["sessionId"] for i in range(23)
    }
    key = "prevCursor" if backward else "nextCursor"
    for sort in ("", "-createdAt", "name", "-name", "-modifiedAt"):
        params: dict[str, Any] = {"prop.run": tag, "limit": 4, "sort": sort}
        page = listing(dispatch, app, **params)
        while backward and page["page"]["nextCursor"]:  # a backward walk starts on the last page
            page = listing(dispatch, app, **params, nextCursor=page["page"]["nextCursor"])
        seen: list[str] = []
        while True:
            seen += [s["sessionId"] for s in page["data"]]
            # Someone else adds sessions (at both ends of the name order, mixed case) during the walk;
            # two per page of four, so a walk towards the newest items still reaches its end.
            for name in ("a-new", "Z-new") if len(seen) % 8 else ("A-new", "z-new"):
                rest_server.service.create_session(
                    actor, app, {"name": name, "properties": {"run": tag}, "version": 1, "participants": []}
                )
            if not page["page"][key]:
                break
            page = listing(dispatch, app, **params, **{key: page["page"][key]})
        assert len(seen) == len(set(seen)), f"an item was repeated with sort={sort!r}"
        assert original <= set(seen), f"an original item was skipped with sort={sort!r}"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"sort": "size"}, "sort"),
        ({"status": "archived"}, "status"),
        ({"nextCursor": "garbage!"}, "nextCursor"),
        ({"prevCursor": "eyJ4IjoxfQ"}, "prevCursor"),
        ({"createdTo": "2024-13-45"}, "createdTo"),
    ],
)
def test_bad_list_parameters_are_400(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], params: dict[str, Any], field: str
) -> None:
    r = as_user("tech").get(sessions_url(rest_server.app_id()), params=params)
    assert r.status_code == 400
    body = r.json()
    assert body["details"][0]["field"] == field and body["error"]


def test_cursor_of_another_sort_is_refused(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    cursor = listing(tech, app, limit=1, sort="name")["page"]["nextCursor"]
    r = tech.get(sessions_url(app), params={"limit": 1, "sort": "-createdAt", "nextCursor": cursor})
    assert r.status_code == 400 and "sort" in r.json()["details"][0]["message"]


def test_limit_bounds_and_default(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    dispatch, app = as_user("dispatch"), rest_server.app_id()
    assert listing(dispatch, app)["page"]["limit"] == 50
    big = listing(dispatch, app, limit=200)
    assert big["page"]["count"] == len(big["data"]) == min(200, big["page"]["total"])
    assert listing(dispatch, app, limit=1)["page"]["count"] == 1
