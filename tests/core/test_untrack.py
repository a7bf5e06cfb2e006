"""Acyclic long-lived records out of the collector's sight: still freed, and what they hold stays alive."""

from __future__ import annotations

import gc
import weakref
from dataclasses import dataclass
from typing import Any

from skydesk.core.untrack import untrack_acyclic


class Node:
    """A container the collector tracks, which a weak reference can watch."""

    def __init__(self, value: Any) -> None:
        self.value = value


@dataclass(slots=True, weakref_slot=True)
class Record:
    """A record as the session list keeps them: text and a container of values."""

    name: str
    values: dict[str, Any]


def test_untracked_records_are_not_scanned_and_keep_what_they_hold_alive() -> None:
    records = [Record(f"r{i}", {"nested": [i, Node({"deep": str(i)})]}) for i in range(100)]
    inner = weakref.ref(records[7].values["nested"][1])
    assert all(gc.is_tracked(r) for r in records)
    untrack_acyclic([*records, "text", 3, (1, 2)])  # objects without a collector header are left alone
    assert not any(gc.is_tracked(r) for r in records)
    assert all(id(r) not in {id(o) for o in gc.get_objects()} for r in records[:3])
    gc.collect()  # the nested containers are referenced only from untracked records: not garbage
    assert inner() is not None and records[7].values["nested"][1].value["deep"] == "7"


def test_an_untracked_record_is_freed_by_its_reference_count() -> None:
    record = Record("gone", {"list": [1, Node(2)]})
    untrack_acyclic([record])
    alive, inner = weakref.ref(record), weakref.ref(record.values["list"][1])
    del record
    assert alive() is None and inner() is None  # no collection needed
