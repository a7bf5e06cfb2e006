"""MQTT CONNECT rules (CONTRACT §3) against the real embedded broker over TLS, with real paho clients."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest

from tests.sandbox.mqtt_probe import BrokerRig, tls12_context

ALEX = "5f2c0a9e1b7d4c3a"
DANA = "9a8b7c6d5e4f3a2b"


def assert_not_authorized(rc: object) -> None:
    assert getattr(rc, "is_failure", False), f"expected a refusal, got {rc}"
    assert str(rc) == "Not authorized", f"expected CONNACK 'not authorized', got {rc}"


def test_valid_credentials_are_accepted(rig: BrokerRig) -> None:
    probe = rig.probe(ALEX)
    rc = probe.connect()
    try:
        assert not rc.is_failure, rc
    finally:
        probe.close()


@pytest.mark.parametrize(
    "client_id",
    [
        f"demo-{ALEX}",  # no 8-digit suffix
        f"demo-{ALEX}-1234567",  # 7 digits
        f"demo-{ALEX}-123456789",  # 9 digits
        f"demo-{ALEX}-1234567a",  # not digits
        f"demo-{ALEX}-" + "\u0661" * 8,  # Arabic-Indic digits: Unicode digits, but not 0-9
        f"demo-{ALEX}-" + "\uff11" * 8,  # fullwidth digits
        f"demo-{ALEX}-1234567\u0662",  # one non-ASCII digit among seven ASCII ones
        f"other-{ALEX}-12345678",  # another realm
        f"demo-{DANA}-12345678",  # another user's id
        "",  # empty: amqtt would invent one
    ],
)
def test_client_id_must_be_realm_sub_and_8_digits(rig: BrokerRig, client_id: str) -> None:
    assert_not_authorized(rig.probe(ALEX, client_id=client_id).connect())


@pytest.mark.parametrize("username", [ALEX, f"other/{ALEX}", f"demo/{DANA}", f"demo/{ALEX}/x", ""])
def test_username_must_be_realm_slash_sub(rig: BrokerRig, username: str) -> None:
    assert_not_authorized(rig.probe(ALEX, username=username).connect())


def test_token_of_another_user_is_refused(rig: BrokerRig) -> None:
    # Client id and username both say Alex; the token is Dana's (valid, unexpired).
    dana_token = rig.tokens(DANA)["access_token"]
    assert_not_authorized(rig.probe(ALEX, password=dana_token).connect())


def test_expired_token_is_refused(rig: BrokerRig) -> None:
    expired = rig.tokens(ALEX, ttl=-5)["access_token"]
    assert_not_authorized(rig.probe(ALEX, password=expired).connect())


def test_refresh_token_is_not_an_access_token(rig: BrokerRig) -> None:
    refresh = rig.tokens(ALEX)["refresh_token"]
    assert_not_authorized(rig.probe(ALEX, password=refresh).connect())


@pytest.mark.parametrize("password", ["garbage", "a.b.c", "x" * 4000])
def test_garbage_token_is_refused(rig: BrokerRig, password: str) -> None:
    assert_not_authorized(rig.probe(ALEX, password=password).connect())


def test_token_signed_by_another_key_is_refused(rig: BrokerRig, tmp_path: Path) -> None:
    from skydesk.sandbox.auth import TokenIssuer

    forger = TokenIssuer(tmp_path / "other.pem", token_ttl=300, refresh_ttl=1800)
    forged = forger.issue(user_id=ALEX, username=ALEX, realm="demo")["access_token"]
    assert_not_authorized(rig.probe(ALEX, password=forged).connect())


def test_tls_1_2_pinned_client_connects(rig: BrokerRig) -> None:
    probe = rig.probe(ALEX, tls_context=tls12_context(rig.ca_file))
    rc = probe.connect()
    try:
        assert not rc.is_failure, rc
        assert probe.tls_version() == "TLSv1.2"
    finally:
        probe.close()


def test_server_certificate_is_verified_against_the_sandbox_ca(rig: BrokerRig) -> None:
    # A client that trusts only the system CAs must not be able to talk to the sandbox.
    ctx = ssl.create_default_context()
    with (
        socket.create_connection(("127.0.0.1", rig.port), timeout=5) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        ctx.wrap_socket(raw, server_hostname="127.0.0.1")


def test_no_plain_mqtt_on_the_tls_port(rig: BrokerRig) -> None:
    # A plain MQTT 3.1.1 CONNECT (client id "x", clean session) must not get a CONNACK back.
    connect = b"\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x01x"
    with socket.create_connection(("127.0.0.1", rig.port), timeout=5) as sock:
        sock.sendall(connect)
        try:
            reply = sock.recv(16)
        except (ConnectionResetError, TimeoutError):
            reply = b""
    assert not reply.startswith(b"\x20\x02"), f"plain CONNECT was answered: {reply!r}"
