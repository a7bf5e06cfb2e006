"""A small synchronous wrapper around a real paho-mqtt 2 client, for broker contract tests."""

from __future__ import annotations

import queue
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

TIMEOUT = 10.0


@dataclass(frozen=True)
class Received:
    """One message as the client saw it."""

    topic: str
    payload: bytes
    qos: int


class MqttProbe:
    """Connects, subscribes and publishes with a real paho client, waiting for each acknowledgement."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        client_id: str,
        username: str | None,
        password: str | None,
        ca_file: str | None = None,
        clean_session: bool = True,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean_session
        )
        if tls_context is not None:
            self.client.tls_set_context(tls_context)
        elif ca_file is not None:
            self.client.tls_set(ca_certs=ca_file)
        if username is not None:
            self.client.username_pw_set(username, password)
        self.messages: queue.Queue[Received] = queue.Queue()
        self.session_present: bool | None = None
        self._connack: queue.Queue[ReasonCode] = queue.Queue()
        self._subacks: dict[int, list[ReasonCode]] = {}
        self._pubacks: set[int] = set()
        self._acked = threading.Condition()
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_publish = self._on_publish
        self.client.on_message = self._on_message

    # paho thread --------------------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        self.session_present = flags.session_present
        if reason_code.is_failure:
            # Otherwise loop_start() retries a refused CONNECT forever (see STACK-NOTES).
            client.disconnect()
        self._connack.put(reason_code)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:  # type: ignore[no-untyped-def]
        with self._acked:
            self._subacks[mid] = list(reason_codes)
            self._acked.notify_all()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        with self._acked:
            self._pubacks.add(mid)
            self._acked.notify_all()

    def _on_message(self, client, userdata, message) -> None:  # type: ignore[no-untyped-def]
        self.messages.put(Received(message.topic, bytes(message.payload), message.qos))

    # test thread --------------------------------------------------------------
    def connect(self, timeout: float = TIMEOUT) -> ReasonCode:
        """Connect and return the CONNACK reason code (success or refusal)."""
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()
        try:
            rc = self._connack.get(timeout=timeout)
        except queue.Empty:
            self.close()
            raise AssertionError(f"no CONNACK from {self.host}:{self.port} within {timeout} s") from None
        if rc.is_failure:
            self.close()
        return rc

    def subscribe(self, topic: str, qos: int = 1) -> ReasonCode:
        """Subscribe and return the broker's SUBACK code for this filter."""
        result, mid = self.client.subscribe(topic, qos=qos)
        assert result == mqtt.MQTT_ERR_SUCCESS and mid is not None, f"subscribe not sent: {result}"
        with self._acked:
            assert self._acked.wait_for(lambda: mid in self._subacks, TIMEOUT), "no SUBACK"
            return self._subacks[mid][0]

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> None:
        """Publish at QoS 1 and wait for the broker's PUBACK (it acks even what it then drops)."""
        info = self.client.publish(topic, payload, qos=qos)
        with self._acked:
            assert self._acked.wait_for(lambda: info.mid in self._pubacks, TIMEOUT), "no PUBACK"

    def next_message(self, timeout: float = TIMEOUT) -> Received:
        """The next message received, or AssertionError after ``timeout``."""
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no message within {timeout} s") from None

    def drain(self, settle: float = 0.3) -> list[Received]:
        """Every message that arrives within ``settle`` seconds of silence."""
        out: list[Received] = []
        while True:
            try:
                out.append(self.messages.get(timeout=settle))
            except queue.Empty:
                return out

    def tls_version(self) -> str | None:
        """The negotiated TLS version of the live connection."""
        sock = self.client.socket()
        return sock.version() if isinstance(sock, ssl.SSLSocket) else None

    def close(self) -> None:
        """Disconnect cleanly and stop paho's thread."""
        self.client.disconnect()
        self.client.loop_stop()

    def drop(self) -> None:
        """Vanish without a DISCONNECT packet, like a killed app or a lost network."""
        sock = self.client.socket()
        self.client.loop_stop()
        if sock is not None:
            sock.close()


def tls12_context(ca_file: str) -> ssl.SSLContext:
    """A client context pinned to TLS 1.2 exactly, as Skylight's production broker speaks."""
    ctx = ssl.create_default_context(cafile=ca_file)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


class BrokerRig:
    """A real EmbeddedBroker over TLS with a real TokenIssuer, without the REST side."""

    REALM = "demo"

    def __init__(self, state_dir: Path) -> None:
        from skydesk.sandbox.auth import TokenIssuer
        from skydesk.sandbox.broker import EmbeddedBroker
        from skydesk.sandbox.tls import ensure_tls_material

        self.tls = ensure_tls_material(state_dir / "tls")
        self.ca_file = str(self.tls.ca_file)
        self.issuer = TokenIssuer(state_dir / "jwt.pem", token_ttl=300, refresh_ttl=1800)
        self.broker = EmbeddedBroker(
            host="127.0.0.1",
            port=0,
            realm=self.REALM,
            verify_access=self.issuer.verify_access,
            certfile=str(self.tls.cert_file),
            keyfile=str(self.tls.key_file),
        )
        self.port = self.broker.start()

    def tokens(self, user_id: str, *, ttl: int | None = None) -> dict[str, Any]:
        """A login response for ``user_id`` (access and refresh token), optionally with another TTL."""
        saved = self.issuer.token_ttl
        if ttl is not None:
            self.issuer.token_ttl = ttl
        try:
            return self.issuer.issue(user_id=user_id, username=user_id, realm=self.REALM)
        finally:
            self.issuer.token_ttl = saved

    def probe(
        self,
        user_id: str,
        *,
        suffix: str = "12345678",
        client_id: str | None = None,
        username: str | None = None,
        password: str | None = None,
        clean_session: bool = True,
        tls_context: ssl.SSLContext | None = None,
    ) -> MqttProbe:
        """A client that by default presents valid credentials for ``user_id``."""
        return MqttProbe(
            "127.0.0.1",
            self.port,
            client_id=client_id if client_id is not None else f"{self.REALM}-{user_id}-{suffix}",
            username=username if username is not None else f"{self.REALM}/{user_id}",
            password=password if password is not None else self.tokens(user_id)["access_token"],
            ca_file=None if tls_context else self.ca_file,
            clean_session=clean_session,
            tls_context=tls_context,
        )

    def wait_gone(self, client_id: str, timeout: float = TIMEOUT) -> None:
        """Wait until the broker has registered that ``client_id`` left (so new messages get queued)."""
        deadline = time.monotonic() + timeout
        while client_id in self.broker.connected_client_ids():
            assert time.monotonic() < deadline, f"broker still sees {client_id} connected"
            time.sleep(0.01)

    def topic(self, user_id: str, event: str = "session_updated") -> str:
        """A session-event topic of ``user_id``."""
        return f"v1/realms/{self.REALM}/users/{user_id}/session/app1/sess1/{event}"

    def close(self) -> None:
        """Stop the broker."""
        self.broker.stop()
