"""A real Debian mosquitto for the event-stream tests: TLS 1.2, password file, per-user ACL, persistence.

Tokens are RS256 JWTs minted with a throwaway key; mosquitto knows nothing about JWTs, so
"the token expired" is modelled the way a Skylight broker sees it: the password file is rewritten
with the new token (``mosquitto_passwd -b``) and mosquitto is told with SIGHUP. On reload,
mosquitto 2.0 disconnects clients whose password no longer matches (checked by hand).

The ACL cannot use ``pattern ... %u``: the username is ``{realm}/{sub}`` and no pattern turns it
into ``v1/realms/{realm}/users/{sub}/...``. Each user therefore gets its own ``user`` block.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import paho.mqtt.client as mqtt
import trustme
from cryptography.hazmat.primitives.asymmetric import rsa
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

ADMIN = "skydesk-admin"
ADMIN_PASSWORD = "admin-pw-for-tests"
REALM = "demo"


def free_port() -> int:
    """A TCP port that was free a moment ago (mosquitto cannot listen on port 0 and report it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TokenMint:
    """Issues RS256 access tokens like the Skylight auth server (sub, realm, iat, exp)."""

    def __init__(self, realm: str = REALM) -> None:
        self.realm = realm
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._n = 0

    def issue(self, sub: str, ttl: int = 300) -> str:
        """A fresh token for ``sub``; every call gives a different one (the jti differs)."""
        self._n += 1
        now = int(time.time())
        claims = {
            "sub": sub,
            "realm": self.realm,
            "iat": now,
            "exp": now + ttl,
            "jti": f"t{self._n}",
            "preferred_username": sub,
        }
        return jwt.encode(claims, self._key, algorithm="RS256")


class FakeAuthServer:
    """The token side of a SkylightClient: ``provider(False)`` gives the cached token, ``True`` a new one.

    ``latest`` is what the auth server would hand out on refresh; the test decides when the
    broker learns about it (``MosquittoBroker.set_password``). Calls are recorded for asserts.
    """

    def __init__(self, mint: TokenMint, sub: str) -> None:
        self.mint = mint
        self.sub = sub
        self.cached = mint.issue(sub)
        self.latest = self.cached
        self.calls: list[bool] = []
        self.fail_refresh: BaseException | None = None
        self._lock = threading.Lock()

    def rotate(self) -> str:
        """The auth server now issues a new token (the old one 'expired')."""
        with self._lock:
            self.latest = self.mint.issue(self.sub)
            return self.latest

    def __call__(self, force_refresh: bool) -> str:
        with self._lock:
            self.calls.append(force_refresh)
            if force_refresh:
                if self.fail_refresh is not None:
                    raise self.fail_refresh
                self.cached = self.latest
            return self.cached


@dataclass
class MosquittoBroker:
    """One mosquitto process (restartable on the same port and persistence directory)."""

    exe: str
    workdir: Path
    port: int = 0
    users: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    ca_file: str = ""
    _ca: trustme.CA | None = None

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "data").mkdir(exist_ok=True)
        ca = trustme.CA()
        leaf = ca.issue_cert("127.0.0.1", "localhost")
        ca.cert_pem.write_to_path(str(self.workdir / "ca.pem"))
        leaf.private_key_pem.write_to_path(str(self.workdir / "key.pem"))
        leaf.cert_chain_pems[0].write_to_path(str(self.workdir / "cert.pem"))
        self._ca = ca
        self.ca_file = str(self.workdir / "ca.pem")
        self.port = self.port or free_port()
        self.users[ADMIN] = ADMIN_PASSWORD
        self._write_passwords()

    # -- configuration

    def add_user(self, sub: str, token: str, realm: str = REALM) -> str:
        """Allow ``{realm}/{sub}`` with password ``token``; returns the username."""
        username = f"{realm}/{sub}"
        self.users[username] = token
        self._write_passwords()
        self.reload()
        return username

    def set_password(self, username: str, password: str) -> None:
        """Rotate one user's password and make mosquitto reload (it drops clients that no longer match)."""
        self.users[username] = password
        subprocess.run(
            ["mosquitto_passwd", "-b", str(self.workdir / "passwd"), username, password],
            check=True,
            capture_output=True,
        )
        self.reload()

    def reload(self) -> None:
        """SIGHUP: re-read the password and ACL files."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGHUP)

    def _write_passwords(self) -> None:
        pw = self.workdir / "passwd"
        pw.write_text("")
        for user, password in self.users.items():
            subprocess.run(
                ["mosquitto_passwd", "-b", str(pw), user, password], check=True, capture_output=True
            )
        acl = [f"user {ADMIN}", "topic write v1/realms/#", ""]
        for user in self.users:
            if user == ADMIN:
                continue
            realm, sub = user.split("/", 1)
            acl += [f"user {user}", f"topic read v1/realms/{realm}/users/{sub}/session/#", ""]
        (self.workdir / "acl").write_text("\n".join(acl))

    def _write_config(self) -> Path:
        d = self.workdir
        conf = d / "mosquitto.conf"
        conf.write_text(
            "\n".join(
                [
                    # As root, mosquitto would drop to user `mosquitto`, who cannot read our temp
                    # files; staying root is harmless in a test and ignored when not root.
                    "user root",
                    "per_listener_settings false",
                    "allow_anonymous false",
                    f"password_file {d / 'passwd'}",
                    f"acl_file {d / 'acl'}",
                    "persistence true",
                    f"persistence_location {d / 'data'}/",
                    # A storm must not be cut short by the default 1000-message queue per client.
                    "max_queued_messages 0",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
                    "log_type notice",
                    "log_type information",
                    "log_type subscribe",  # "<client id> <qos> <topic>": lets tests check the QoS asked for
                    f"listener {self.port} 127.0.0.1",
                    f"cafile {d / 'ca.pem'}",
                    f"certfile {d / 'cert.pem'}",
                    f"keyfile {d / 'key.pem'}",
                    # In mosquitto 2.0 this is only the lowest version; the ceiling is set below.
                    "tls_version tlsv1.2",
                    "",
                ]
            )
        )
        # mosquitto has no "highest TLS version" option, so OpenSSL's own configuration caps it
        # at 1.2: the broker then offers exactly TLS 1.2, as the reference says Skylight's does.
        (d / "openssl.cnf").write_text(
            "openssl_conf = skydesk_tests\n[skydesk_tests]\nssl_conf = ssl_section\n"
            "[ssl_section]\nsystem_default = tls12_only\n[tls12_only]\n"
            "MinProtocol = TLSv1.2\nMaxProtocol = TLSv1.2\n"
        )
        return conf

    # -- process

    def start(self, timeout: float = 10.0) -> None:
        """Start mosquitto and wait until it accepts TCP connections."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        conf = self._write_config()
        log = (self.workdir / "mosquitto.log").open("ab")
        env = {**os.environ, "OPENSSL_CONF": str(self.workdir / "openssl.cnf")}
        self.proc = subprocess.Popen([self.exe, "-c", str(conf)], stdout=log, stderr=log, env=env)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited at start:\n{self.log_tail()}")
            if "running" in self.log_tail():
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                        return
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not start within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM (mosquitto saves its persistence database on the way out) and wait."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def restart(self) -> None:
        """Stop and start again on the same port with the same persistence directory."""
        self.stop()
        # Reset the 'running' marker used by start(): keep the old log under another name.
        logf = self.workdir / "mosquitto.log"
        if logf.exists():
            logf.rename(self.workdir / f"mosquitto.{time.monotonic_ns()}.log")
        self.start()

    def log_tail(self, n: int = 4000) -> str:
        """The end of mosquitto's log (for failure messages)."""
        p = self.workdir / "mosquitto.log"
        return p.read_text(errors="replace")[-n:] if p.exists() else ""

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting this broker's CA (for the test publisher)."""
        return ssl.create_default_context(cafile=self.ca_file)


