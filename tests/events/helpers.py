"""Test helpers: record what an EventStream reports, and wait for it without sleeping blindly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from skydesk.api import SessionEvent
from skydesk.events import EventStream, Resync, StreamState


class Recorder:
    """Collects states, events and resync notices from a stream's thread; tests wait on conditions."""

    def __init__(self) -> None:
        self.states: list[tuple[StreamState, str]] = []
        self.events: list[SessionEvent] = []
        self.resyncs: list[Resync] = []
        self._cond = threading.Condition()

    def on_state(self, state: StreamState, detail: str) -> None:
        with self._cond:
            self.states.append((state, detail))
            self._cond.notify_all()

    def sink(self, item: SessionEvent | Resync) -> None:
        with self._cond:
            if isinstance(item, Resync):
                self.resyncs.append(item)
            else:
                self.events.append(item)
            self._cond.notify_all()

    def wait_for(self, what: str, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        """Block until ``predicate()`` holds (checked under the lock), or fail naming ``what``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}; states so far: {self.states[-8:]}")
                self._cond.wait(min(left, 0.2))

    @property
    def state(self) -> StreamState | None:
        with self._cond:
            return self.states[-1][0] if self.states else None

    def count(self, state: StreamState) -> int:
        with self._cond:
            return sum(1 for s, _ in self.states if s is state)

    def wait_state(self, state: StreamState, timeout: float = 20.0, *, after: int = 0) -> str:
        """Wait until ``state`` has been reported more than ``after`` times; returns its detail."""
        self.wait_for(f"state {state.name}", lambda: self._nth(state) > after, timeout)
        with self._cond:
            return [d for s, d in self.states if s is state][after]

    def _nth(self, state: StreamState) -> int:
        return sum(1 for s, _ in self.states if s is state)

    def event_ids(self) -> list[str]:
        with self._cond:
            return [e.event_id for e in self.events]


def make_stream(recorder: Recorder, **kwargs: Any) -> EventStream:
    """An EventStream wired to ``recorder`` (keyword arguments as for EventStream)."""
    kwargs.setdefault("client_suffix", "12345678")
    return EventStream(on_state=recorder.on_state, sink=recorder.sink, **kwargs)


def stream_threads() -> list[threading.Thread]:
    """Live threads that belong to an EventStream."""
    return [t for t in threading.enumerate() if t.name == "skydesk-events"]


def mosquitto_stream(
    open_stream: Callable[..., EventStream], recorder: Recorder, broker: Any, token_provider: Any, **kw: Any
) -> EventStream:
    """A stream for user u1 on the private mosquitto ``broker``; keyword arguments override the defaults."""
    args: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": broker.port,
        "realm": "demo",
        "user_id": "u1",
        "token_provider": token_provider,
        "ca_file": broker.ca_file,
        "keepalive": 10,
    }
    return open_stream(recorder, **{**args, **kw})
