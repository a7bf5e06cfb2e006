"""EventBridge: events from a foreign thread arrive on the main thread, one batch per burst."""

from __future__ import annotations

import enum
import threading
from typing import Any

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
    bridge = EventBridge()
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
