"""A new event-log filter is matched a slice per GUI pass, and shows exactly what a plain scan finds."""

from __future__ import annotations

import json
from typing import Any

import pytest

from skydesk.api import SessionEvent
from skydesk.events.types import event_from_json
from skydesk.models.event_log import EventFilter, LoggedEvent
from skydesk.models.event_log_model import SCAN_SLICE, EventLogController, EventLogModel
from tests.events.payloads import event

SITES = ("North Yard", "Harbor Terminal", "Depot 14", "Café Nord")
RECEIVED: dict[str, dict[str, Any]] = {}  # event id -> the payload as batch() made it


def batch(start: int, count: int) -> list[SessionEvent]:
    """``count`` data events; every seventh mentions North Yard, every eleventh the café (non-ASCII)."""
    out = []
    for i in range(start, start + count):
        site = SITES[0] if i % 7 == 0 else SITES[3] if i % 11 == 0 else SITES[1 + i % 2]
        payload = event("session_data_updated", data={"n": i, "site": site})
        RECEIVED[payload["eventId"]] = payload
        out.append(event_from_json(payload))
    return out


def plain_scan(entries: list[LoggedEvent], text: str) -> list[LoggedEvent]:
    """The filter's meaning, written out: the text, case-folded, in the received payload's JSON."""
    needle = text.casefold()
    return [e for e in entries if needle in json.dumps(RECEIVED[e.event_id], ensure_ascii=False).casefold()]


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many entries each GUI pass of a filter scan matched (counted through EventFilter.matches)."""
    matched = [0]
    seen: list[int] = []
    original_matches = EventFilter.matches
    original_step = EventLogModel._scan_step

    def matches(self: EventFilter, entry: LoggedEvent) -> bool:
        matched[0] += 1
        return original_matches(self, entry)

    def step(self: EventLogModel) -> None:
        before = matched[0]
        original_step(self)
        seen.append(matched[0] - before)

    monkeypatch.setattr(EventFilter, "matches", matches)
    monkeypatch.setattr(EventLogModel, "_scan_step", step)
    return seen


def test_a_text_filter_over_many_events_is_matched_in_bounded_passes(qtbot: Any, passes: list[int]) -> None:
    ctl = EventLogController(limit=5_000)
    ctl.add_events(batch(0, 3_000))
    model = ctl.model
    passes.clear()
    ctl.set_filter(EventFilter(text="NORTH yard"))
    assert model.filtering and model.rowCount() == 3_000  # the old rows stay until the scan is done
    qtbot.waitUntil(lambda: not model.filtering, timeout=30_000)
    expected = plain_scan(ctl.log.entries(), "north yard")
    assert len(expected) == len(range(0, 3_000, 7))
    assert model.shown() == expected
    assert model.rowCount() == len(expected)
    assert max(passes) <= SCAN_SLICE and sum(passes) == 3_000
    assert len(passes) >= 3_000 // SCAN_SLICE


def test_events_arriving_and_dropping_during_the_scan_are_matched_too(qtbot: Any) -> None:
    ctl = EventLogController(limit=2_000)
    ctl.add_events(batch(0, 2_000))
    model = ctl.model
    ctl.set_filter(EventFilter(text="café"))
    assert model.filtering
    ctl.add_events(batch(2_000, 700))  # 700 of the oldest drop out of the bound meanwhile
    assert model.filtering
    qtbot.waitUntil(lambda: not model.filtering, timeout=30_000)
    kept = ctl.log.entries()
    assert kept[0].seq == 701
    assert model.shown() == plain_scan(kept, "café")
    newest = model.entry(0)
    assert newest is not None and newest.raw["data"]["n"] == max(
        n for n in range(2_700) if n % 11 == 0 and n % 7 != 0
    )
    ctl.add_events(batch(2_700, 22))  # after the scan: new matches go straight in, as before
    assert model.shown() == plain_scan(ctl.log.entries(), "café")


def test_export_during_a_scan_writes_the_new_filters_rows(tmp_path: Any) -> None:
    ctl = EventLogController(limit=5_000)
    ctl.add_events(batch(0, 2_000))
    ctl.set_filter(EventFilter(text="north yard"))
    assert ctl.model.filtering
    written = ctl.export(tmp_path / "events.jsonl")
    lines = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert written == len(lines) == len(range(0, 2_000, 7))
    assert all("North Yard" in line for line in lines)
    assert not ctl.model.filtering


def test_a_small_log_is_filtered_at_once(qapp: Any) -> None:
    ctl = EventLogController()
    ctl.add_events(batch(0, SCAN_SLICE))
    ctl.set_filter(EventFilter(text="north yard"))
    assert not ctl.model.filtering
    assert ctl.model.shown() == plain_scan(ctl.log.entries(), "north yard")
    ctl.set_filter(EventFilter())
    assert ctl.model.rowCount() == SCAN_SLICE
