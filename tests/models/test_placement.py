"""Live rows land where the server would list them: the client's placement rule against the real sandbox."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydesk.api import SkylightClient
from skydesk.models.filters import SessionFilters
from skydesk.models.placement import in_place, insert_position
from skydesk.models.session_table import SessionTableModel
from tests.models.sessions import BASE, make_session


def test_names_sort_case_insensitively_and_ties_in_creation_order() -> None:
    ascending = SessionFilters(sort="name")
    rows = [make_session(1, name="alpha"), make_session(2, name="Bravo"), make_session(3, name="charlie")]
    assert insert_position(rows, make_session(9, name="Beta"), ascending) == 1  # not before "Bravo" by case
    assert insert_position(rows, make_session(9, name="BRAVO"), ascending) == 2  # newer: after its twin
    descending = SessionFilters(sort="-name")
    rows.reverse()
    assert insert_position(rows, make_session(9, name="bravo"), descending) == 1  # newer: before its twin
    assert insert_position(rows, make_session(9, name="ALPHA"), descending) == 2


def test_equal_dates_tie_in_creation_order_both_ways() -> None:
    same = {"created_at": BASE, "modified_at": BASE}
    rows = [make_session(1, **same), make_session(2, **same)]
    newest = make_session(3, **same)
    assert insert_position(rows, newest, SessionFilters(sort="createdAt")) == 2
    assert insert_position(rows[::-1], newest, SessionFilters(sort="-createdAt")) == 0
    assert insert_position(rows, newest, SessionFilters(sort="modifiedAt")) == 2
    assert insert_position(rows[::-1], newest, SessionFilters(sort="-modifiedAt")) == 0


@given(
    names=st.lists(st.sampled_from(["alpha", "Alpha", "bravo", "charlie"]), min_size=1, max_size=12),
    sort=st.sampled_from(["name", "-name", "createdAt", "-createdAt", None]),
    pick=st.integers(min_value=0),
    rename=st.sampled_from(["", "alpha", "ALPHA", "bravo", "delta"]),
)
def test_in_place_agrees_with_insert_position(
    names: list[str], sort: str | None, pick: int, rename: str
) -> None:
    """The neighbour check says "in place" exactly when searching the other rows gives the row's index."""
    filters = SessionFilters(sort=sort)
    rows = sorted(
        (make_session(n, name=name) for n, name in enumerate(names)),
        key=filters.sort_key,
        reverse=filters.descending,
    )
    row = pick % len(rows)
    if rename:
        rows[row] = make_session(100 + row, name=rename, created_at=rows[row].created_at)
    others = rows[:row] + rows[row + 1 :]
    assert in_place(rows, row, filters) == (insert_position(others, rows[row], filters) == row)


@pytest.mark.parametrize("sort", ["name", "-name"])
async def test_live_inserts_match_the_servers_order(sandbox: Any, qapp: Any, sort: str) -> None:
    tag = uuid.uuid4().hex[:8]
    names = [
        f"pump {tag} b",
        f"Pump {tag} A",
        f"PUMP {tag} b",
        f"pump {tag} a",
        f"Pump {tag} c",
        f"pump {tag} B",
    ]
    info = sandbox.info
    async with SkylightClient(info.api_url, ca_file=info.ca_file) as client:
        await client.login(info.realm, "tech", "tech-demo-pw")
        app_id = next(
            a.application_id for a in await client.get_applications() if a.name == "Field Inspection"
        )
        created = [await client.create_session(app_id, name=name) for name in names]
        page = await client.list_sessions(app_id, name=tag, sort=sort, limit=50)
    server_order = [s.name for s in page.items]
    assert sorted(server_order) == sorted(names)

    # The list was empty when the filter was set; the sessions then arrive live, in creation order.
    model = SessionTableModel()
    model.begin_load(SessionFilters(name=tag, sort=sort))
    model.append_page([], total=0, has_more=False)
    model.fetch_finished()
    model.apply_sessions(created)
    assert [s.name for s in model.sessions()] == server_order
