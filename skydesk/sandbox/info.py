"""What a running sandbox tells its users: where it listens and which demo identities it holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DemoUser:
    """A seeded account that can sign in to the sandbox (the password is a public demo value)."""

    username: str
    password: str
    id: str
    display_name: str
    roles: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        # Demo passwords are public, but keep the habit: credentials never appear in reprs.
        return f"DemoUser(username={self.username!r}, id={self.id!r}, display_name={self.display_name!r})"

    def to_json(self) -> dict[str, Any]:
        """The user as it appears in the info file."""
        return {
            "username": self.username,
            "password": self.password,
            "id": self.id,
            "displayName": self.display_name,
            "roles": list(self.roles),
        }


@dataclass(frozen=True)
class DemoApplication:
    """A seeded application: its id and display name."""

    application_id: str
    name: str

    def to_json(self) -> dict[str, Any]:
        """The application as it appears in the info file."""
        return {"applicationId": self.application_id, "name": self.name}


@dataclass(frozen=True)
class SandboxInfo:
    """Connection details of a running sandbox, the same data as its `--info-file`."""

    api_url: str
    mqtt_host: str
    mqtt_port: int
    ca_file: str | None
    realm: str
    users: list[DemoUser]
    applications: list[DemoApplication]

    def to_json(self) -> dict[str, Any]:
        """The info-file JSON (camelCase keys)."""
        return {
            "apiUrl": self.api_url,
            "mqttHost": self.mqtt_host,
            "mqttPort": self.mqtt_port,
            "caFile": self.ca_file,
            "realm": self.realm,
            "users": [u.to_json() for u in self.users],
            "applications": [a.to_json() for a in self.applications],
        }

    def user(self, username: str) -> DemoUser:
        """The demo user with this username; KeyError names the known ones otherwise."""
        for u in self.users:
            if u.username == username:
                return u
        known = ", ".join(u.username for u in self.users)
        raise KeyError(f"no demo user {username!r} (known: {known})")
