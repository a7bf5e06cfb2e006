"""The in-process sandbox: REST API (uvicorn) and MQTT broker (amqtt) on daemon threads.

`Sandbox` never touches the caller's event loop, so it can be started from plain scripts,
from pytest and from a qasync GUI alike. Everything it knows lives under ``state_dir``:
TLS material in ``tls/``, the JWT signing key and the SQLite database.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from .activity import ActivitySimulator
from .admin import create_admin_app
from .auth import TokenIssuer
from .broker import EmbeddedBroker
from .broker_plugins import session_topic_root
from .controls import ADMIN_HOST, FaultControls
from .fault_middleware import FaultMiddleware
from .info import SandboxInfo
from .paths import default_state_dir
from .rest import create_app
from .service import SandboxService
from .tls import TlsMaterial, ensure_tls_material

log = logging.getLogger(__name__)

API_START_TIMEOUT = 15.0
API_STOP_TIMEOUT = 10.0
STOP_GRACE = 0.3  # seconds a request in progress gets to finish when the API stops
DB_NAME = "sandbox.db"
JWT_KEY_NAME = "jwt-signing-key.pem"
_ANY_ADDRESS = {"", "0.0.0.0", "::"}  # noqa: S104 - compared against, not bound


@dataclass
class SandboxConfig:
    """How to run a sandbox; every field has a working default."""

    state_dir: Path | None = None  # None -> $XDG_DATA_HOME/skydesk/sandbox
    host: str = "127.0.0.1"
    api_port: int = 8443  # 0 = a free port
    mqtt_port: int = 8883  # 0 = a free port
    seed: int = 60  # demo sessions; only seeds an empty database
    activity: float = 0.0  # simulated events per minute by other users
    token_ttl: int = 300
    refresh_ttl: int = 1800
    tls: bool = True
    fresh: bool = False  # wipe the database and seed again
    realm: str = "demo"
    lenient: bool = False  # --lenient: required fields may be left out (adopted)
    tls12_only: bool = True  # the MQTT broker offers exactly TLS 1.2, as the reference says
    admin: bool = False  # the fault-control admin API (loopback only, own token); see controls.py
    admin_port: int = 0  # 0 = a free port


class _QuickStopServer(uvicorn.Server):
    """uvicorn, but a stop does not wait for idle keep-alive TLS connections to wind down.

    Clients such as httpx keep connections open in a pool; uvicorn would wait for each TLS
    close handshake until its graceful timeout (and then log an error). After a short grace
    for requests in progress, whatever is left is cut, like a real server going away.
    """

    async def shutdown(self, sockets: list[Any] | None = None) -> None:
        async def cut_leftovers() -> None:
            await asyncio.sleep(STOP_GRACE)
            for connection in list(self.server_state.connections):
                transport = getattr(connection, "transport", None)
                if transport is not None:
                    transport.abort()

        reaper = asyncio.ensure_future(cut_leftovers())
        try:
            await super().shutdown(sockets)
        finally:
            reaper.cancel()


class _ApiServer:
    """One uvicorn server on its own thread; restartable on the port it first bound."""

    def __init__(self, app: Any, host: str, port: int, tls: TlsMaterial | None) -> None:
        self._app = app
        self._host = host
        self.port = port
        self._tls = tls
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> int:
        """Serve until stop(); returns once the socket accepts connections."""
        if self._server is not None:
            return self.port
        config = uvicorn.Config(
            self._app,
            host=self._host.strip("[]"),
            port=self.port,
            ssl_certfile=str(self._tls.cert_file) if self._tls else None,
            ssl_keyfile=str(self._tls.key_file) if self._tls else None,
            lifespan="off",
            log_level="warning",
            access_log=False,
            # No handlers of uvicorn's own: its records go to the host's logging (in the app, the redacted
            # log file) instead of an unfiltered stderr handler that never reaches the log file.
            log_config=None,
            loop="asyncio",
            timeout_graceful_shutdown=5,  # a backstop; _QuickStopServer cuts idle connections sooner
            server_header=False,
        )
        server = _QuickStopServer(config)
        # uvicorn installs no signal handlers off the main thread, so the host app keeps its own.
        thread = threading.Thread(target=server.run, name="sandbox-api", daemon=True)
        thread.start()
        deadline = time.monotonic() + API_START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                thread.join(API_STOP_TIMEOUT)
                raise RuntimeError(
                    f"The sandbox REST API could not listen on {self._host}:{self.port} "
                    "(is another sandbox or program using that port?)"
                )
            time.sleep(0.002)
        self._server, self._thread = server, thread
        self.port = int(server.servers[0].sockets[0].getsockname()[1])
        return self.port

    def stop(self) -> None:
        """Close the listener and open connections, and join the thread. Idempotent."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(API_STOP_TIMEOUT)
        if thread.is_alive():
            log.warning("The sandbox REST API thread did not stop within %.0f s", API_STOP_TIMEOUT)


