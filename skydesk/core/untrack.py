"""Long-lived records that can never be on a reference cycle, taken out of the cyclic collector's sight.

Why: the cyclic garbage collector looks at every object it tracks on each full collection. With 20,000
sessions listed, the sessions' records were three quarters of what it tracked, and a full collection took
10-15 ms of the GUI thread on a quiet machine (20-40 ms on a busy one) during a storm of live events, while
the event log's 10,000 entries added another third (benchmark B5). Records like these hold only text,
numbers, timestamps and containers of such values, so no cycle can pass through them: the collector could
never free one, only scan it. They are still freed by their reference counts as before.

An untracked object counts as a reference from outside: what it refers to stays alive while it does, which is
what plain reference counting gives anyway. CPython offers no Python-level call for this (``gc.freeze`` takes
every object there is), so the C API's ``PyObject_GC_UnTrack`` is called through ctypes, imported on first use
(not at start-up).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from functools import cache


@cache
def _untrack_call() -> Callable[[object], None]:
    import ctypes

    untrack = ctypes.pythonapi.PyObject_GC_UnTrack
    untrack.argtypes = [ctypes.py_object]
    untrack.restype = None
    return untrack


def untrack_acyclic(records: Iterable[object]) -> None:
    """Stop the collector from scanning ``records``; only for objects no reference cycle can pass through.

    Objects the collector does not track (strings, numbers, untracked tuples) are left as they are.
    """
    untrack, is_tracked = _untrack_call(), gc.is_tracked
    for record in records:
        if is_tracked(record):  # also keeps objects without a collector header away from the C call
            untrack(record)
