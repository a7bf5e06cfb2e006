"""SessionFilters: parsing, server kwargs, and the same rules applied locally to live events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skydesk.api.models import Participant
from skydesk.models.filters import SessionFilters, parse_property_filter
from tests.models.sessions import BASE, make_session


def test_parse_property_filter() -> None:
    assert parse_property_filter("site = North, South ") == ("site", ["North", "South"])
    assert parse_property_filter("orderId=42") == ("orderId", ["42"])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("site North", "key = value"),
        (" = North", "no key"),
        ("site = , ", "no value"),
        ("my site = x", "may only hold"),
    ],
)
def test_parse_property_filter_errors(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_property_filter(text)


def test_to_kwargs_only_sends_what_is_set() -> None:
    assert SessionFilters().to_kwargs() == {}
    f = SessionFilters(
        status="open",
        name=" pump ",
        participant="u-1, u-2",
        properties={"site": ["A", "B"]},
        created_from=BASE,
        created_by="u-9",
        sort="-modifiedAt",
    )
    assert f.to_kwargs() == {
        "status": "open",
        "name": "pump",
        "participants": ["u-1", "u-2"],
        "properties": {"site": ["A", "B"]},
        "created_from": BASE,
        "created_by": ["u-9"],
        "sort": "-modifiedAt",
    }


def test_matches_like_the_server() -> None:
    s = make_session(1, name="Pump Station 4", properties={"site": "North", "urgent": True})
    assert SessionFilters().matches(s)
    assert SessionFilters(name="station").matches(s)  # case-insensitive substring
    assert not SessionFilters(name="valve").matches(s)
    assert not SessionFilters(status="closed").matches(s)
    assert SessionFilters(participant="nobody, field-team").matches(s)  # any of the ids
    assert not SessionFilters(participant="nobody").matches(s)
    assert SessionFilters(properties={"site": ["South", "North"], "urgent": ["true"]}).matches(s)
    assert not SessionFilters(properties={"site": ["North"], "orderId": ["1"]}).matches(s)  # keys ANDed
    assert SessionFilters(created_by="u-tech").matches(s)
    created = s.created_at
    assert SessionFilters(created_from=created, created_to=created).matches(s)  # inclusive
    assert not SessionFilters(created_from=created + timedelta(seconds=1)).matches(s)
    assert not SessionFilters(modified_to=created - timedelta(seconds=1)).matches(s)
    guest_only = make_session(2, participants=(Participant("g", is_guest=True),))
    assert SessionFilters(participant="g").matches(guest_only)


def test_json_round_trip_and_bad_input() -> None:
    f = SessionFilters(status="closed", name="x", properties={"site": ["A"]}, modified_to=BASE, sort="name")
    assert SessionFilters.from_json(f.to_json()) == f
    assert SessionFilters.from_json({"status": "weird", "sort": "color", "created_from": "nope"}) == (
        SessionFilters()
    )
    assert SessionFilters.from_json(None) == SessionFilters()
