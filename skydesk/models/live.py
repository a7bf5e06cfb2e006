"""Live events: a thread-safe bridge from the MQTT thread to Qt, batched; and the stream's lifecycle."""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from skydesk.core.claims import Claim, claim
from skydesk.core.settings import Settings
from skydesk.events import EventStream, Resync, stable_client_suffix, token_provider_for
from skydesk.models.auth import AuthController

if TYPE_CHECKING:
    from skydesk.api import SessionEvent

log = logging.getLogger(__name__)

# 0: flush as soon as the GUI thread is free. Whatever arrives while it is busy (painting, applying the
# previous batch) joins the next batch, so a storm still becomes few batches, while a single event is shown
# without waiting (a 75 ms wait made the p99 event-to-view latency 64x a bare subscriber's; benchmark B6).
FLUSH_INTERVAL_MS = 0
# A storm buffers thousands of events while the GUI thread is busy; every slot of events_batch (list, detail,
# event log, timeline, ...) then ran over all of them in one go (B5: 55-185 ms stalls). A flush hands out at
# most this many and leaves the rest to the next turn of the loop, so painting and input run in between.
MAX_BATCH = 250
# The stream's thread waits (up to BACKLOG_WAIT_S) once this many events are buffered and not yet taken.
# Why: it and the GUI thread share one GIL. While a storm keeps it busy (paho reading, answering and parsing
# one message after another, ~150 us each), it takes the GIL back after every socket call before the woken
# GUI thread can, and the GUI thread waited up to hundreds of milliseconds to run a 5 ms timer (B5: storm
# gaps in which the GUI thread ran 0-2 ms and the stream's thread 20-30 ms). A thread that blocks on a
# condition hands the GIL over for certain. While the GUI keeps up the backlog never gets this long.
MAX_BACKLOG = 100
BACKLOG_WAIT_S = 0.05
SHARED_USER_NOTE = (
    "Another skydesk window is signed in as this user on this computer and receives the events queued "
    "while skydesk was closed; this window shows the events that arrive while it is open."
)


