"""From raw payloads to callbacks: parse once, drop duplicates, count, and shield the stream.

Everything here runs on the stream's thread for every message, so the path is kept short:
one ``json.loads``, one dict lookup for duplicates, no logging unless something is wrong.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from skydesk.api import SessionEvent
from skydesk.api.errors import BadResponse

from .types import (
    Resync,
    SessionClosed,
    SessionCreated,
    SessionDataUpdated,
    SessionEventCreated,
    SessionPropertiesUpdated,
    SessionUpdated,
    parse_event,
)

log = logging.getLogger("skydesk.events")

E = TypeVar("E", bound=SessionEvent)
Sink = Callable[[SessionEvent | Resync], None]

DEFAULT_DEDUP_SIZE = 10_000
# Malformed payloads: warn about the first few, then only every Nth, so a storm of bad
# messages cannot flood the log (the counter in stats stays exact).
_WARN_FIRST = 5
_WARN_EVERY = 1000
_MAX_REASON = 200


class Dispatcher:
    """Turns payloads into typed events and hands each new one to the sink and typed callbacks."""

    def __init__(self, sink: Sink | None = None, *, dedup_size: int = DEFAULT_DEDUP_SIZE) -> None:
        if dedup_size < 1:
            raise ValueError("dedup_size must be at least 1")
        self._sinks: list[Sink] = [sink] if sink is not None else []
        self._typed: dict[type[SessionEvent], list[Callable[[Any], None]]] = {}
        self._resync: list[Callable[[Resync], None]] = []
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._dedup_size = dedup_size
        self.received = 0
        self.delivered = 0
        self.duplicates = 0
        self.malformed = 0
        self.callback_errors = 0
        self.resyncs = 0

    # -- registration (any thread; lists are replaced, never mutated, so readers need no lock)

    def add_typed(self, event_cls: type[E], callback: Callable[[E], None]) -> None:
        """Call ``callback`` for every new event of exactly ``event_cls``."""
        self._typed = {**self._typed, event_cls: [*self._typed.get(event_cls, []), callback]}

    def add_sink(self, sink: Sink) -> None:
        """Call ``sink`` for every new event and every resync notice.

        Reference: none (skydesk addition: every event to one callable).
        """
        self._sinks = [*self._sinks, sink]

    def add_resync(self, callback: Callable[[Resync], None]) -> None:
        """Call ``callback`` for every resync notice."""
        self._resync = [*self._resync, callback]

    # -- the hot path (stream thread)

    def handle_payload(self, payload: bytes | bytearray) -> None:
        """Parse, de-duplicate and deliver one message; never raises."""
        self.received += 1
        try:
            event = parse_event(payload)
        except BadResponse as exc:
            self._note_malformed(exc.message)
            return
        except Exception as exc:  # a parser bug must not take the stream down
            self._note_malformed(f"{type(exc).__name__}: {exc}")
            return
        event_id = event.event_id
        seen = self._seen
        if event_id in seen:
            self.duplicates += 1
            return
        seen[event_id] = None
        if len(seen) > self._dedup_size:
            seen.popitem(last=False)
        self.delivered += 1
        for sink in self._sinks:
            self._call(sink, event)
        for callback in self._typed.get(type(event), ()):
            self._call(callback, event)

    def emit_resync(self, notice: Resync) -> None:
        """Deliver a resync notice to the sinks and the resync callbacks."""
        self.resyncs += 1
        for sink in self._sinks:
            self._call(sink, notice)
        for callback in self._resync:
            self._call(callback, notice)

    def _call(self, callback: Callable[[Any], None], item: object) -> None:
        try:
            callback(item)
        except Exception:
            # The app's bug is logged with its traceback; the stream and other callbacks go on.
            self.callback_errors += 1
            log.exception("event callback %s raised; the event stream continues", _name(callback))

    def _note_malformed(self, reason: str) -> None:
        self.malformed += 1
        n = self.malformed
        if n <= _WARN_FIRST or n % _WARN_EVERY == 0:
            log.warning("dropped malformed event #%d: %s", n, reason[:_MAX_REASON])
        else:
            log.debug("dropped malformed event #%d: %s", n, reason[:_MAX_REASON])


def _name(callback: Callable[..., Any]) -> str:
    return getattr(callback, "__qualname__", None) or repr(callback)


class CallbackRegistry:
    """The SDK-style registration methods; the class using it provides ``self._dispatcher``."""

    _dispatcher: Dispatcher

    def on_session_created(self, cb: Callable[[SessionCreated], None]) -> Callable[[SessionCreated], None]:
        """Register ``cb`` for session_created events (usable as a decorator).

        Reference: SDK event ``SessionCreated`` (``session_created``).
        """
        self._dispatcher.add_typed(SessionCreated, cb)
        return cb

    def on_session_updated(self, cb: Callable[[SessionUpdated], None]) -> Callable[[SessionUpdated], None]:
        """Register ``cb`` for session_updated events.

        Reference: SDK event ``SessionUpdated`` (``session_updated``).
        """
        self._dispatcher.add_typed(SessionUpdated, cb)
        return cb

    def on_session_properties_updated(
        self, cb: Callable[[SessionPropertiesUpdated], None]
    ) -> Callable[[SessionPropertiesUpdated], None]:
        """Register ``cb`` for session_properties_updated events.

        Reference: SDK event ``SessionPropertiesUpdated`` (``session_properties_updated``).
        """
        self._dispatcher.add_typed(SessionPropertiesUpdated, cb)
        return cb

    def on_session_data_updated(
        self, cb: Callable[[SessionDataUpdated], None]
    ) -> Callable[[SessionDataUpdated], None]:
        """Register ``cb`` for session_data_updated events.

        Reference: SDK event ``SessionDataUpdated`` (``session_data_updated``).
        """
        self._dispatcher.add_typed(SessionDataUpdated, cb)
        return cb

    def on_session_event_created(
        self, cb: Callable[[SessionEventCreated], None]
    ) -> Callable[[SessionEventCreated], None]:
        """Register ``cb`` for custom session events.

        Reference: SDK event ``SessionEventCreated`` (``session_event_created``).
        """
        self._dispatcher.add_typed(SessionEventCreated, cb)
        return cb

    def on_session_closed(self, cb: Callable[[SessionClosed], None]) -> Callable[[SessionClosed], None]:
        """Register ``cb`` for session_closed events.

        Reference: SDK event ``SessionClosed`` (``session_closed``).
        """
        self._dispatcher.add_typed(SessionClosed, cb)
        return cb

    def on_resync(self, cb: Callable[[Resync], None]) -> Callable[[Resync], None]:
        """Register ``cb`` for resync notices (events may have been missed: re-fetch).

        Reference: none (skydesk addition: events may have been missed).
        """
        self._dispatcher.add_resync(cb)
        return cb

    def add_sink(self, sink: Sink) -> None:
        """Add another receiver of every event and resync notice.

        Reference: none (skydesk addition: every event to one callable).
        """
        self._dispatcher.add_sink(sink)
