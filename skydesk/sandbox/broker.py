"""The sandbox's MQTT broker: amqtt 0.12.1 on its own thread and event loop, TLS by default.

amqtt keeps sessions (and the QoS 1 queues of away ``clean_session=False`` clients) in memory,
so they survive client reconnects but not a broker restart, exactly like a broker failover.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from typing import Any

from amqtt.adapters import ReaderAdapter, WriterAdapter
from amqtt.broker import Broker, Server
from amqtt.errors import BrokerError
from amqtt.mqtt.connack import NOT_AUTHORIZED, ConnackPacket
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.session import Session

from .broker_plugins import SkylightAuthPlugin, SkylightTopicPlugin, VerifyAccess, parse_client_id
from .broker_redelivery import DeliveryInterrupted, RedeliveringHandler

log = logging.getLogger(__name__)

START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
_SHUTDOWN_GRACE = 3.0  # seconds amqtt's own shutdown gets before the connections are cut
_LISTENER = "default"


class _ClientGoneNoise(logging.Filter):
    """Drops amqtt's tracebacks for clients that simply went away.

    When a client hangs up (a refused login, a killed app, a dropped network) while amqtt
    still writes to it, amqtt logs "Task failed" with a full ConnectionResetError traceback.
    For a sandbox whose tests drop connections on purpose that is noise, not an error.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        # DeliveryInterrupted: the message stays on the session and is resent on reconnect.
        if isinstance(exc, ConnectionResetError | BrokenPipeError | DeliveryInterrupted):
            return False
        message = record.getMessage()
        # EmbeddedBroker.start() re-raises a failed start with a clear message; skip amqtt's traceback.
        return "Connection reset by peer" not in message and message != "Broker startup failed"


_NOISE_FILTER = _ClientGoneNoise()


def _install_noise_filter() -> None:
    for name in ("amqtt", "amqtt.broker", "amqtt.mqtt.protocol.handler", "asyncio"):
        logger = logging.getLogger(name)
        if _NOISE_FILTER not in logger.filters:
            logger.addFilter(_NOISE_FILTER)


class _SkylightBroker(Broker):  # type: ignore[misc]  # amqtt ships no type hints
    """amqtt's Broker, made to authenticate a CONNECT before it touches any existing session.

    Stock amqtt 0.12.1 authenticates late: a refused CONNECT has already deleted the old session
    (clean_session=1), kicked off a connected client with the same id, or left a persistent
    session marked "connected" so the messages queued for it were lost. A client whose token
    expired and who reconnects must lose nothing, so refusals are handled here, first.
    """

    #: Offer exactly TLS 1.2 ("Use TLS 1.2 as the SSL protocol", the reference); set per instance.
    tls12_only = True

    def _create_ssl_context(self, listener: Any) -> ssl.SSLContext:
        # amqtt's own context (its certificate loading and error messages), pinned to TLS 1.2.
        context: ssl.SSLContext = Broker._create_ssl_context(listener)
        if self.tls12_only:
            context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
        return context

    async def _delete_session(self, client_id: str) -> None:
        # Called by amqtt while it reads a clean-session CONNECT, i.e. before authentication.
        # The deletion is done in _handle_client_session once the client has proven who it is.
        return

    async def _handle_client_session(
        self,
        reader: ReaderAdapter,
        writer: WriterAdapter,
        client_session: Session,
        handler: BrokerProtocolHandler,
        server: Server,
        listener_name: str,
    ) -> None:
        if not await self._authenticate(client_session, self.listeners_config[listener_name]):
            # MQTT-3.2.2-4: a refused CONNACK never claims a session is present.
            await ConnackPacket.build(0, NOT_AUTHORIZED).to_stream(writer)
            await writer.close()
            log.info("MQTT CONNECT refused (not authorized) for client id %r", client_session.client_id)
            return
        # A Will is a publish the broker makes on the client's behalf; clients may not publish.
        client_session.will_flag = False
        if client_session.clean_session and client_session.client_id in self._sessions:
            await super()._delete_session(client_session.client_id)
        # amqtt hard-codes its handler class; ours (not yet attached) keeps un-acked QoS 1 messages.
        handler = RedeliveringHandler(self.plugins_manager, loop=handler._loop)
        await super()._handle_client_session(reader, writer, client_session, handler, server, listener_name)

    async def _publish_session_retained_messages(self, session: Session) -> None:
        """Replay what queued up while a persistent client was away: in order, one at a time.

        amqtt 0.12.1 sends the whole queue concurrently, which reorders events and, past a few
        dozen messages, races PUBACKs against their waiters (lost acks, 5 s stalls, dropped
        connections). Sequential QoS 1 costs one local round trip per message.
        """
        handler = self._get_handler(session)
        if handler is None:
            return
        queued = []
        while not session.retained_messages.empty():
            queued.append(session.retained_messages.get_nowait())
        for index, message in enumerate(queued):
            try:
                # retain=False: these are ordinary queued events, not MQTT retained messages.
                await handler.mqtt_publish(message.topic, message.data, message.qos, retain=False)
            except Exception as exc:  # the client vanished mid-replay
                # An interrupted message already waits on the session (resent first); the rest follow it.
                rest = queued[index + 1 :] if isinstance(exc, DeliveryInterrupted) else queued[index:]
                for later in rest:
                    session.retained_messages.put_nowait(later)  # kept for its next visit
                log.info(
                    "Replay to %s interrupted (%s); %d kept", session.client_id, exc, len(queued) - index
                )
                return


