"""The adopted user and group directory: search, batched ids, paging, realm scoping, auth, refusal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import RestServer

USERS = "/v1/authentication/users"
GROUPS = "/v1/authentication/groups"


@pytest.fixture
def refusing(rest_server: RestServer) -> Iterator[Callable[[int | None], None]]:
    """Switch the shared server's directory refusal, and always switch it back."""
    yield rest_server.service.refuse_directory
    rest_server.service.refuse_directory(None)


def names(body: dict[str, Any]) -> list[str]:
    return [u["username"] for u in body["data"]]


def test_users_have_real_names_and_job_titles(as_user: Callable[..., httpx.Client]) -> None:
    body = as_user("viewer").get(USERS).json()
    by_name = {u["username"]: u for u in body["data"]}
    assert set(by_name) == {"tech", "dispatch", "sam", "viewer"}
    sam = by_name["sam"]
    assert (sam["firstName"], sam["lastName"], sam["displayName"]) == ("Sam", "Okafor", "Sam Okafor")
    assert sam["jobTitle"] == "Senior Field Technician"
    assert by_name["tech"]["displayName"] == "Alex Rivera"
    assert "password" not in str(body).lower() and "scrypt" not in str(body)
    assert body["page"]["total"] == 4


@pytest.mark.parametrize(
    ("term", "expected"),
    [("sam", ["sam"]), ("oka", ["sam"]), ("OKAFOR", ["sam"]), ("sam oka", ["sam"]), ("a", None), ("zz", [])],
)
def test_search_covers_user_name_and_display_name(
    as_user: Callable[..., httpx.Client], term: str, expected: list[str] | None
) -> None:
    found = names(as_user("tech").get(USERS, params={"search": term}).json())
    if expected is None:  # "a" is in every seeded name: Alex, Dana, Sam, Vic Lane
        assert sorted(found) == ["dispatch", "sam", "tech", "viewer"]
    else:
        assert found == expected


def test_ids_filter_answers_many_at_once_and_skips_unknown(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    wanted = [rest_server.user_id("sam"), rest_server.user_id("dispatch"), "not-a-user"]
    body = as_user("tech").get(USERS, params={"ids": ",".join(wanted)}).json()
    assert sorted(names(body)) == ["dispatch", "sam"]
    too_many = as_user("tech").get(USERS, params={"ids": ",".join(f"u{i}" for i in range(101))})
    assert too_many.status_code == 400 and too_many.json()["details"][0]["field"] == "ids"


def test_users_page_with_cursors_in_name_order(as_user: Callable[..., httpx.Client]) -> None:
    client = as_user("tech")
    first = client.get(USERS, params={"limit": 3, "sort": "name"}).json()
    assert [u["displayName"] for u in first["data"]] == ["Alex Rivera", "Dana Brooks", "Sam Okafor"]
    assert first["page"]["prevCursor"] is None and first["page"]["total"] == 4
    second = client.get(USERS, params={"limit": 3, "sort": "name", "nextCursor": first["page"]["nextCursor"]})
    assert [u["displayName"] for u in second.json()["data"]] == ["Vic Lane"]
    assert second.json()["page"]["nextCursor"] is None
    assert client.get(USERS, params={"limit": 0}).status_code == 400
    assert client.get(USERS, params={"sort": "jobTitle"}).status_code == 400


def test_get_user_and_unknown_user(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    client = as_user("tech")
    sam = client.get(f"{USERS}/{rest_server.user_id('sam')}")
    assert sam.status_code == 200 and sam.json()["displayName"] == "Sam Okafor"
    missing = client.get(f"{USERS}/nobody")
    assert missing.status_code == 404 and "error" in missing.json()


def test_groups_with_members(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    client = as_user("dispatch")
    body = client.get(GROUPS).json()
    assert [g["name"] for g in body["data"]] == ["field-team"]
    team = body["data"][0]
    assert team["members"] == [rest_server.user_id("tech"), rest_server.user_id("sam")]
    assert team["description"]
    assert client.get(GROUPS, params={"search": "FIELD"}).json()["data"][0]["id"] == team["id"]
    assert client.get(GROUPS, params={"search": "nope"}).json()["data"] == []
    assert client.get(GROUPS, params={"ids": team["id"]}).json()["page"]["total"] == 1
    one = client.get(f"{GROUPS}/{team['id']}")
    assert one.status_code == 200 and one.json() == team
    assert client.get(f"{GROUPS}/nope").status_code == 404


@pytest.mark.parametrize("path", [USERS, f"{USERS}/x", GROUPS, f"{GROUPS}/x"])
def test_directory_needs_a_valid_token_of_this_realm(rest_server: RestServer, path: str) -> None:
    with rest_server.client() as anonymous:
        r = anonymous.get(path)
        assert r.status_code == 401 and r.json() == {"error": "No authorization token found"}
    user = rest_server.service.actor_by_username("tech")
    foreign = rest_server.issuer.issue(user_id=user.user_id, username="tech", realm="other")["access_token"]
    with rest_server.client(Authorization=f"Bearer {foreign}") as outsider:
        assert outsider.get(path).status_code == 401


@pytest.mark.parametrize("status", [403, 404])
def test_directory_can_be_refused(
    rest_server: RestServer,
    as_user: Callable[..., httpx.Client],
    refusing: Callable[[int | None], None],
    status: int,
) -> None:
    refusing(status)
    client = as_user("tech")
    for path in (USERS, f"{USERS}/{rest_server.user_id('sam')}", GROUPS, f"{GROUPS}/x"):
        r = client.get(path)
        assert r.status_code == status and "error" in r.json()
    refusing(None)
    assert client.get(USERS).status_code == 200
    with pytest.raises(ValueError):
        rest_server.service.refuse_directory(500)


def test_directory_is_marked_adopted_in_openapi(rest_server: RestServer) -> None:
    with rest_server.client() as c:
        paths = c.get("/openapi.json").json()["paths"]
    for path in (USERS, f"{USERS}/{{userId}}", GROUPS, f"{GROUPS}/{{groupId}}"):
        assert paths[path]["get"]["x-skydesk-adopted"] is True
    marked = {p["name"] for p in paths[USERS]["get"]["parameters"] if p.get("x-skydesk-adopted")}
    assert marked == {"search", "ids"}
