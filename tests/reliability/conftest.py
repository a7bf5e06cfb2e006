"""Fixtures for the reliability suite: a private sandbox with the admin API on, and clients for it."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.sandbox.mqtt_probe import MqttProbe


@dataclass
class Rig:
    """A running sandbox with its admin API, plus httpx clients that trust its CA."""

    sandbox: Any
    _clients: list[httpx.Client] = field(default_factory=list)
    _probes: list[MqttProbe] = field(default_factory=list)

    @property
    def info(self) -> Any:
        return self.sandbox.info

    def _client(self, base_url: str, **headers: str) -> httpx.Client:
        context = ssl.create_default_context(cafile=self.info.ca_file)
        client = httpx.Client(base_url=base_url, verify=context, headers=headers, timeout=30)
        self._clients.append(client)
        return client

    def login(self, username: str = "tech") -> dict[str, Any]:
        """A real login response (access and refresh token) for a demo user."""
        user = self.info.user(username)
        with self._client(self.info.api_url) as anon:
            r = anon.post(
                f"/v1/authentication/login/realms/{self.info.realm}",
                json={"username": user.username, "password": user.password, "realm": self.info.realm},
            )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def rest(self, username: str | None = "tech") -> httpx.Client:
        """A REST client signed in as ``username`` (anonymous with None)."""
        headers = (
            {} if username is None else {"Authorization": f"Bearer {self.login(username)['access_token']}"}
        )
        return self._client(self.info.api_url, **headers)

    def admin(self, token: str | None = None) -> httpx.Client:
        """A client of the admin API, with the sandbox's admin token unless told otherwise."""
        assert self.sandbox.admin_url is not None, "the admin API is off"
        given = self.sandbox.admin_token if token is None else token
        return self._client(self.sandbox.admin_url, Authorization=f"Bearer {given}")

    def mqtt(self, username: str = "tech", *, suffix: str = "10000001", clean: bool = True) -> MqttProbe:
        """A real paho client of ``username``, connected over TLS and subscribed to its session topics."""
        user, info = self.info.user(username), self.info
        probe = MqttProbe(
            info.mqtt_host,
            info.mqtt_port,
            client_id=f"{info.realm}-{user.id}-{suffix}",
            username=f"{info.realm}/{user.id}",
            password=self.login(username)["access_token"],
            ca_file=info.ca_file,
            clean_session=clean,
        )
        self._probes.append(probe)
        assert not probe.connect().is_failure
        assert probe.subscribe(f"v1/realms/{info.realm}/users/{user.id}/session/#").value == 1
        return probe

    def app_id(self, name: str = "Field Inspection") -> str:
        return next(a.application_id for a in self.info.applications if a.name == name)

    def close(self) -> None:
        for probe in self._probes:
            probe.close()
        for client in self._clients:
            client.close()


@pytest.fixture
def rig(make_sandbox: Callable[..., Any]) -> Iterator[Rig]:
    """A private sandbox (faults must not reach other tests) with the admin API on and a little seed."""
    rig = Rig(make_sandbox(admin=True, seed=4))
    yield rig
    rig.close()
