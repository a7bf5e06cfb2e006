"""The SDK's directory calls against the real sandbox: typed users and groups, batching, errors."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from skydesk.api import Forbidden, Group, NotFound, SkylightClient, User, ValidationError
from tests.api.conftest import sign_in


class CountingTransport(httpx.AsyncHTTPTransport):
    """The real TLS transport, remembering the path and query of every request it sends."""

    def __init__(self, ca_file: str) -> None:
        super().__init__(verify=ssl.create_default_context(cafile=ca_file))
        self.sent: list[httpx.URL] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.url)
        return await super().handle_async_request(request)


@pytest.fixture
def refused(sandbox: Any) -> Iterator[Any]:
    """The shared sandbox's refusal switch, switched back after the test."""
    yield sandbox.service.refuse_directory
    sandbox.service.refuse_directory(None)


@pytest.fixture
async def counted(sandbox: Any) -> AsyncIterator[tuple[SkylightClient, CountingTransport]]:
    info = sandbox.info
    transport = CountingTransport(info.ca_file)
    client = SkylightClient(info.api_url, transport=transport, device_id="tests-directory")
    await client.login(info.realm, "tech", info.user("tech").password)
    yield client, transport
    await client.aclose()


async def test_users_are_typed_with_names_and_job_titles(tech: SkylightClient) -> None:
    users = await tech.get_users()
    assert all(isinstance(u, User) for u in users)
    sam = next(u for u in users if u.username == "sam")
    assert (sam.first_name, sam.last_name, sam.display_name) == ("Sam", "Okafor", "Sam Okafor")
    assert sam.job_title == "Senior Field Technician"
    me = await tech.get_user(tech.user_id or "")
    assert me.display_name == "Alex Rivera" and me.id == tech.user_id


@pytest.mark.parametrize("term", ["sam", "oka", "Okafor"])
async def test_search_finds_sam(tech: SkylightClient, term: str) -> None:
    assert [u.display_name for u in await tech.get_users(search=term)] == ["Sam Okafor"]


async def test_limit_stops_early(tech: SkylightClient) -> None:
    assert len(await tech.get_users(limit=2)) == 2
    with pytest.raises(ValidationError):
        await tech.get_users(limit=0)


async def test_ids_are_looked_up_in_batches_of_100(
    sandbox: Any, counted: tuple[SkylightClient, CountingTransport]
) -> None:
    client, transport = counted
    real = [u.id for u in sandbox.info.users]
    wanted = [*real, *(f"unknown-{i}" for i in range(246))]  # 250 ids: three requests
    transport.sent.clear()
    found = await client.get_users(ids=wanted)
    assert sorted(u.id for u in found) == sorted(real)
    lookups = [url for url in transport.sent if url.path == "/v1/authentication/users"]
    assert len(lookups) == 3
    assert [len(url.params["ids"].split(",")) for url in lookups] == [100, 100, 50]


async def test_groups_with_members(sandbox: Any, tech: SkylightClient) -> None:
    groups = await tech.get_groups()
    assert [g.name for g in groups] == ["field-team"]
    team = groups[0]
    assert isinstance(team, Group)
    assert set(team.members) == {sandbox.info.user("tech").id, sandbox.info.user("sam").id}
    assert await tech.get_group(team.id) == team
    assert await tech.get_groups(search="FIELD") == [team]
    assert await tech.get_groups(ids=[team.id, "nope"]) == [team]


async def test_unknown_ids_raise_not_found(tech: SkylightClient) -> None:
    with pytest.raises(NotFound):
        await tech.get_user("nobody")
    with pytest.raises(NotFound):
        await tech.get_group("nothing")


@pytest.mark.parametrize(("status", "error"), [(403, Forbidden), (404, NotFound)])
async def test_refused_directory_raises_the_usual_errors(
    tech: SkylightClient, refused: Any, status: int, error: type[Exception]
) -> None:
    refused(status)
    with pytest.raises(error):
        await tech.get_users(search="sam")
    with pytest.raises(error):
        await tech.get_groups()


def test_models_tolerate_missing_optional_fields() -> None:
    user = User.from_json({"id": "u1", "username": "kim", "firstName": "Kim", "lastName": "Ng", "extra": 1})
    assert user.display_name == "Kim Ng" and user.job_title == ""
    assert User.from_json({"id": "u2", "username": "solo"}).display_name == "solo"
    assert Group.from_json({"id": "g", "name": "crew"}).members == ()


async def test_signin_works_for_every_demo_user(sandbox: Any) -> None:
    client = await sign_in(sandbox, "viewer")
    try:
        assert len(await client.get_users()) == 4  # the directory needs no application right
    finally:
        await client.aclose()