class Publisher:
    """The 'server side': an admin paho client publishing events at QoS 1, reconnecting by itself."""

    def __init__(self, broker: MosquittoBroker) -> None:
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=f"publisher-{os.getpid()}-{time.monotonic_ns()}",
            clean_session=False,
            protocol=MQTTProtocolVersion.MQTTv311,
        )
        self.client.username_pw_set(ADMIN, ADMIN_PASSWORD)
        self.client.tls_set_context(broker.ssl_context())
        self.client.reconnect_delay_set(1, 2)
        self.connected = threading.Event()
        self.client.on_connect = lambda *a: self.connected.set()
        self.client.max_queued_messages_set(0)
        self.client.max_inflight_messages_set(50)
        self.client.connect_async("127.0.0.1", broker.port, keepalive=10)
        self.client.loop_start()
        assert self.connected.wait(10), "publisher could not connect"

    def publish(
        self, user_id: str, event: dict[str, Any], *, raw: bytes | None = None
    ) -> mqtt.MQTTMessageInfo:
        """Publish one event to ``user_id``'s topic (``raw`` overrides the JSON body).

        While the broker is away this waits for the reconnect (like a server buffering its
        outbox); messages in flight when the link dropped are resent by paho on its own.
        """
        deadline = time.monotonic() + 30
        while not self.client.is_connected():
            assert time.monotonic() < deadline, "publisher could not reconnect"
            time.sleep(0.02)
        topic = (
            f"v1/realms/{REALM}/users/{user_id}/session/"
            f"{event.get('applicationId', 'x')}/{event.get('sessionId', 'x')}/{event.get('eventType', 'x')}"
        )
        return self.client.publish(topic, raw if raw is not None else json.dumps(event).encode(), qos=1)

    def close(self) -> None:
        """Disconnect and stop the publisher's thread."""
        self.client.disconnect()
        self.client.loop_stop()


@contextmanager
def running_broker(exe: str, workdir: Path) -> Iterator[MosquittoBroker]:
    """A started broker that is always stopped afterwards."""
    broker = MosquittoBroker(exe=exe, workdir=workdir)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
