"""EventBridge: events from a foreign thread arrive on the main thread, one batch per burst."""

from __future__ import annotations

import asyncio
import enum
import threading
import time
from typing import Any

import pytest

from skydesk.api.models import SessionEvent
from skydesk.events import Resync
from skydesk.models.live import EventBridge
from tests.models.sessions import BASE, make_session
from tests.support.qt import SignalRecorder, wait_until


class _State(enum.Enum):  # shaped like skydesk.events.StreamState
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"


def _event(n: int) -> SessionEvent:
    return SessionEvent(
        event_id=f"e{n}",
        event_type="session_updated",
        application_id="app-1",
        session_id=f"s{n:05d}",
        source="skylight",
        user_id="u-dispatch",
        created_at=BASE,
        timestamp=None,
        version=3,
        session=make_session(n),
        data=None,
        raw={},
    )


async def test_burst_from_another_thread_is_one_batch_on_the_main_thread(qapp: Any) -> None:
    bridge = EventBridge(max_batch=1000)
    rec = SignalRecorder(bridge.events_batch, bridge.state_changed, bridge.resync_needed)
    main = threading.get_ident()
    slot_threads: set[int] = set()
    bridge.events_batch.connect(lambda _evs: slot_threads.add(threading.get_ident()))

    def paho_thread() -> None:
        bridge.on_state(_State.CONNECTED, "")
        for n in range(500):
            bridge.sink(_event(n))

    worker = threading.Thread(target=paho_thread)
    worker.start()
    worker.join()
    await rec.wait("events_batch")
    await wait_until(lambda: not bridge._timer.isActive(), what="flush")
    batches = rec.args("events_batch")
    assert len(batches) == 1
    assert [e.event_id for e in batches[0][0]] == [f"e{n}" for n in range(500)]
    assert rec.args("state_changed") == [("connected", "")]
    assert bridge.state == "connected"
    assert slot_threads == {main}
    assert rec.args("resync_needed") == []


async def test_state_changes_and_resync_are_reported_in_order(qapp: Any) -> None:
    bridge = EventBridge()
    rec = SignalRecorder(bridge.events_batch, bridge.state_changed, bridge.resync_needed)
    t = threading.Thread(
        target=lambda: (
            bridge.on_state(_State.RECONNECTING, "broker went away"),
            bridge.on_state(_State.CONNECTED, ""),
            bridge.sink(Resync("session lost")),
        )
    )
    t.start()
    t.join()
    await rec.wait("resync_needed")
    assert [n for n, _ in rec.calls] == ["state_changed", "state_changed", "resync_needed"]
    assert rec.args("state_changed") == [("reconnecting", "broker went away"), ("connected", "")]
    assert rec.args("events_batch") == []


async def test_a_storm_is_handed_out_in_bounded_slices_with_the_loop_running_between(qapp: Any) -> None:
    bridge = EventBridge(max_batch=100)
    rec = SignalRecorder(bridge.events_batch, bridge.resync_needed)
    turns: list[int] = []  # batches seen when each other callback of the loop ran
    loop = asyncio.get_running_loop()

    def other_work() -> None:
        turns.append(len(rec.args("events_batch")))
        if not rec.args("resync_needed"):
            loop.call_soon(other_work)

    def paho_thread() -> None:
        for n in range(450):
            bridge.sink(_event(n))
        bridge.sink(Resync("lost some"))

    worker = threading.Thread(target=paho_thread)
    worker.start()
    worker.join()
    loop.call_soon(other_work)
    await rec.wait("resync_needed")
    batches = [b[0] for b in rec.args("events_batch")]
    assert [len(b) for b in batches] == [100, 100, 100, 100, 50]
    assert [e.event_id for b in batches for e in b] == [f"e{n}" for n in range(450)]
    assert rec.calls[-1][0] == "resync_needed"  # only once every event is out
    assert {1, 2, 3, 4} <= set(turns)  # other work ran between the slices, not only before or after


async def test_stopping_flushes_every_buffered_event_at_once(qapp: Any) -> None:
    bridge = EventBridge(max_batch=10)
    rec = SignalRecorder(bridge.events_batch)
    for n in range(35):
        bridge.sink(_event(n))
    bridge.flush(everything=True)
    assert [len(b[0]) for b in rec.args("events_batch")] == [35]


def _sink_all(bridge: EventBridge, numbers: range) -> None:
    for n in numbers:
        bridge.sink(_event(n))


def _wait_for(predicate: Any, within: float = 30.0) -> None:
    """Poll ``predicate`` (the Qt loop is not running in these tests) until it holds, or fail."""
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_a_stream_thread_far_ahead_waits_until_the_gui_takes_its_events(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("skydesk.models.live.BACKLOG_WAIT_S", 60.0)  # only a flush can release it
    bridge = EventBridge(max_batch=1000, max_backlog=10)
    rec = SignalRecorder(bridge.events_batch)
    worker = threading.Thread(target=_sink_all, args=(bridge, range(45)))
    worker.start()
    while worker.is_alive() or bridge._events:
        _wait_for(lambda: len(bridge._events) > 10 or not worker.is_alive())
        bridge.flush()  # the GUI thread's turn
    worker.join()
    batches = [b[0] for b in rec.args("events_batch")]
    assert [e.event_id for b in batches for e in b] == [f"e{n}" for n in range(45)]
    assert max(len(b) for b in batches) == 11, "the stream's thread stopped one past the backlog each time"


def test_the_gui_thread_itself_never_waits_and_a_stuck_gui_is_waited_for_once(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("skydesk.models.live.BACKLOG_WAIT_S", 60.0)
    bridge = EventBridge(max_batch=1000, max_backlog=10)
    rec = SignalRecorder(bridge.events_batch)
    for n in range(30):  # on the GUI thread: waiting for itself would hang
        bridge.sink(_event(n))
    bridge.flush()
    monkeypatch.setattr("skydesk.models.live.BACKLOG_WAIT_S", 0.05)
    waits: list[float] = []
    wait_for = bridge._taken.wait_for

    def counted(predicate: Any, timeout: float) -> bool:
        waits.append(timeout)
        return bool(wait_for(predicate, timeout))

    monkeypatch.setattr(bridge._taken, "wait_for", counted)
    worker = threading.Thread(target=_sink_all, args=(bridge, range(30, 90)))
    worker.start()
    worker.join()  # no flush comes: one wait times out, the rest of the storm is not held back
    assert waits == [0.05]
    bridge.flush()
    assert [e.event_id for b in rec.args("events_batch") for e in b[0]] == [f"e{n}" for n in range(90)]
