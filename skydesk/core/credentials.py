"""Refresh tokens in the OS keyring, refusing any backend that is not a secure store."""

from __future__ import annotations

import logging
from typing import Any

import keyring
import keyring.backend
import keyring.errors

from skydesk.core.settings import ConnectionProfile

log = logging.getLogger(__name__)

# Backends that do not protect a secret: `fail`/`null` store nothing, and keyrings.alt writes plaintext or
# weakly "encrypted" files in the home directory (STACK-NOTES: the silent plaintext fallback trap).
_INSECURE_MODULE_PREFIXES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
_INSECURE_NAME_HINTS = ("plaintext", "unencrypted")
# keyring wraps only some failures in KeyringError: with the D-Bus session gone, the Secret Service backend
# raises the socket's OSError (FileNotFoundError), and D-Bus error replies come through as their own types.
# Any of them means "the keyring cannot be used now"; only the type name is logged, never the message.
_KEYRING_FAILURES = (Exception,)


def _is_secure(backend: Any) -> bool:
    module = type(backend).__module__
    name = type(backend).__name__.lower()
    if module.startswith(_INSECURE_MODULE_PREFIXES):
        return False
    if any(hint in name for hint in _INSECURE_NAME_HINTS):
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # a backend whose viability check fails is not usable
        return False


def _backend_label(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__name__}"


def _account(profile: ConnectionProfile | str, username: str) -> str:
    name = profile.name if isinstance(profile, ConnectionProfile) else profile
    return f"refresh-token:{name}:{username}"


class CredentialStore:
    """Keeps one refresh token per (profile, username) in a secure keyring backend, or nowhere."""

    def __init__(
        self, service: str = "skydesk", backend: keyring.backend.KeyringBackend | None = None
    ) -> None:
        self.service = service
        self._backend: keyring.backend.KeyringBackend | None = None
        self.backend_name = ""
        self.reason = ""
        self._choose(backend if backend is not None else keyring.get_keyring())

    def _choose(self, candidate: Any) -> None:
        chain = list(getattr(candidate, "backends", [])) if hasattr(candidate, "backends") else [candidate]
        secure = [b for b in chain if _is_secure(b)]
        if secure:
            self._backend = secure[0]
            self.backend_name = _backend_label(secure[0])
            return
        self.backend_name = _backend_label(chain[0]) if chain else _backend_label(candidate)
        insecure_file = any(type(b).__module__.startswith("keyrings.alt") for b in chain)
        if insecure_file:
            self.reason = (
                "The only keyring available stores secrets in a plain file, so skydesk will not "
                "remember your sign-in on this computer."
            )
        else:
            self.reason = (
                "No secure keyring (such as GNOME Keyring or KWallet) is running, so skydesk cannot "
                "remember your sign-in on this computer."
            )

    @property
    def available(self) -> bool:
        """True when a secure backend was found."""
        return self._backend is not None

    def save_refresh_token(self, profile: ConnectionProfile | str, username: str, token: str) -> bool:
        """Store the refresh token; returns False (and logs why, never the token) when it cannot."""
        if self._backend is None or not username or not token:
            return False
        try:
            self._backend.set_password(self.service, _account(profile, username), token)
        except _KEYRING_FAILURES as exc:
            log.warning("Could not store the sign-in in %s: %s", self.backend_name, type(exc).__name__)
            return False
        return True

    def load_refresh_token(self, profile: ConnectionProfile | str, username: str) -> str | None:
        """The stored refresh token, or None (also when the keyring is locked or unavailable)."""
        if self._backend is None or not username:
            return None
        try:
            return self._backend.get_password(self.service, _account(profile, username))
        except _KEYRING_FAILURES as exc:
            log.warning("Could not read the sign-in from %s: %s", self.backend_name, type(exc).__name__)
            return None

    def forget(self, profile: ConnectionProfile | str, username: str) -> None:
        """Delete the stored refresh token, if any."""
        if self._backend is None or not username:
            return
        try:
            self._backend.delete_password(self.service, _account(profile, username))
        except keyring.errors.PasswordDeleteError:
            pass  # nothing was stored
        except _KEYRING_FAILURES as exc:
            log.warning("Could not forget the sign-in in %s: %s", self.backend_name, type(exc).__name__)

    def __repr__(self) -> str:
        return f"CredentialStore(service={self.service!r}, backend={self.backend_name!r})"
