"""One MQTT connection's pieces: the paho client, its TLS context, and words for what went wrong."""

from __future__ import annotations

import socket
import ssl

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.reasoncodes import ReasonCode

from skydesk.api.errors import SkydeskError, redact

CONNECT_TIMEOUT = 8.0  # TCP connect + TLS handshake
# CONNACK refusals that mean "this password (token) is not accepted"; paho names them for 3.1.1.
_AUTH_REFUSALS = ("Bad user name or password", "Not authorized")


class Attempt:
    """What happened during one connection (filled in by paho callbacks on the worker thread)."""

    __slots__ = ("connected", "connected_at", "how", "lost_reason", "refused", "resync_due", "sub_refused")

    def __init__(self) -> None:
        self.connected = False
        self.connected_at = 0.0
        self.refused: ReasonCode | None = None
        self.sub_refused = False
        self.resync_due = ""  # the reason for a Resync once subscribed, if one is due
        self.how = ""
        self.lost_reason = ""


def make_client(client_id: str, *, tls: bool, ca_file: str | None) -> mqtt.Client:
    """A paho client for MQTT 3.1.1 with a persistent session (clean_session off) and our TLS."""
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=False,
        protocol=MQTTProtocolVersion.MQTTv311,
    )
    client.connect_timeout = CONNECT_TIMEOUT
    if tls:
        client.tls_set_context(tls_context(ca_file))
    return client


def is_auth_refusal(rc: ReasonCode) -> bool:
    """True when a refused CONNACK means the credentials (the access token) were not accepted."""
    return rc.getName() in _AUTH_REFUSALS


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """TLS 1.2 or newer, always verified: against ``ca_file`` or else the system store (no opt-out)."""
    try:
        ctx = ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"cannot use CA file {ca_file!r}: {exc}") from exc
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def describe(exc: BaseException) -> str:
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
