"""An in-memory keyring backend that looks secure, for tests that must not touch a real keyring."""

from __future__ import annotations

import keyring.backend
import keyring.errors


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A secure-looking keyring that keeps its items in a dict (tests pass it to CredentialStore)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not stored")


# Defining a backend registers it with keyring's auto-detection; tests hand it over explicitly instead,
# so keep it out of detection (it must never be chosen for the app's own default keyring).
keyring.backend.KeyringBackend._classes.discard(MemoryKeyring)  # type: ignore[attr-defined]