class Sandbox(FaultControls):
    """A local Skylight: REST + MQTT over TLS, demo data in SQLite, all on background threads."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self._lock = threading.RLock()
        self._service: SandboxService | None = None
        self._info: SandboxInfo | None = None
        self._api: _ApiServer | None = None
        self._broker: EmbeddedBroker | None = None
        self._activity: ActivitySimulator | None = None
        self._activity_rate = self.config.activity
        self._wipe_pending = self.config.fresh  # --fresh wipes once, not on every restart of this object
        self._init_faults()

    def __repr__(self) -> str:
        where = self._info.api_url if self._info else "stopped"
        return f"Sandbox({where})"

    # ------------------------------------------------------------------ public state

    @property
    def info(self) -> SandboxInfo:
        """Where the running sandbox listens and who can sign in; same data as the info file."""
        if self._info is None:
            raise RuntimeError("The sandbox is not running; call start() first")
        return self._info

    @property
    def service(self) -> SandboxService:
        """Direct access to the domain (act as another user, inspect state) for tests and tools."""
        if self._service is None:
            raise RuntimeError("The sandbox is not running; call start() first")
        return self._service

    @property
    def state_dir(self) -> Path:
        """The directory holding the CA, keys and database."""
        return Path(self.config.state_dir) if self.config.state_dir else default_state_dir()

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._info is not None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SandboxInfo:
        """Start REST and MQTT; returns once both accept connections. Calling it again is a no-op."""
        with self._lock:
            if self._info is not None:
                return self._info
            try:
                return self._start()
            except BaseException:
                self.stop()
                raise

    def _start(self) -> SandboxInfo:
        cfg = self.config
        state_dir = self.state_dir
        if not state_dir.exists():
            # Owner-only: it holds signing keys. An existing directory is the user's to manage.
            state_dir.mkdir(parents=True, mode=0o700)
        tls = ensure_tls_material(state_dir / "tls", [cfg.host]) if cfg.tls else None
        issuer = TokenIssuer(state_dir / JWT_KEY_NAME, token_ttl=cfg.token_ttl, refresh_ttl=cfg.refresh_ttl)
        db_path = state_dir / DB_NAME
        if self._wipe_pending:
            _remove_database(db_path)
            self._wipe_pending = False
        self._service = service = SandboxService(db_path, issuer, realm=cfg.realm, lenient=cfg.lenient)
        service.seed(cfg.seed)

        self._broker = EmbeddedBroker(
            host=cfg.host,
            port=cfg.mqtt_port,
            realm=cfg.realm,
            verify_access=issuer.verify_access,
            certfile=str(tls.cert_file) if tls else None,
            keyfile=str(tls.key_file) if tls else None,
            tls12_only=cfg.tls12_only,
        )
        mqtt_port = self._broker.start()
        service.add_event_listener(self._publish_event)

        self._api = _ApiServer(FaultMiddleware(create_app(service), self.faults), cfg.host, cfg.api_port, tls)
        api_port = self._api.start()
        if cfg.admin:
            self._admin = _ApiServer(create_admin_app(self), ADMIN_HOST, cfg.admin_port, tls)
            self._admin.start()

        if self._activity_rate > 0:
            self._activity = ActivitySimulator(service, self._activity_rate)
            self._activity.start()

        public_host = _public_host(cfg.host)
        url_host = f"[{public_host}]" if ":" in public_host else public_host
        self._info = SandboxInfo(
            api_url=f"{'https' if tls else 'http'}://{url_host}:{api_port}",
            mqtt_host=public_host,
            mqtt_port=mqtt_port,
            ca_file=str(tls.ca_file) if tls else None,
            realm=cfg.realm,
            users=service.users(),
            applications=service.applications(),
        )
        return self._info

    def stop(self) -> None:
        """Stop everything and join every thread; safe to call twice or after a failed start."""
        with self._lock:
            self._info = None
            activity, self._activity = self._activity, None
            if activity is not None:
                activity.stop()
            api, self._api = self._api, None
            if api is not None:
                api.stop()
            admin, self._admin = self._admin, None
            if admin is not None:
                admin.stop()
            self._delivery.stop()
            broker, self._broker = self._broker, None
            if broker is not None:
                broker.stop()
            service, self._service = self._service, None
            if service is not None:
                service.close()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ outages (tests, demos)

    def stop_broker(self) -> None:
        """Stop MQTT only (clients see the connection drop); amqtt forgets its sessions."""
        with self._lock:
            if self._broker is not None:
                self._broker.stop()

    def start_broker(self) -> None:
        """Start MQTT again on the same port."""
        with self._lock:
            if self._broker is None:
                raise RuntimeError("The sandbox is not running; call start() first")
            self._broker.start()

    def stop_api(self) -> None:
        """Stop REST only (clients get connection refused)."""
        with self._lock:
            if self._api is not None:
                self._api.stop()

    def start_api(self) -> None:
        """Start REST again on the same port."""
        with self._lock:
            if self._api is None:
                raise RuntimeError("The sandbox is not running; call start() first")
            self._api.start()

    def set_activity(self, events_per_minute: float) -> None:
        """Change the simulated activity of other users; 0 pauses it."""
        if events_per_minute < 0:
            raise ValueError("events_per_minute must be >= 0")
        with self._lock:
            self._activity_rate = events_per_minute
            if self._activity is not None:
                self._activity.set_rate(events_per_minute)
            elif events_per_minute > 0 and self._service is not None:
                self._activity = ActivitySimulator(self._service, events_per_minute)
                self._activity.start()

    # ------------------------------------------------------------------ events -> MQTT

    def _publish_event(self, payload: dict[str, Any], recipients: list[str]) -> None:
        """Service listener: send a committed change's event to each recipient's session topic."""
        broker = self._broker
        if broker is None:
            return
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        suffix = "/".join(
            _topic_level(payload.get(key)) for key in ("applicationId", "sessionId", "eventType")
        )
        realm = _topic_level(self.config.realm)
        for user_id in dict.fromkeys(recipients):  # once per user, in order
            self._deliver(broker.publish, session_topic_root(realm, _topic_level(user_id)) + suffix, body)


def _topic_level(value: Any) -> str:
    # Custom event types are user input; '/', '+', '#' or NUL would break the topic structure.
    # Clients must rely on the payload, not the suffix, so a lossy substitution is fine.
    text = str(value) if value not in (None, "") else "_"
    return text.translate({ord("/"): "_", ord("+"): "_", ord("#"): "_", 0: "_"})


def _public_host(host: str) -> str:
    """The address clients should use: a wildcard bind is reached through loopback."""
    host = host.strip("[]")
    if host in _ANY_ADDRESS:
        return "::1" if host == "::" else "127.0.0.1"
    return host


def _remove_database(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
