"""EventStream: the user's session events from the Skylight MQTT broker, on one worker thread.

Threading: a single worker thread owns the paho client and drives it with ``client.loop()``.
We do not use ``loop_start()``/``loop_forever()``: their built-in reconnect retries a refused
CONNECT with the same stale password forever, and its backoff cannot fetch a fresh token, check
our watchdog, or pause for a sign-in. Owning the loop keeps every decision (token, backoff,
watchdog, resubscribe) on one thread, so paho is never touched from two threads and needs no locks.
Other threads only set events (stop, reconnect) that the worker polls every ``_TICK`` seconds.

Resync policy: a resync notice is emitted when a CONNACK says the broker has no session for us
(``session_present`` false) and this stream has been connected before, i.e. the broker lost
the queue of events addressed to us while we were away. By default it is not emitted on the first
connect of a stream: nothing was missed *by this stream* yet, and a caller that loads once the stream
is CONNECTED misses nothing. A caller that loads first (the app shows its first page before it starts
the stream) passes ``loaded_before_connect=True``: a first connect to a new broker session then ends
in a resync too, for the events between the load and the subscription. When the session was kept,
the broker redelivers what it queued and nothing is missed.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any, Self

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from skydesk.api.errors import SignInRequired
from skydesk.api.limits import MQTT_CLIENT_SUFFIX_RE

from ._connection import Attempt, describe, is_auth_refusal, make_client
from ._dispatch import CallbackRegistry, Dispatcher, Sink
from ._timing import Backoff, Verdict, Watchdog
from .tokens import TokenProvider
from .types import Resync, StreamState

__all__ = ["EventStream"]

log = logging.getLogger("skydesk.events")

_TICK = 0.25  # how often the worker looks at stop/reconnect requests and the watchdog
_STABLE_AFTER = 10.0  # a connection that lasted this long resets the backoff
_MAX_REFUSALS = 3  # refused CONNECTs in a row, each with a freshly refreshed token -> AUTH_FAILED
_ID_PART = re.compile(r"^[^/+#\s]+$")

StateCallback = Callable[[StreamState, str], None]


class EventStream(CallbackRegistry):
    """Receives the signed-in user's session events over MQTT and hands them to callbacks."""

    def __init__(
        self,
        *,
        host: str,
        port: int = 8883,
        realm: str,
        user_id: str,
        token_provider: TokenProvider,
        client_suffix: str,
        ca_file: str | None = None,
        tls: bool = True,
        keepalive: int = 30,
        on_state: StateCallback | None = None,
        sink: Sink | None = None,
        loaded_before_connect: bool = False,
    ) -> None:
        """``loaded_before_connect``: the caller read its data before this stream subscribed, so a first
        connect to a new broker session also ends in a Resync (events in between were queued nowhere)."""
        if not host:
            raise ValueError("host must not be empty")
        if not 0 < port < 65536:
            raise ValueError(f"port must be 1-65535, not {port}")
        for name, value in (("realm", realm), ("user_id", user_id)):
            if not _ID_PART.fullmatch(value):
                raise ValueError(f"{name} must be non-empty without '/', '+', '#' or spaces: {value!r}")
        if not isinstance(client_suffix, str) or not MQTT_CLIENT_SUFFIX_RE.fullmatch(client_suffix):
            raise ValueError("client_suffix must be exactly 8 ASCII digits 0-9 (see stable_client_suffix)")
        if keepalive < 2:
            raise ValueError("keepalive must be at least 2 seconds")
        self._host = host
        self._port = port
        self._where = f"{host}:{port}"
        self._username = f"{realm}/{user_id}"
        self._topic = f"v1/realms/{realm}/users/{user_id}/session/#"
        # Never subscribed, so unsubscribing it changes nothing; the UNSUBACK proves the link works.
        self._probe_topic = f"v1/realms/{realm}/users/{user_id}/session/skydesk-watchdog-probe"
        self._keepalive = keepalive
        self._loaded_before_connect = loaded_before_connect
        self._token_provider = token_provider
        self._on_state = on_state
        self._dispatcher = Dispatcher(sink)
        self._client = make_client(f"{realm}-{user_id}-{client_suffix}", tls=tls, ca_file=ca_file)
        if not tls:
            # Only for a local sandbox started with --no-tls: the MQTT password is the access token.
            log.warning("MQTT to %s without TLS: the access token travels unencrypted", self._where)
        client = self._client
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_unsubscribe = self._on_unsubscribe
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect

        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop_requested = threading.Event()
        self._reconnect_requested = threading.Event()
        self._wake = threading.Event()  # interrupts backoff waits and the AUTH_FAILED pause
        self._state: StreamState | None = None
        self._last_report: tuple[StreamState, str] | None = None
        self._reconnects = 0
        self._attempt = Attempt()
        self._watchdog = Watchdog(keepalive)
        self._ever_connected = False
        self._is_connected = threading.Event()  # set while the state is CONNECTED
        self._subscribed = False  # a SUBACK was received by this stream

    # ------------------------------------------------------------------ public API

    @property
    def state(self) -> StreamState | None:
        """The last reported state (None before ``start``)."""
        return self._state

    @property
    def stats(self) -> dict[str, int]:
        """Counters: received, delivered, duplicates, malformed, callback_errors, resyncs, reconnects."""
        d = self._dispatcher
        return {
            "received": d.received,
            "delivered": d.delivered,
            "duplicates": d.duplicates,
            "malformed": d.malformed,
            "callback_errors": d.callback_errors,
            "resyncs": d.resyncs,
            "reconnects": self._reconnects,
        }

    def start(self) -> None:
        """Start connecting on the stream's own thread; returns at once.

        Reference: the Integration API's MQTT section (connect and subscribe over TLS 1.2).
        """
        with self._lock:
            if self._stop_requested.is_set():
                raise RuntimeError("a stopped EventStream cannot be started again; create a new one")
            if self._thread is not None:
                raise RuntimeError("EventStream already started")
            self._thread = threading.Thread(target=self._run, name="skydesk-events", daemon=True)
            self._thread.start()

    def wait_connected(self, timeout: float | None = None) -> bool:
        """Block until the state is CONNECTED (True), or ``timeout`` seconds pass (False).

        Reference: none (skydesk addition).
        """
        return self._is_connected.wait(timeout)

    async def connected(self, within: float | None = None) -> None:
        """Wait, without blocking the loop, until CONNECTED; TimeoutError after ``within`` seconds.

        Reference: none (skydesk addition).
        """
        if not await asyncio.to_thread(self._is_connected.wait, within):
            raise TimeoutError(f"the event stream to {self._where} did not connect within {within} s")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        # stop() joins the worker, which may be waiting for a token from this very loop: off-loop.
        await asyncio.to_thread(self.stop)

    def reconnect(self) -> None:
        """Connect again now: leaves AUTH_FAILED (after a new sign-in), skips a backoff wait,
        or replaces the current connection.

        Reference: none (skydesk addition).
        """
        self._reconnect_requested.set()
        self._wake.set()

    def request_stop(self) -> threading.Thread | None:
        """Tell the worker to disconnect and end, without waiting; returns the thread to join, if any.

        Never blocks, so it is safe on a GUI thread; ``stop()`` is this plus the join.

        Reference: none (skydesk addition).
        """
        with self._lock:
            first = not self._stop_requested.is_set()
            self._stop_requested.set()
            self._wake.set()
            thread = self._thread
        if thread is None and first:
            self._report(StreamState.STOPPED, "Stopped")
        return thread

    def stop(self, timeout: float = 5.0) -> None:
        """Disconnect and join the thread. Idempotent; safe before ``start``.

        Blocks for up to ``timeout`` seconds. From an asyncio loop whose client backs the token
        provider, call it through ``asyncio.to_thread`` so a token fetch in flight can finish.

        Reference: none (skydesk addition: disconnect).
        """
        thread = self.request_stop()
        if thread is None:
            return
        if thread is threading.current_thread():
            return  # called from one of our callbacks: the worker exits when it returns
        thread.join(timeout)
        if thread.is_alive():
            log.warning(
                "event stream thread still busy %.1f s after stop(); it will exit on its own", timeout
            )

    # ------------------------------------------------------------------ worker thread

    def _run(self) -> None:
        try:
            self._supervise()
        except Exception:  # a bug here must still end in a clean STOPPED state
            log.exception("event stream worker failed")
        finally:
            self._client.disconnect()  # no-op when not connected
            self._report(StreamState.STOPPED, "Stopped")

    def _supervise(self) -> None:
        backoff = Backoff()
        force_refresh = False
        refusals = 0
        while not self._stop_requested.is_set():
            self._reconnect_requested.clear()
            try:
                token = self._token_provider(force_refresh)
            except SignInRequired as exc:
                self._report(StreamState.AUTH_FAILED, f"Sign-in required: {exc.message}")
                self._pause()
                force_refresh, refusals = False, 0
                backoff.reset()
                continue
            except Exception as exc:
                delay = backoff.next()
                self._report(
                    StreamState.OFFLINE,
                    f"Could not get an access token ({describe(exc)}); retrying in {delay:.0f} s",
                )
                self._sleep(delay)
                continue
            force_refresh = False
            verb = "Reconnecting" if self._ever_connected else "Connecting"
            self._report(
                StreamState.RECONNECTING if self._ever_connected else StreamState.CONNECTING,
                f"{verb} to {self._where}",
            )
            try:
                attempt = self._connect_and_pump(token)
            except Exception:  # a surprise from paho or our callbacks must not end the stream
                log.exception("unexpected error on the MQTT connection to %s", self._where)
                attempt = self._attempt
                attempt.lost_reason = f"Unexpected error on the connection to {self._where}"
            if self._stop_requested.is_set():
                return
            if attempt.connected:
                refusals = 0
                if time.monotonic() - attempt.connected_at >= _STABLE_AFTER:
                    backoff.reset()
            if self._reconnect_requested.is_set():
                backoff.reset()
                continue
            if attempt.refused is not None and is_auth_refusal(attempt.refused):
                refusals += 1
                force_refresh = True
                if refusals == 1:
                    # Expected when the token expired: refresh and retry at once, no backoff.
                    self._report(StreamState.RECONNECTING, "The broker refused the token; refreshing it")
                    continue
                if refusals >= _MAX_REFUSALS:
                    self._report(
                        StreamState.AUTH_FAILED,
                        f"The broker at {self._where} keeps refusing the sign-in; sign in again",
                    )
                    self._pause()
                    force_refresh, refusals = False, 0
                    backoff.reset()
                    continue
                delay = backoff.next()
                self._report(
                    StreamState.RECONNECTING, f"The broker refused the token again; retrying in {delay:.0f} s"
                )
                self._sleep(delay)
                continue
            delay = backoff.next()
            if attempt.connected:
                self._report(
                    StreamState.RECONNECTING, f"{attempt.lost_reason}; reconnecting in {delay:.0f} s"
                )
            else:
                self._report(StreamState.OFFLINE, f"{attempt.lost_reason}; retrying in {delay:.0f} s")
            self._sleep(delay)

    def _connect_and_pump(self, token: str) -> Attempt:
        """One connection, from CONNECT until it ends; returns what happened."""
        attempt = self._attempt = Attempt()
        client = self._client
        client.username_pw_set(self._username, token)
        try:
            client.connect(self._host, self._port, keepalive=self._keepalive)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError; CertificateError a ValueError
            attempt.lost_reason = f"Cannot reach {self._where} ({describe(exc)})"
            return attempt
        watchdog = self._watchdog
        watchdog.reset(time.monotonic())
        while True:
            if self._stop_requested.is_set() or self._reconnect_requested.is_set():
                client.disconnect()
                return attempt
            rc = client.loop(timeout=_TICK)
            if attempt.refused is not None or attempt.sub_refused:
                client.disconnect()
                if not attempt.lost_reason:
                    attempt.lost_reason = f"The broker refused the connection ({attempt.refused})"
                return attempt
            if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                if not attempt.lost_reason:
                    attempt.lost_reason = (
                        f"Connection to {self._where} lost ({mqtt.error_string(rc)})"
                        if attempt.connected
                        else f"Cannot connect to {self._where} ({mqtt.error_string(rc)})"
                    )
                return attempt
            verdict = watchdog.check(time.monotonic(), connected=attempt.connected)
            if verdict is Verdict.PROBE:
                client.unsubscribe(self._probe_topic)
            elif verdict is Verdict.DEAD:
                log.info("no traffic from %s within the keepalive budget; dropping the link", self._where)
                attempt.lost_reason = f"No answer from {self._where} (link timed out)"
                client.disconnect()
                return attempt

    def _sleep(self, seconds: float) -> None:
        """Wait, unless stop() or reconnect() interrupts."""
        self._wake.wait(seconds)
        self._wake.clear()

    def _pause(self) -> None:
        """Wait for reconnect() or stop() (AUTH_FAILED: retrying cannot help until a new sign-in)."""
        while not (self._stop_requested.is_set() or self._reconnect_requested.is_set()):
            self._wake.wait()
            self._wake.clear()

    # ------------------------------------------------------------------ paho callbacks (worker thread)

    def _on_connect(
        self, client: mqtt.Client, _ud: Any, flags: mqtt.ConnectFlags, rc: ReasonCode, _p: Properties | None
    ) -> None:
        attempt = self._attempt
        self._watchdog.traffic(time.monotonic())
        if rc.is_failure:
            attempt.refused = rc
            log.info("broker %s refused CONNECT: %s", self._where, rc)
            return
        attempt.connected = True
        attempt.connected_at = time.monotonic()
        if self._ever_connected:
            self._reconnects += 1
        attempt.how = "session resumed" if flags.session_present else "new broker session"
        # A lost session after an earlier connection means the broker dropped what it had queued
        # for us: resync. On the first connect only when the caller loaded its data before it (see the
        # module docstring).
        if not flags.session_present and (self._ever_connected or self._loaded_before_connect):
            attempt.resync_due = (
                "The broker lost the stream's session; events may have been missed"
                if self._ever_connected
                else "Subscribed after the data was loaded; events in between may have been missed"
            )
        self._ever_connected = True
        if flags.session_present and self._subscribed:
            self._connected(attempt)
            return
        # Subscribe when the broker has no session for us, and also once per stream even when it
        # has one (the SUBSCRIBE of an earlier run may have been lost with its connection);
        # subscribing again is harmless. CONNECTED waits for the SUBACK: "connected" means
        # events are flowing.
        client.subscribe(self._topic, qos=1)

    def _on_subscribe(
        self, _c: mqtt.Client, _ud: Any, _mid: int, codes: list[ReasonCode], _p: Properties | None
    ) -> None:
        self._watchdog.traffic(time.monotonic())
        attempt = self._attempt
        if any(code.is_failure for code in codes):
            attempt.sub_refused = True
            attempt.lost_reason = f"The broker at {self._where} refused the subscription to {self._topic}"
            log.warning("broker %s refused SUBSCRIBE %s", self._where, self._topic)
            return
        self._subscribed = True
        self._connected(attempt)

    def _connected(self, attempt: Attempt) -> None:
        self._report(StreamState.CONNECTED, f"Connected to {self._where} ({attempt.how})")
        if attempt.resync_due:
            reason, attempt.resync_due = attempt.resync_due, ""
            self._dispatcher.emit_resync(Resync(reason))

    def _on_unsubscribe(
        self, _c: mqtt.Client, _ud: Any, _mid: int, _codes: list[ReasonCode], _p: Properties | None
    ) -> None:
        self._watchdog.traffic(time.monotonic())

    def _on_message(self, _c: mqtt.Client, _ud: Any, message: mqtt.MQTTMessage) -> None:
        self._watchdog.traffic(time.monotonic())
        self._dispatcher.handle_payload(message.payload)

    def _on_disconnect(
        self, _c: mqtt.Client, _ud: Any, _f: mqtt.DisconnectFlags, rc: ReasonCode, _p: Properties | None
    ) -> None:
        attempt = self._attempt
        if attempt.connected and not attempt.lost_reason and not self._stop_requested.is_set():
            attempt.lost_reason = f"Connection to {self._where} lost ({rc})"

    # ------------------------------------------------------------------ helpers

    def _report(self, state: StreamState, detail: str) -> None:
        """Tell on_state about a change of state or detail (never twice the same)."""
        if self._last_report == (state, detail):
            return
        self._last_report = (state, detail)
        self._state = state
        if state is StreamState.CONNECTED:
            self._is_connected.set()
        else:
            self._is_connected.clear()
        log.info("event stream %s: %s", state.value, detail)
        if self._on_state is not None:
            try:
                self._on_state(state, detail)
            except Exception:
                log.exception("on_state callback raised; the event stream continues")
