"""Filtered session pages cut from a kept sort order are exactly the pages the plain SQL walk gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skydesk.sandbox.auth import TokenIssuer
from skydesk.sandbox.errors import Conflict
from skydesk.sandbox.filters import SESSION_SORTS, session_list_query
from skydesk.sandbox.ordered_pages import OrderCache
from skydesk.sandbox.paging import page_request, paginate
from skydesk.sandbox.seed import PRIORITIES, SITES
from skydesk.sandbox.service import SandboxService

SESSIONS = 150
# Names that fold together (ties broken by creation order), sort apart only by case, or sit outside ASCII.
NAMES = ["Alpha", "alpha", "ALPHA", "Straße", "STRASSE", "Ärger", "zebra", "Zebra 2", "ǅemal", "a"]
SORTS = ["", "name", "-name", "createdAt", "-createdAt", "modifiedAt", "-modifiedAt", "_id", "-_id"]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxService]:
    tmp: Path = tmp_path_factory.mktemp("ordered")
    svc = SandboxService(tmp / "sandbox.db", TokenIssuer(tmp / "jwt.pem", token_ttl=600, refresh_ttl=600))
    svc.seed(SESSIONS)
    yield svc
    svc.close()


def _app_id(service: SandboxService) -> str:
    with service.store.read() as conn:
        return str(conn.execute("SELECT id FROM applications ORDER BY seq LIMIT 1").fetchone()[0])


def _both(service: SandboxService, username: str, app_id: str, params: dict[str, str]) -> tuple[Any, Any]:
    """The page as plain SQL computes it and as the kept order computes it: (seqs, page) each."""
    actor = service.actor_by_username(username)
    scope = service.read_scope(actor, service.permissions(actor, app_id))
    query = session_list_query(app_id, params, scope)
    request = page_request(params, SESSION_SORTS)
    with service.store.read() as conn:
        plain_rows, plain_page = paginate(conn, query, request)
        kept_rows, kept_page = paginate(conn, query, request, service.store.orders)
    plain = ([tuple(r) for r in plain_rows], plain_page)
    kept = ([tuple(r) for r in kept_rows], kept_page)
    return plain, kept


filters = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["open", "closed"]),
        "prop.site": st.lists(st.sampled_from(SITES), min_size=1, max_size=3).map(",".join),
        "prop.priority": st.sampled_from(sorted(set(PRIORITIES))),
        "name": st.sampled_from(["a", "str", "ß", "zebra", "nothing like it"]),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=filters,
    sort=st.sampled_from(SORTS),
    limit=st.integers(1, 9),
    username=st.sampled_from(["dispatch", "tech"]),
    renames=st.lists(st.tuples(st.integers(0, SESSIONS // 2 - 1), st.sampled_from(NAMES)), max_size=4),
    walk=st.lists(st.booleans(), max_size=8),
)
def test_kept_order_pages_equal_the_plain_walk(
    service: SandboxService,
    params: dict[str, str],
    sort: str,
    limit: int,
    username: str,
    renames: list[tuple[int, str]],
    walk: list[bool],
) -> None:
    app_id = _app_id(service)
    dispatch = service.actor_by_username("dispatch")
    every = service.list_sessions(dispatch, app_id, {"limit": "200"})["data"]
    request = {**params, "limit": str(limit)} | ({"sort": sort} if sort else {})
    for step, forward in enumerate([True, *walk]):
        if step < len(renames):  # a write mid-walk: the kept order must not outlive it, cursors go stale
            index, name = renames[step]
            try:
                service.patch_session(
                    dispatch, app_id, every[index % len(every)]["sessionId"], {"name": name}
                )
            except Conflict:
                pass  # a closed session cannot be renamed
        plain, kept = _both(service, username, app_id, request)
        assert kept == plain
        cursor = plain[1]["nextCursor" if forward else "prevCursor"]
        if cursor is None:
            break
        request = {k: v for k, v in request.items() if not k.endswith("Cursor")}
        request["nextCursor" if forward else "prevCursor"] = cursor


def test_a_write_makes_the_kept_order_stale(service: SandboxService) -> None:
    app_id = _app_id(service)
    dispatch = service.actor_by_username("dispatch")
    params = {"limit": "3", "sort": "name", "status": "open"}
    first = service.list_sessions(dispatch, app_id, params)
    top = first["data"][0]
    service.patch_session(dispatch, app_id, top["sessionId"], {"name": "zzzz renamed to the end"})
    again = service.list_sessions(dispatch, app_id, params)
    assert top["sessionId"] not in [s["sessionId"] for s in again["data"]]
    assert again["page"]["total"] == first["page"]["total"]


def test_an_order_of_uncomparable_values_is_not_kept(service: SandboxService) -> None:
    # A sort value that is not text (NULL here) sorts by SQLite's type order: such orders fall back to SQL.
    with service.store.read() as conn:
        query = session_list_query(_app_id(service), {"status": "open"}, None)
        query.select = "s.*"
        assert OrderCache().order(conn, query, "NULL") is None
        assert OrderCache().order(conn, query, "s.name_folded") is not None
