"""The people directory against the sandbox: names arrive without blocking, batched, cached, or refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from skydesk.core.settings import Settings
from skydesk.models.people import short_id
from tests.models.helpers import sign_in
from tests.models.people import people_of
from tests.support.qt import SignalRecorder, wait_until


class Calls:
    """Counts what the sandbox's directory answered (the real service methods, only observed)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, service: Any) -> None:
        self.made: list[tuple[str, dict[str, str]]] = []
        for name in ("list_users", "list_groups"):
            real = getattr(service, name)
            monkeypatch.setattr(service, name, self._observe(name, real))

    def _observe(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def observed(actor: Any, params: Any) -> Any:
            self.made.append((name, dict(params)))
            return real(actor, params)

        return observed


@pytest.fixture
def refused(sandbox: Any) -> Any:
    yield sandbox.service.refuse_directory
    sandbox.service.refuse_directory(None)


async def test_label_shows_short_id_first_then_the_name(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    services = make_services()
    people = people_of(services)
    await sign_in(services, profile_of(sandbox))
    sam, team = sandbox.info.user("sam").id, _team_id(sandbox)
    changed = SignalRecorder(people.changed)
    # Painting asks; the answer is immediate (never waits for the network).
    assert people.label(sam) == short_id(sam) == f"{sam[:8]}…"
    assert people.label(team) == short_id(team)
    await wait_until(lambda: people.label(sam) == "Sam Okafor", within=20, what="Sam's name")
    assert people.label(team) == "field-team"
    assert people.person(team).members and people.person(team).is_group
    assert people.person(sam).job_title == "Senior Field Technician"
    assert sorted(pid for args in changed.args("changed") for pid in args[0]) == sorted([sam, team])


async def test_unknown_ids_are_marked_unknown_and_asked_once(
    sandbox: Any, make_services: Any, profile_of: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = make_services()
    people = people_of(services)
    await sign_in(services, profile_of(sandbox))
    calls = Calls(monkeypatch, sandbox.service)
    assert people.label("external-7") == "external-7"
    await wait_until(lambda: people.is_unknown("external-7"), within=20, what="the id found unknown")
    asked = len(calls.made)
    for _ in range(5):
        people.label("external-7")
    await wait_until(lambda: not people._flush_timer.isActive(), what="no lookup queued")
    assert len(calls.made) == asked == 2  # users, then groups for what was not a user; not again


async def test_lookups_are_batched_per_100_ids(
    sandbox: Any, make_services: Any, profile_of: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = make_services()
    people = people_of(services)
    await sign_in(services, profile_of(sandbox))
    calls = Calls(monkeypatch, sandbox.service)
    ids = [u.id for u in sandbox.info.users] + [f"outsider-{i}" for i in range(246)]
    for pid in ids:  # 250 cells painted in one go
        people.label(pid)
    await wait_until(lambda: all(people.person(u.id) for u in sandbox.info.users), within=20, what="names")
    await wait_until(lambda: all(people.is_unknown(f"outsider-{i}") for i in range(246)), within=20)
    users = [p for name, p in calls.made if name == "list_users"]
    assert len(users) == 3 and sorted(len(p["ids"].split(",")) for p in users) == [50, 100, 100]
    assert len(calls.made) <= 6


async def test_cache_expires(sandbox: Any, make_services: Any, profile_of: Any, monkeypatch: Any) -> None:
    services = make_services()
    now = [1000.0]
    people = people_of(services, ttl=60.0, clock=lambda: now[0])
    await sign_in(services, profile_of(sandbox))
    sam = sandbox.info.user("sam").id
    people.label(sam)
    await wait_until(lambda: people.person(sam) is not None, within=20)
    calls = Calls(monkeypatch, sandbox.service)
    now[0] += 30
    people.label(sam)
    assert not people._flush_timer.isActive() and calls.made == []
    now[0] += 31
    assert people.label(sam) == "Sam Okafor"  # the stale name still shows while it is asked again
    await wait_until(lambda: calls.made, within=20, what="a new lookup after expiry")


@pytest.mark.parametrize("status", [403, 404])
async def test_refused_directory_keeps_ids_and_local_labels_without_a_problem(
    sandbox: Any, make_services: Any, profile_of: Any, refused: Any, tmp_path: Any, status: int
) -> None:
    refused(status)
    services = make_services()
    people = people_of(services)
    problems = SignalRecorder(services.ops.problem_raised)
    await sign_in(services, profile_of(sandbox, "refusing"))
    sam = sandbox.info.user("sam").id
    assert people.label(sam) == short_id(sam)
    await wait_until(lambda: people.refused, within=20, what="the directory marked refused")
    people.set_local_label(sam, "  Sam   from the north yard ")
    assert people.label(sam) == "Sam from the north yard"
    assert services.settings.people_labels == {"refusing": {sam: "Sam from the north yard"}}
    services.settings.save()
    assert Settings.load(services.settings.path).people_labels == services.settings.people_labels
    # The picker still finds what the user named, locally.
    results = SignalRecorder(people.search_results)
    people.search("north")
    text, found = await results.wait("search_results")
    assert text == "north" and [p.id for p in found] == [sam] and not found[0].known
    assert problems.args("problem_raised") == []


async def test_search_finds_sam_by_user_name_and_last_name(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    services = make_services()
    people = people_of(services)
    await sign_in(services, profile_of(sandbox))
    results = SignalRecorder(people.search_results)
    for term in ("sam", "oka"):
        people.search(term)
        _, found = await wait_until(
            lambda t=term: next((a for a in results.args("search_results") if a[0] == t), None), within=20
        )
        assert [p.name for p in found] == ["Sam Okafor"], term
        assert found[0].detail == "sam · Senior Field Technician"
    # The server matches the group's name; Sam, already seen, matches by job title.
    people.search("field")
    _, found = await wait_until(
        lambda: next((a for a in results.args("search_results") if a[0] == "field"), None)
    )
    assert [(p.name, p.detail) for p in found] == [
        ("field-team", "Group · 2 members"),
        ("Sam Okafor", "sam · Senior Field Technician"),
    ]


def _team_id(sandbox: Any) -> str:
    from skydesk.sandbox.seed import FIELD_TEAM_ID

    return FIELD_TEAM_ID
