"""A real sandbox REST server over TLS (trustme CA, uvicorn on port 0) and httpx clients for its users;
a real broker (``rig``) for the MQTT contract tests."""

from __future__ import annotations

import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
import uvicorn

from skydesk.sandbox.auth import TokenIssuer
from skydesk.sandbox.rest import create_app
from skydesk.sandbox.service import SandboxService
from tests.sandbox.mqtt_probe import BrokerRig

PASSWORD = "{}-demo-pw"


@dataclass
class RestServer:
    """A running REST API: its URL, CA file and the service behind it (to act as other users)."""

    url: str
    ca_file: str
    service: SandboxService
    issuer: TokenIssuer
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    _clients: list[httpx.Client] = field(default_factory=list)

    def app_id(self, name: str = "Field Inspection") -> str:
        """The id of a seeded application."""
        return next(a.application_id for a in self.service.applications() if a.name == name)

    def user_id(self, username: str) -> str:
        """The id of a seeded user."""
        return self.service.actor_by_username(username).user_id

    def token(self, username: str) -> str:
        """An access token for a demo user, obtained through the real login endpoint."""
        # Logged in again once a token is half-way to its 300 s expiry: under xdist on busy cores one
        # worker's session-scoped server can outlive a token, and a stale one fails unrelated tests with 401.
        cached = self._tokens.get(username)
        if cached is None or time.monotonic() - cached[1] > 150:
            with self.client() as anon:
                r = anon.post(
                    "/v1/authentication/login/realms/demo",
                    json={"username": username, "password": PASSWORD.format(username), "realm": "demo"},
                )
                assert r.status_code == 200, r.text
                self._tokens[username] = (r.json()["access_token"], time.monotonic())
        return self._tokens[username][0]

    def client(self, username: str | None = None, **headers: str) -> httpx.Client:
        """An httpx client that verifies the server against the test CA, signed in as ``username``."""
        if username is not None:
            headers = {"Authorization": f"Bearer {self.token(username)}", **headers}
        context = ssl.create_default_context(cafile=self.ca_file)
        client = httpx.Client(base_url=self.url, verify=context, headers=headers, timeout=30)
        self._clients.append(client)
        return client

    def close_clients(self) -> None:
        """Close every client handed out."""
        for c in self._clients:
            c.close()


def serve(app: Any, cert: trustme.LeafCert, tmp: Path) -> tuple[uvicorn.Server, threading.Thread, int]:
    """Run ``app`` with uvicorn over TLS on a free port in a thread; returns once it listens."""
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert.private_key_pem.write_to_path(key_file)
    cert.cert_chain_pems[0].write_to_path(cert_file)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        ssl_certfile=str(cert_file),
        ssl_keyfile=str(key_file),
        log_level="warning",
        lifespan="off",
        access_log=False,
        # As in skydesk.sandbox.server: without this, uvicorn hangs a stderr handler on its logger for the
        # rest of the test process, which later tests that inspect every log handler trip over.
        log_config=None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-rest", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "REST server did not start"
        time.sleep(0.005)
    return server, thread, server.servers[0].sockets[0].getsockname()[1]


@pytest.fixture(scope="session")
def tls_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[trustme.CA, str]:
    """A throwaway CA and its PEM file."""
    ca = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(path)
    return ca, str(path)


@pytest.fixture(scope="session")
def rest_server(
    tmp_path_factory: pytest.TempPathFactory, tls_ca: tuple[trustme.CA, str]
) -> Iterator[RestServer]:
    """One seeded REST server for the module suite; tests make their own sessions when they change data."""
    tmp = tmp_path_factory.mktemp("rest")
    issuer = TokenIssuer(tmp / "jwt.pem", token_ttl=300, refresh_ttl=1800)
    service = SandboxService(tmp / "sandbox.db", issuer)
    service.seed(60)
    ca, ca_file = tls_ca
    server, thread, port = serve(create_app(service), ca.issue_cert("127.0.0.1"), tmp)
    rest = RestServer(f"https://127.0.0.1:{port}", ca_file, service, issuer)
    yield rest
    rest.close_clients()
    server.should_exit = True
    thread.join(10)
    service.close()


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerRig]:
    """A broker of its own for each MQTT test module (REST side not needed)."""
    rig = BrokerRig(tmp_path_factory.mktemp("broker"))
    yield rig
    rig.close()


@pytest.fixture
def as_user(rest_server: RestServer) -> Callable[..., httpx.Client]:
    """``as_user("tech")`` -> a signed-in client."""
    return rest_server.client


@pytest.fixture
def tag() -> str:
    """A unique property value, so a test can filter to exactly the sessions it made."""
    return uuid.uuid4().hex[:12]


def sessions_url(app_id: str, *rest: str) -> str:
    """The sessions collection (or a sub-path of it) of an application."""
    return "/".join([f"/v1/application/applications/{app_id}/sessions", *rest])


def make_session(client: httpx.Client, app_id: str, **body: Any) -> dict[str, Any]:
    """Create a session over REST and return its JSON (asserting 201).

    The required fields get the values a well-behaved client sends (the SDK fills them the same way)
    unless the test gives its own: version 1 and no participants besides the creator.
    """
    r = client.post(sessions_url(app_id), json={"version": 1, "participants": [], **body})
    assert r.status_code == 201, r.text
    return dict(r.json())
