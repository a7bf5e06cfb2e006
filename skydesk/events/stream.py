"""EventStream: the user's session events from the Skylight MQTT broker, on one worker thread.

Threading: a single worker thread owns the paho client and drives it with ``client.loop()``.
We do not use ``loop_start()``/``loop_forever()``: their built-in reconnect retries a refused
CONNECT with the same stale password forever, and its backoff cannot fetch a fresh token, check
our watchdog, or pause for a sign-in. Owning the loop keeps every decision (token, backoff,
watchdog, resubscribe) on one thread, so paho is never touched from two threads and needs no locks.
Other threads only set events (stop, reconnect) that the worker polls every ``_TICK`` seconds.

Resync policy: a resync notice is emitted when a CONNACK says the broker has no session for us
(``session_present`` false) and this stream has been connected before, i.e. the broker lost
the queue of events addressed to us while we were away. It is not emitted on the first connect
of a stream: nothing was missed *by this stream* yet, and the app does its initial load itself;
it should do that load once the stream is CONNECTED (or reload then), so no event can fall
between the load and the subscription. When the session was kept, the broker redelivers
what it queued and nothing is missed.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from skydesk.api import SessionEvent
from skydesk.api.errors import SignInRequired, SkydeskError, redact

from ._dispatch import Dispatcher, Sink
from ._timing import Backoff, Verdict, Watchdog
from .tokens import TokenProvider
from .types import (
    Resync,
    SessionClosed,
    SessionCreated,
    SessionDataUpdated,
    SessionEventCreated,
    SessionPropertiesUpdated,
    SessionUpdated,
    StreamState,
)

__all__ = ["EventStream"]

log = logging.getLogger("skydesk.events")

_TICK = 0.25  # how often the worker looks at stop/reconnect requests and the watchdog
_CONNECT_TIMEOUT = 8.0  # TCP connect + TLS handshake
_STABLE_AFTER = 10.0  # a connection that lasted this long resets the backoff
_MAX_REFUSALS = 3  # refused CONNECTs in a row, each with a freshly refreshed token -> AUTH_FAILED
_AUTH_REFUSALS = ("Bad user name or password", "Not authorized")
_ID_PART = re.compile(r"^[^/+#\s]+$")
_SUFFIX = re.compile(r"^[0-9]{8}$")

StateCallback = Callable[[StreamState, str], None]


class _Attempt:
    """What happened during one connection (filled in by paho callbacks on the worker thread)."""

    __slots__ = ("connected", "connected_at", "how", "lost_reason", "refused", "resync_due", "sub_refused")

    def __init__(self) -> None:
        self.connected = False
        self.connected_at = 0.0
        self.refused: ReasonCode | None = None
        self.sub_refused = False
        self.resync_due = False
        self.how = ""
        self.lost_reason = ""


class EventStream:
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
        verify: bool = True,
        tls: bool = True,
        keepalive: int = 30,
        on_state: StateCallback | None = None,
        sink: Sink | None = None,
    ) -> None:
        if not host:
            raise ValueError("host must not be empty")
        if not 0 < port < 65536:
            raise ValueError(f"port must be 1-65535, not {port}")
        for name, value in (("realm", realm), ("user_id", user_id)):
            if not _ID_PART.match(value):
                raise ValueError(f"{name} must be non-empty without '/', '+', '#' or spaces: {value!r}")
        if not _SUFFIX.match(client_suffix):
            raise ValueError("client_suffix must be exactly 8 digits (see stable_client_suffix)")
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
        self._token_provider = token_provider
        self._on_state = on_state
        self._dispatcher = Dispatcher(sink)
        self._client = self._make_client(f"{realm}-{user_id}-{client_suffix}", tls, verify, ca_file)

        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop_requested = threading.Event()
        self._reconnect_requested = threading.Event()
        self._wake = threading.Event()  # interrupts backoff waits and the AUTH_FAILED pause
        self._state: StreamState | None = None
        self._last_report: tuple[StreamState, str] | None = None
        self._reconnects = 0
        self._attempt = _Attempt()
        self._watchdog = Watchdog(keepalive)
        self._ever_connected = False
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

    def on_session_created(self, cb: Callable[[SessionCreated], None]) -> Callable[[SessionCreated], None]:
        """Register ``cb`` for session_created events (usable as a decorator)."""
        self._dispatcher.add_typed(SessionCreated, cb)
        return cb

    def on_session_updated(self, cb: Callable[[SessionUpdated], None]) -> Callable[[SessionUpdated], None]:
        """Register ``cb`` for session_updated events."""
        self._dispatcher.add_typed(SessionUpdated, cb)
        return cb

    def on_session_properties_updated(
        self, cb: Callable[[SessionPropertiesUpdated], None]
    ) -> Callable[[SessionPropertiesUpdated], None]:
        """Register ``cb`` for session_properties_updated events."""
        self._dispatcher.add_typed(SessionPropertiesUpdated, cb)
        return cb

    def on_session_data_updated(
        self, cb: Callable[[SessionDataUpdated], None]
    ) -> Callable[[SessionDataUpdated], None]:
        """Register ``cb`` for session_data_updated events."""
        self._dispatcher.add_typed(SessionDataUpdated, cb)
        return cb

    def on_session_event_created(
        self, cb: Callable[[SessionEventCreated], None]
    ) -> Callable[[SessionEventCreated], None]:
        """Register ``cb`` for custom session events."""
        self._dispatcher.add_typed(SessionEventCreated, cb)
        return cb

    def on_session_closed(self, cb: Callable[[SessionClosed], None]) -> Callable[[SessionClosed], None]:
        """Register ``cb`` for session_closed events."""
        self._dispatcher.add_typed(SessionClosed, cb)
        return cb

    def on_resync(self, cb: Callable[[Resync], None]) -> Callable[[Resync], None]:
        """Register ``cb`` for resync notices (events may have been missed: re-fetch)."""
        self._dispatcher.add_resync(cb)
        return cb

    def add_sink(self, sink: Callable[[SessionEvent | Resync], None]) -> None:
        """Add another receiver of every event and resync notice."""
        self._dispatcher.add_sink(sink)

    def start(self) -> None:
        """Start connecting on the stream's own thread; returns at once."""
        with self._lock:
            if self._stop_requested.is_set():
                raise RuntimeError("a stopped EventStream cannot be started again; create a new one")
            if self._thread is not None:
                raise RuntimeError("EventStream already started")
            self._thread = threading.Thread(target=self._run, name="skydesk-events", daemon=True)
            self._thread.start()

    def reconnect(self) -> None:
        """Connect again now: leaves AUTH_FAILED (after a new sign-in), skips a backoff wait,
        or replaces the current connection."""
        self._reconnect_requested.set()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Disconnect and join the thread. Idempotent; safe before ``start``.

        Blocks for up to ``timeout`` seconds. From an asyncio loop whose client backs the token
        provider, call it through ``asyncio.to_thread`` so a token fetch in flight can finish.
        """
        with self._lock:
            first = not self._stop_requested.is_set()
            self._stop_requested.set()
            self._wake.set()
            thread = self._thread
        if thread is None:
            if first:
                self._report(StreamState.STOPPED, "Stopped")
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
                    f"Could not get an access token ({_describe(exc)}); retrying in {delay:.0f} s",
                )
                self._sleep(delay)
                continue
            force_refresh = False
            verb = "Reconnecting" if self._ever_connected else "Connecting"
            self._report(
                StreamState.RECONNECTING if self._ever_connected else StreamState.CONNECTING,
                f"{verb} to {self._where}",
            )
            attempt = self._connect_and_pump(token)
            if self._stop_requested.is_set():
                return
            if attempt.connected:
                refusals = 0
                if time.monotonic() - attempt.connected_at >= _STABLE_AFTER:
                    backoff.reset()
            if self._reconnect_requested.is_set():
                backoff.reset()
                continue
            if attempt.refused is not None and attempt.refused.getName() in _AUTH_REFUSALS:
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

    def _connect_and_pump(self, token: str) -> _Attempt:
        """One connection, from CONNECT until it ends; returns what happened."""
        attempt = self._attempt = _Attempt()
        client = self._client
        client.username_pw_set(self._username, token)
        try:
            client.connect(self._host, self._port, keepalive=self._keepalive)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError; CertificateError a ValueError
            attempt.lost_reason = f"Cannot reach {self._where} ({_describe(exc)})"
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
        # for us: resync (see the module docstring for why not on the first connect).
        attempt.resync_due = self._ever_connected and not flags.session_present
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

    def _connected(self, attempt: _Attempt) -> None:
        self._report(StreamState.CONNECTED, f"Connected to {self._where} ({attempt.how})")
        if attempt.resync_due:
            attempt.resync_due = False
            self._dispatcher.emit_resync(
                Resync("The broker lost the stream's session; events may have been missed")
            )

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

    def _make_client(self, client_id: str, tls: bool, verify: bool, ca_file: str | None) -> mqtt.Client:
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=MQTTProtocolVersion.MQTTv311,
        )
        client.connect_timeout = _CONNECT_TIMEOUT
        if tls:
            client.tls_set_context(_tls_context(verify, ca_file))
            if not verify:
                client.tls_insecure_set(True)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_unsubscribe = self._on_unsubscribe
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect
        return client

    def _report(self, state: StreamState, detail: str) -> None:
        """Tell on_state about a change of state or detail (never twice the same)."""
        if self._last_report == (state, detail):
            return
        self._last_report = (state, detail)
        self._state = state
        log.info("event stream %s: %s", state.value, detail)
        if self._on_state is not None:
            try:
                self._on_state(state, detail)
            except Exception:
                log.exception("on_state callback raised; the event stream continues")


def _tls_context(verify: bool, ca_file: str | None) -> ssl.SSLContext:
    """TLS 1.2 or newer; verification against ``ca_file`` or the system store unless disabled."""
    if verify:
        try:
            ctx = ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(f"cannot use CA file {ca_file!r}: {exc}") from exc
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def _describe(exc: BaseException) -> str:
    """A short human reason for a connection or token failure (never a token)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {exc.verify_message}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, SkydeskError):
        return redact(str(exc))
    text = redact(str(exc)) or type(exc).__name__
    return text[:200]
