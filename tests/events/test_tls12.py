"""TLS 1.2 on MQTT ("Use TLS 1.2 as the SSL protocol", the reference): the sandbox broker offers exactly
1.2 by default, as Debian's mosquitto does with ``tls_version tlsv1.2``, and the SDK's floor of 1.2
connects to both. Real sockets, real handshakes; no mocks."""

from __future__ import annotations

import socket
import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from skydesk.events._connection import tls_context
from skydesk.sandbox.auth import TokenIssuer
from skydesk.sandbox.broker import EmbeddedBroker
from skydesk.sandbox.tls import ensure_tls_material

from .mosquitto import MosquittoBroker

Endpoint = tuple[int, str]  # port on 127.0.0.1, CA file


def _sandbox_broker(tmp_path: Path, **options: bool) -> tuple[EmbeddedBroker, str]:
    """A started sandbox broker (its TLS setting as ``options`` say, else the default) and its CA file."""
    material = ensure_tls_material(tmp_path / "tls")
    issuer = TokenIssuer(tmp_path / "jwt.pem", token_ttl=300, refresh_ttl=600)
    broker = EmbeddedBroker(
        host="127.0.0.1",
        port=0,
        realm="demo",
        verify_access=issuer.verify_access,
        certfile=str(material.cert_file),
        keyfile=str(material.key_file),
        **options,
    )
    broker.start()
    return broker, str(material.ca_file)


@pytest.fixture
def sandbox_broker(tmp_path: Path) -> Iterator[Endpoint]:
    """The sandbox's embedded broker with its default TLS setting (exactly 1.2)."""
    broker, ca_file = _sandbox_broker(tmp_path)
    yield broker.port, ca_file
    broker.stop()


@pytest.fixture(params=["sandbox", "mosquitto"])
def broker(request: pytest.FixtureRequest) -> Endpoint:
    """Each 1.2-only broker in turn: the sandbox's and Debian's mosquitto (``tls_version tlsv1.2``)."""
    if request.param == "sandbox":
        endpoint: Endpoint = request.getfixturevalue("sandbox_broker")
        return endpoint
    mosquitto: MosquittoBroker = request.getfixturevalue("mosquitto")
    return mosquitto.port, mosquitto.ca_file


def _handshake(port: int, context: ssl.SSLContext) -> str | None:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return tls.version()


def _only(ca_file: str, version: ssl.TLSVersion) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=ca_file)
    ctx.minimum_version = ctx.maximum_version = version
    return ctx


def test_the_broker_refuses_a_tls_1_3_only_client(broker: Endpoint) -> None:
    port, ca_file = broker
    with pytest.raises(ssl.SSLError):
        _handshake(port, _only(ca_file, ssl.TLSVersion.TLSv1_3))
    assert _handshake(port, _only(ca_file, ssl.TLSVersion.TLSv1_2)) == "TLSv1.2"


def test_the_sdk_negotiates_tls_1_2_with_a_1_2_only_broker(broker: Endpoint) -> None:
    port, ca_file = broker
    context = tls_context(ca_file)
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2  # the SDK's floor: never below 1.2
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert _handshake(port, context) == "TLSv1.2"


def test_the_sdk_refuses_a_broker_below_tls_1_2(broker: Endpoint) -> None:
    # The floor holds from the client side too: a context capped at 1.1 cannot meet the SDK's.
    port, ca_file = broker
    context = tls_context(ca_file)
    with warnings.catch_warnings():  # naming TLS 1.1 is deprecated, which is the point here
        warnings.simplefilter("ignore", DeprecationWarning)
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises(ssl.SSLError):
        _handshake(port, context)


def test_the_sandbox_option_lets_the_broker_offer_tls_1_3(tmp_path: Path) -> None:
    broker, ca_file = _sandbox_broker(tmp_path, tls12_only=False)
    try:
        assert _handshake(broker.port, tls_context(ca_file)) == "TLSv1.3"
    finally:
        broker.stop()