class EventBridge(QObject):
    """Created on the main thread; `sink`/`on_state` may be called from any thread and only buffer.

    A main-thread timer flushes the buffer, so a burst of events becomes one `events_batch` (one repaint);
    by default it fires on the next turn of the event loop.
    """

    events_batch = Signal(list)
    state_changed = Signal(str, str)  # state name ("connected", "reconnecting", ...), detail
    resync_needed = Signal()
    _wake = Signal()  # emitted from the stream thread; queued to the main thread

    def __init__(
        self,
        parent: QObject | None = None,
        interval_ms: int = FLUSH_INTERVAL_MS,
        max_batch: int = MAX_BATCH,
        max_backlog: int = MAX_BACKLOG,
    ) -> None:
        super().__init__(parent)
        self._max_batch = max_batch
        self._max_backlog = max_backlog
        self._lock = threading.Lock()
        self._taken = threading.Condition(self._lock)  # notified when a flush takes events
        self._gui_thread = threading.get_ident()
        self._gui_stuck = False  # a wait for a flush timed out; no more waits until the next flush
        self._events: list[SessionEvent] = []
        self._states: list[tuple[str, str]] = []
        self._resync = False
        self._scheduled = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)
        self._wake.connect(self._on_wake, Qt.ConnectionType.QueuedConnection)
        self.state = "stopped"
        self.state_detail = ""

    def sink(self, item: Any) -> None:
        """Take a parsed event or a Resync marker (any thread).

        On another thread than the GUI's, it waits for the GUI to take the buffered events once there are
        more than ``max_backlog`` of them (see MAX_BACKLOG), at most BACKLOG_WAIT_S: a GUI thread that is
        busy for longer is not waited for again until it has flushed.
        """
        with self._lock:
            if isinstance(item, Resync):
                self._resync = True  # the stream may have missed events: refetch what is shown
            else:
                self._events.append(item)
            wake = not self._scheduled
            self._scheduled = True
            behind = len(self._events) > self._max_backlog and not self._gui_stuck
        if wake:
            self._wake.emit()
        if behind and threading.get_ident() != self._gui_thread:
            with self._lock:
                if not self._taken.wait_for(lambda: len(self._events) <= self._max_backlog, BACKLOG_WAIT_S):
                    self._gui_stuck = True

    def on_state(self, state: Any, detail: str = "") -> None:
        """Take a StreamState change (any thread)."""
        name = getattr(state, "name", str(state)).lower()
        with self._lock:
            self._states.append((name, detail))
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._wake.emit()

    def _on_wake(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def flush(self, everything: bool = False) -> None:
        """Emit what was buffered: states in order, then one events_batch, then resync_needed.

        The batch holds at most ``max_batch`` events (all of them with ``everything``); the rest follow
        in order on the next turn of the loop, and a resync only once they are all out.
        """
        with self._lock:
            cut = len(self._events) if everything else self._max_batch
            events, self._events = self._events[:cut], self._events[cut:]
            states, self._states = self._states, []
            more = bool(self._events)
            resync = self._resync and not more
            if resync:
                self._resync = False
            self._scheduled = more
            self._gui_stuck = False
            self._taken.notify_all()
        for name, detail in states:
            self.state, self.state_detail = name, detail
            self.state_changed.emit(name, detail)
        if events:
            self.events_batch.emit(events)
        if resync:
            self.resync_needed.emit()
        if more:
            self._timer.start()


class LiveController(QObject):
    """Starts the EventStream for the signed-in user and stops it off the GUI thread."""

    def __init__(
        self, auth: AuthController, settings: Settings, bridge: EventBridge, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._auth = auth
        self._settings = settings
        self.bridge = bridge
        self._stream: EventStream | None = None
        self._building: asyncio.Future[tuple[EventStream, Claim | None]] | None = None
        self._claim: Claim | None = None  # this device's stable client id for the user, while streaming
        self._joins: set[asyncio.Future[None]] = set()  # stream joins still running in the executor
        self.tls = True

    @property
    def running(self) -> bool:
        """True while a stream exists or is being built."""
        return self._stream is not None or self._building is not None

    @property
    def stream(self) -> EventStream | None:
        """The running EventStream (tests read its stats)."""
        return self._stream

    def start(self) -> None:
        """Build and start the stream for the signed-in client (on the loop, main thread); returns at once.

        The stream is built on a worker thread: its TLS context reads the CA file (or the system's whole
        trust store), which the GUI thread must not wait for.
        """
        client, profile = self._auth.client, self._auth.profile
        if self._stream is not None or self._building is not None:
            return
        if client is None or profile is None or client.user_id is None:
            return
        loop = asyncio.get_running_loop()
        realm, user_id = client.realm or profile.realm, client.user_id
        token_provider = token_provider_for(client, loop)
        suffix = stable_client_suffix(self._settings.device_id, user_id)

        def build() -> tuple[EventStream, Claim | None]:
            # The broker lets one connection hold a client id: another window of this user here would
            # take it over, again and again. The first claims the stable id; any other uses its own.
            stable, held = _claim_client_id(f"{realm}-{user_id}-{suffix}")
            try:
                stream = EventStream(
                    host=profile.mqtt_host,
                    port=profile.mqtt_port,
                    realm=realm,
                    user_id=user_id,
                    token_provider=token_provider,
                    client_suffix=suffix if stable else f"{secrets.randbelow(10**8):08d}",
                    ca_file=profile.ca_file or None,
                    tls=self.tls,
                    on_state=self.bridge.on_state if stable else self._on_shared_state,
                    sink=self.bridge.sink,
                    # The first page was read before this subscribes: on a new broker session (a first
                    # sign-in on this device) the list and the detail are fetched again for the gap.
                    loaded_before_connect=True,
                )
            except BaseException:
                if held is not None:  # a stream that never started must not keep the id from the next one
                    held.release()
                raise
            return stream, held

        building = loop.run_in_executor(None, build)
        self._building = building
        building.add_done_callback(self._on_built)

    def _on_built(self, building: asyncio.Future[tuple[EventStream, Claim | None]]) -> None:
        try:
            stream, held = building.result()
        except (OSError, ValueError) as exc:  # e.g. a CA file the TLS context refused
            if building is self._building:
                self._building = None
                log.warning("Live events cannot start: %s", exc)
                self.bridge.on_state("offline", f"Live events cannot start: {exc}")
            return
        if building is not self._building:
            if held is not None:  # (closing the lock file: a worker thread's job)
                asyncio.get_running_loop().run_in_executor(None, held.release)
            return  # stopped (or signed out) while it was being built: it is never started
        self._building = None
        self._stream, self._claim = stream, held
        stream.start()

    def _on_shared_state(self, state: Any, detail: str = "") -> None:
        # Say why this window does not get what was queued while it was closed (the tooltip of the state).
        self.bridge.on_state(state, f"{detail}\n{SHARED_USER_NOTE}" if detail else SHARED_USER_NOTE)

    async def stop(self) -> None:
        """Stop the stream; `stop()` joins a thread, so the join runs in the executor, not on the GUI thread.

        The stop is asked for before the first await, and the join is shielded: cancelling this coroutine
        (sign-out followed at once by quitting) must not leave the stream's thread running. Before, a join
        still queued behind a busy executor was cancelled with it, and the stream was never told to stop.
        A stream still being built is dropped unstarted (``_on_built`` sees it is no longer wanted).
        """
        self._building = None
        stream, self._stream = self._stream, None
        if stream is None:
            await self.wait_stopped()
            return
        stream.request_stop()
        held, self._claim = self._claim, None

        def stop_and_release() -> None:
            stream.stop()
            if held is not None:  # given up once the stream is off the broker, for the next sign-in or window
                held.release()

        join = asyncio.get_running_loop().run_in_executor(None, stop_and_release)
        self._joins.add(join)
        join.add_done_callback(self._joins.discard)
        await asyncio.shield(join)
        self.bridge.flush(everything=True)

    async def wait_stopped(self) -> None:
        """Wait for the joins of streams stopped earlier (shutdown awaits them after a cancelled stop)."""
        if self._joins:
            await asyncio.wait(set(self._joins))


def _claim_client_id(name: str) -> tuple[bool, Claim | None]:
    """Claim the client id ``name`` for this process: (use the stable id, the claim to release).

    When the claim cannot be made at all (no state directory), go on with the stable id unclaimed: that is
    how the app behaved before claims, and one window per user is the usual case.
    """
    from skydesk.core import paths  # (platformdirs: not needed before the first paint)

    try:
        held = claim(paths.state_dir() / "client-ids", name)
    except OSError as exc:
        log.warning("Cannot claim the live events client id (%s); using it unclaimed", exc)
        return True, None
    if held is None:
        log.info("Another window holds this user's live events client id; this one uses its own")
        return False, None
    return True, held
