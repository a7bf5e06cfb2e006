"""The session table's times are the user's local time to the minute, whatever the zone and its DST rules."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skydesk.models.session_columns import format_time

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham"]


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def _as_before(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def _same_as_astimezone(value: datetime) -> None:
    assert format_time(value) == _as_before(value)


def test_times_read_as_the_local_clock_did(zone: str) -> None:
    _same_as_astimezone()
    # Around this zone's DST changes of a year: every 10 minutes of March-April and September-November.
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for minutes in range(0, 61 * 24 * 60, 10):
        value = start + timedelta(minutes=minutes)
        assert format_time(value) == _as_before(value), (zone, value)
        autumn = value + timedelta(days=190)
        assert format_time(autumn) == _as_before(autumn), (zone, autumn)


def test_an_offset_other_than_utc_and_a_naive_time_are_converted_the_same_way(zone: str) -> None:
    for value in (
        datetime(2026, 6, 1, 12, 30, tzinfo=timezone(timedelta(hours=-7))),
        datetime(2026, 12, 24, 23, 59, 59),  # naive: taken as local time, as astimezone() does
    ):
        assert format_time(value) == _as_before(value)
