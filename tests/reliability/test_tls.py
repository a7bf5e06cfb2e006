"""TLS against real servers: untrusted and wrong-host certificates, MQTT below TLS 1.2, plain http://."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from skydesk.api import SkylightClient, TransportError
from skydesk.core.settings import ConnectionProfile, Settings
from skydesk.events import EventStream, StreamState
from skydesk.models.auth import _default_client_factory, describe_sign_in_error
from skydesk.sandbox.broker import EmbeddedBroker
from tests.events.helpers import Recorder
from tests.events.mosquitto import MosquittoBroker
from tests.sandbox.conftest import serve
from tests.support.prereq import require_tool


@pytest.fixture(scope="module")
def other_host_ca() -> trustme.CA:
    """A CA whose server certificate is for another host name than the one the client dials."""
    return trustme.CA()


@pytest.fixture(scope="module")
def other_host_files(other_host_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("other-host")
    leaf = other_host_ca.issue_cert("skylight.other.example")
    other_host_ca.cert_pem.write_to_path(d / "ca.pem")
    leaf.private_key_pem.write_to_path(d / "key.pem")
    leaf.cert_chain_pems[0].write_to_path(d / "cert.pem")
    return {"ca": d / "ca.pem", "cert": d / "cert.pem", "key": d / "key.pem", "dir": d}


def _stream(host: str, port: int, ca_file: str | None, rec: Recorder) -> EventStream:
    return EventStream(
        host=host,
        port=port,
        realm="demo",
        user_id="u1",
        token_provider=lambda _force: "not-a-token",  # never sent: TLS fails first
        client_suffix="12345678",
        ca_file=ca_file,
        on_state=rec.on_state,
        sink=rec.sink,
    )


def _offline_detail(host: str, port: int, ca_file: str | None) -> str:
    rec = Recorder()
    stream = _stream(host, port, ca_file, rec)
    stream.start()
    try:
        return rec.wait_state(StreamState.OFFLINE)
    finally:
        stream.stop()


# ---------------------------------------------------------------------------- untrusted certificate


async def test_rest_with_an_untrusted_certificate_is_refused_naming_the_host(sandbox: Any) -> None:
    info = sandbox.info
    host = info.api_url.split("//", 1)[1]
    async with SkylightClient(info.api_url) as client:  # the system store does not know the sandbox CA
        with pytest.raises(TransportError) as caught:
            await client.login(info.realm, "tech", "tech-demo-pw")
    assert caught.value.untrusted_certificate and host in caught.value.message
    profile = ConnectionProfile(name="p", api_url=info.api_url, mqtt_host=info.mqtt_host, realm=info.realm)
    said = describe_sign_in_error(caught.value, profile)
    assert said == f"The certificate of {host} is not trusted. Check the CA file in the connection profile."


def test_mqtt_with_an_untrusted_certificate_is_refused_naming_the_host(sandbox: Any) -> None:
    info = sandbox.info
    detail = _offline_detail(info.mqtt_host, info.mqtt_port, None)
    assert detail.startswith(f"Cannot reach {info.mqtt_host}:{info.mqtt_port} (TLS certificate not trusted")


# ---------------------------------------------------------------------------- another host's certificate


async def test_rest_certificate_for_another_host_is_refused(other_host_files: dict[str, Path]) -> None:
    app = Starlette(routes=[Route("/{p:path}", lambda r: JSONResponse({}), methods=["GET", "POST"])])
    leaf_dir = other_host_files["dir"] / "rest"
    leaf_dir.mkdir(exist_ok=True)
    ca = trustme.CA()
    server, thread, port = serve(app, ca.issue_cert("skylight.other.example"), leaf_dir)
    ca_file = leaf_dir / "ca.pem"
    ca.cert_pem.write_to_path(ca_file)
    try:
        async with SkylightClient(f"https://127.0.0.1:{port}", ca_file=str(ca_file)) as client:
            with pytest.raises(TransportError) as caught:
                await client.login("demo", "tech", "pw")
    finally:
        server.should_exit = True
        thread.join(10)
    assert caught.value.untrusted_certificate
    assert f"127.0.0.1:{port}" in caught.value.message and "mismatch" in caught.value.message.lower()


def test_mqtt_certificate_for_another_host_is_refused(other_host_files: dict[str, Path]) -> None:
    broker = EmbeddedBroker(
        host="127.0.0.1",
        port=0,
        realm="demo",
        verify_access=lambda token: {},
        certfile=str(other_host_files["cert"]),
        keyfile=str(other_host_files["key"]),
    )
    port = broker.start()
    try:
        detail = _offline_detail("127.0.0.1", port, str(other_host_files["ca"]))
    finally:
        broker.stop()
    assert detail.startswith(f"Cannot reach 127.0.0.1:{port} (TLS certificate not trusted")
    assert "mismatch" in detail.lower()


# ---------------------------------------------------------------------------- MQTT below TLS 1.2


def _old_tls_client(ca_file: str) -> ssl.SSLContext:
    """A client that offers only TLS 1.0 and 1.1 (OpenSSL still has them at security level 0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = ssl.create_default_context(cafile=ca_file)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    return ctx


def _handshake(port: int, ctx: ssl.SSLContext) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return str(tls.version())


@pytest.fixture
def old_tls_server(tmp_path: Path) -> Iterator[tuple[int, str]]:
    """A control server that does accept TLS 1.1: proves the old client really offers it."""
    ca = trustme.CA()
    ca.cert_pem.write_to_path(tmp_path / "ca.pem")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    listener = socket.create_server(("127.0.0.1", 0))

    def accept_one() -> None:
        conn, _ = listener.accept()
        try:
            with ctx.wrap_socket(conn, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=accept_one, daemon=True)
    thread.start()
    yield listener.getsockname()[1], str(tmp_path / "ca.pem")
    listener.close()
    thread.join(5)


def test_the_old_tls_client_is_real(old_tls_server: tuple[int, str]) -> None:
    port, ca_file = old_tls_server
    assert _handshake(port, _old_tls_client(ca_file)) == "TLSv1.1"


def test_the_sandbox_broker_refuses_tls_below_1_2(sandbox: Any) -> None:
    ca_file = sandbox.info.ca_file
    with pytest.raises(ssl.SSLError):
        _handshake(sandbox.info.mqtt_port, _old_tls_client(ca_file))
    pinned = ssl.create_default_context(cafile=ca_file)
    pinned.maximum_version = ssl.TLSVersion.TLSv1_2
    assert _handshake(sandbox.info.mqtt_port, pinned) == "TLSv1.2"


def test_mosquitto_as_configured_for_skylight_refuses_tls_below_1_2(tmp_path: Path) -> None:
    broker = MosquittoBroker(exe=require_tool("mosquitto"), workdir=tmp_path / "mosquitto")
    require_tool("mosquitto_passwd")
    broker.port = _free_port()
    broker.start()
    try:
        with pytest.raises(ssl.SSLError):
            _handshake(broker.port, _old_tls_client(broker.ca_file))
    finally:
        broker.stop()


def test_the_apps_mqtt_context_never_offers_less_than_tls_1_2() -> None:
    from skydesk.events._connection import tls_context

    assert tls_context(None).minimum_version is ssl.TLSVersion.TLSv1_2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------------------- plain http://


@pytest.mark.parametrize(
    "url", ["http://skylight.example.com", "http://10.0.0.5:8443", "http://[2001:db8::1]/"]
)
def test_plain_http_to_another_machine_is_refused_before_any_connection(url: str) -> None:
    with pytest.raises(ValueError, match=r"plain http://.*Use https://") as caught:
        SkylightClient(url)
    host = url.split("//", 1)[1].rstrip("/")
    assert str(caught.value).startswith(host)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8443", "http://localhost:1", "http://[::1]:2", "http://127.1.2.3"]
)
async def test_plain_http_to_this_machine_is_allowed(url: str) -> None:
    async with SkylightClient(url) as client:
        assert client.api_url.startswith("http://")


async def test_plain_http_is_allowed_only_when_the_profile_says_so(tmp_path: Path) -> None:
    settings = Settings.load(tmp_path / "settings.json")
    refused = ConnectionProfile(
        name="lab", api_url="http://skylight.lab.example", mqtt_host="mqtt.lab.example"
    )
    settings.upsert_profile(refused)
    settings.save()
    loaded = Settings.load(tmp_path / "settings.json").profile("lab")
    assert loaded is not None and loaded.allow_plain_http is False
    with pytest.raises(ValueError) as caught:
        _default_client_factory(loaded, "device")
    said = describe_sign_in_error(caught.value, loaded)
    assert "skylight.lab.example is plain http://" in said

    loaded.allow_plain_http = True  # what a user sets in the profile file, on purpose
    settings.upsert_profile(loaded)
    settings.save()
    allowed = Settings.load(tmp_path / "settings.json").profile("lab")
    assert allowed is not None and allowed.allow_plain_http is True
    client = _default_client_factory(allowed, "device")  # no request is made to that host
    await client.aclose()
    assert asyncio.get_running_loop()