class EmbeddedBroker:
    """An amqtt broker with Skylight's auth and ACL, runnable and restartable from any thread."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        realm: str,
        verify_access: VerifyAccess,
        certfile: str | None,
        keyfile: str | None,
        tls12_only: bool = True,
    ) -> None:
        if (certfile is None) != (keyfile is None):
            raise ValueError("certfile and keyfile must be given together (or neither, for plain MQTT)")
        self.host = host
        self.port = port
        self.realm = realm
        self._verify_access = verify_access
        self._certfile = certfile
        self._keyfile = keyfile
        self.tls12_only = tls12_only
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._broker: Broker | None = None

    @property
    def tls(self) -> bool:
        """Whether the listener speaks MQTT over TLS."""
        return self._certfile is not None

    @property
    def running(self) -> bool:
        """True between a successful start() and stop()."""
        return self._broker is not None

    def start(self) -> int:
        """Start listening and return the bound port; a later start() reuses that port."""
        with self._lock:
            if self._broker is not None:
                return self.port
            _install_noise_filter()
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=self._run_loop, args=(loop,), name="sandbox-mqtt", daemon=True)
            thread.start()
            try:
                broker = asyncio.run_coroutine_threadsafe(self._start_broker(), loop).result(START_TIMEOUT)
            except BrokerError as exc:
                self._halt_loop(loop, thread)
                cause = exc.__cause__ or exc
                raise RuntimeError(
                    f"The sandbox MQTT broker could not listen on {self.host}:{self.port}: {cause}"
                ) from exc
            except BaseException:
                self._halt_loop(loop, thread)
                raise
            self._loop, self._thread, self._broker = loop, thread, broker
            self.port = _bound_port(broker)
            log.debug("MQTT broker listening on %s:%d (tls=%s)", self.host, self.port, self.tls)
            return self.port

    def stop(self) -> None:
        """Disconnect every client, close the listener and join the broker thread. Idempotent."""
        with self._lock:
            loop, thread, broker = self._loop, self._thread, self._broker
            self._loop = self._thread = self._broker = None
            if loop is None or thread is None or broker is None:
                return
            try:
                asyncio.run_coroutine_threadsafe(self._stop_broker(broker), loop).result(STOP_TIMEOUT)
            except Exception:
                log.exception("MQTT broker did not shut down cleanly")
            finally:
                self._halt_loop(loop, thread)

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> None:
        """Queue a message from the server to every subscriber of ``topic``; safe from any thread.

        Returns at once. While the broker is stopped the message is dropped, as a real outage would.
        """
        loop, broker = self._loop, self._broker
        if loop is None or broker is None:
            log.debug("MQTT broker is stopped; dropping a message for %s", topic)
            return
        try:
            # Each call becomes one task that only enqueues, so messages keep their call order.
            asyncio.run_coroutine_threadsafe(broker.internal_message_broadcast(topic, payload, qos), loop)
        except RuntimeError:  # the loop closed between the check above and now
            log.debug("MQTT broker stopped while publishing to %s", topic)

    def connected_client_ids(self) -> set[str]:
        """Client ids the broker currently considers connected (empty while stopped).

        Lets tests wait until a departure has registered: until then amqtt sends a QoS 1 message
        to the client it still believes connected (kept for redelivery if it goes unacknowledged).
        """
        loop, broker = self._loop, self._broker
        if loop is None or broker is None:
            return set()

        async def snapshot() -> set[str]:
            return {
                cid for cid, (session, _) in broker.sessions.items() if session.transitions.is_connected()
            }

        try:
            return asyncio.run_coroutine_threadsafe(snapshot(), loop).result(STOP_TIMEOUT)
        except RuntimeError:
            return set()

    def drop_connections(self, user_id: str | None = None) -> int:
        """Cut every client's socket (or only ``user_id``'s) as a network failure would; returns how many.

        No DISCONNECT is sent and sessions stay, so persistent clients get their queue when they return.
        """
        loop, broker = self._loop, self._broker
        if loop is None or broker is None:
            return 0

        async def cut() -> int:
            dropped = 0
            for client_id, (session, handler) in list(broker.sessions.items()):
                if not session.transitions.is_connected() or handler is None or handler.writer is None:
                    continue
                if user_id is not None and parse_client_id(client_id, self.realm) != user_id:
                    continue
                stream = getattr(handler.writer, "_writer", None)  # amqtt's StreamWriterAdapter
                if stream is not None:
                    stream.transport.abort()
                    dropped += 1
            return dropped

        try:
            return asyncio.run_coroutine_threadsafe(cut(), loop).result(STOP_TIMEOUT)
        except RuntimeError:
            return 0

    # ------------------------------------------------------------------ broker thread

    def _config(self) -> dict[str, Any]:
        listener: dict[str, Any] = {"type": "tcp", "bind": _bind_address(self.host, self.port)}
        if self._certfile is not None:
            listener.update(ssl=True, certfile=self._certfile, keyfile=self._keyfile)
        return {
            "listeners": {_LISTENER: listener},
            # A persistent session whose client never returns is forgotten after a day,
            # so the in-memory queues stay bounded.
            "session_expiry_interval": 24 * 3600,
            "plugins": {
                f"{SkylightAuthPlugin.__module__}.{SkylightAuthPlugin.__name__}": {
                    "realm": self.realm,
                    "verify_access": self._verify_access,
                },
                f"{SkylightTopicPlugin.__module__}.{SkylightTopicPlugin.__name__}": {"realm": self.realm},
            },
        }

    async def _start_broker(self) -> Broker:
        # Built inside the loop: amqtt creates futures and queues bound to the running loop.
        broker = _SkylightBroker(self._config(), loop=asyncio.get_running_loop())
        broker.tls12_only = self.tls12_only
        await broker.start()
        return broker

    @staticmethod
    async def _stop_broker(broker: Broker) -> None:
        # Stop listening first: under load amqtt's shutdown can wait on busy clients and its broadcast
        # queue past STOP_TIMEOUT, and a listener left open keeps the port, so a restart could not bind it.
        for server in broker._servers.values():
            server.instance.close()
        try:
            await asyncio.wait_for(broker.shutdown(), _SHUTDOWN_GRACE)
        except TimeoutError:
            log.info(
                "MQTT broker shutdown took over %.0f s; cutting the remaining connections", _SHUTDOWN_GRACE
            )
        # Connection handlers amqtt leaves behind (e.g. half-open TLS handshakes) would keep
        # sockets open; cancel them so the loop can close without "task destroyed" warnings.
        current = asyncio.current_task()
        leftovers = [t for t in asyncio.all_tasks() if t is not current]
        for task in leftovers:
            task.cancel()
        await asyncio.wait(leftovers, timeout=_SHUTDOWN_GRACE) if leftovers else None

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    @staticmethod
    def _halt_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(STOP_TIMEOUT)
        if thread.is_alive():
            log.warning("MQTT broker thread did not stop within %.0f s", STOP_TIMEOUT)


def _bind_address(host: str, port: int) -> str:
    # amqtt splits at the last colon and keeps any brackets in the address, so IPv6 goes bare.
    return f"{host.strip('[]')}:{port}"


def _bound_port(broker: Broker) -> int:
    # amqtt has no public accessor for the listening socket; 0.12.1 keeps it in _servers.
    server: Any = broker._servers[_LISTENER].instance
    return int(server.sockets[0].getsockname()[1])
