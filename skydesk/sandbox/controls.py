"""The sandbox's fault controls as Python calls: what the admin API and the CLI flags also reach."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .fault_middleware import DelayedDelivery
from .faults import FaultPlan

if TYPE_CHECKING:
    from .broker import EmbeddedBroker
    from .service import SandboxService

ADMIN_HOST = "127.0.0.1"  # the admin API never listens anywhere else


class FaultControls:
    """Mixed into :class:`~skydesk.sandbox.Sandbox`: inject faults into a running sandbox.

    ``faults`` (a :class:`~skydesk.sandbox.faults.FaultPlan`) holds latency and per-request faults;
    the methods here act on the servers themselves.
    """

    _lock: threading.RLock
    _broker: EmbeddedBroker | None
    _service: SandboxService | None
    _admin: Any
    faults: FaultPlan
    admin_token: str

    def _init_faults(self) -> None:
        self.faults = FaultPlan()
        self._delivery = DelayedDelivery(self.faults)
        # The admin API's own bearer token: random per Sandbox object, printed by the CLI at start.
        self.admin_token = secrets.token_urlsafe(24)
        self._admin = None

    # The Sandbox provides these four (with the running-checks they need).
    def stop_broker(self) -> None:
        raise NotImplementedError

    def start_broker(self) -> None:
        raise NotImplementedError

    def stop_api(self) -> None:
        raise NotImplementedError

    def start_api(self) -> None:
        raise NotImplementedError

    @property
    def admin_url(self) -> str | None:
        """Where the admin API listens (``None`` unless the sandbox was started with ``admin=True``)."""
        admin = self._admin
        if admin is None:
            return None
        scheme = "https" if getattr(admin, "_tls", None) else "http"
        return f"{scheme}://{ADMIN_HOST}:{admin.port}"

    def expire_tokens(self, *, refresh: bool = True) -> None:
        """Every access token (and refresh token, unless ``refresh`` is False) issued so far stops working.

        Open MQTT connections stay up (a broker checks the token at CONNECT only); combine with
        :meth:`drop_mqtt` to force reconnects with the dead tokens.
        """
        self._running_service().issuer.expire_all(refresh=refresh)
        self.faults.count("tokens_expired")

    def drop_mqtt(self, user: str | None = None) -> int:
        """Cut every MQTT connection, or one user's (username or user id); returns how many were cut."""
        user_id = None
        if user is not None:
            service = self._running_service()
            try:
                user_id = service.actor_by_username(user).user_id
            except KeyError:
                user_id = user
        broker = self._broker
        dropped = broker.drop_connections(user_id) if broker is not None else 0
        self.faults.count("mqtt_dropped", dropped)
        return dropped

    def restart_broker(self, down_for: float = 0.0) -> None:
        """Stop MQTT, stay down ``down_for`` seconds, start it again on the same port (sessions are lost)."""
        self._outage(self.stop_broker, self.start_broker, down_for, "broker_restarts")

    def restart_api(self, down_for: float = 0.0) -> None:
        """Stop REST, stay down ``down_for`` seconds, start it again on the same port."""
        self._outage(self.stop_api, self.start_api, down_for, "rest_restarts")

    def _outage(
        self, stop: Callable[[], None], start: Callable[[], None], down_for: float, label: str
    ) -> None:
        if not 0 <= down_for <= 600:
            raise ValueError("down_for must be between 0 and 600 seconds")
        self._running_service()
        stop()
        if down_for:
            time.sleep(down_for)
        start()
        self.faults.count(label)

    def _deliver(self, publish: Callable[[str, bytes], None], topic: str, body: bytes) -> None:
        """Hand one event to the broker, through the MQTT latency if one is set."""
        self._delivery.submit(lambda: publish(topic, body))

    def _running_service(self) -> SandboxService:
        service = self._service
        if service is None:
            raise RuntimeError("The sandbox is not running; call start() first")
        return service
