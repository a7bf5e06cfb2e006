"""CredentialStore: refresh tokens only in a secure keyring; insecure backends are refused with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import keyring.errors
import pytest
from keyring.backends import chainer, fail

from skydesk.core.credentials import CredentialStore
from skydesk.core.settings import ConnectionProfile
from tests.support.memory_keyring import MemoryKeyring
from tests.support.secret_service import running_secret_service, use_detected_keyring

PROFILE = ConnectionProfile(name="demo", api_url="https://h:1", mqtt_host="h", realm="demo")


class _PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's PlaintextKeyring (keyrings.alt is deliberately not installed)."""

    priority = 0.5  # type: ignore[assignment]


_PlaintextKeyring.__module__ = "keyrings.alt.file"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_round_trip_with_a_secure_backend(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    assert store.available and store.reason == ""
    assert store.backend_name.endswith("MemoryKeyring")
    assert store.save_refresh_token(PROFILE, "tech", "rt-1") is True
    assert store.load_refresh_token(PROFILE, "tech") == "rt-1"
    assert store.load_refresh_token("demo", "sam") is None  # per user
    store.save_refresh_token("demo", "tech", "rt-2")  # rotation overwrites
    assert list(memory_keyring.items.values()) == ["rt-2"]
    store.forget(PROFILE, "tech")
    store.forget(PROFILE, "tech")  # forgetting twice is fine
    assert memory_keyring.items == {}
    assert "rt-" not in repr(store)


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), _PlaintextKeyring()],
    ids=["fail", "plaintext"],
)
def test_insecure_backends_are_refused_and_nothing_is_written(
    backend: keyring.backend.KeyringBackend,
) -> None:
    store = CredentialStore(backend=backend)
    assert store.available is False
    assert "remember your sign-in" in store.reason
    if isinstance(backend, _PlaintextKeyring):
        assert "plain file" in store.reason
    assert store.save_refresh_token(PROFILE, "tech", "rt-secret") is False
    assert store.load_refresh_token(PROFILE, "tech") is None
    if isinstance(backend, _PlaintextKeyring):
        assert backend.items == {}


def test_chainer_with_only_plaintext_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _PlaintextKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plain])
    store = CredentialStore(backend=chainer.ChainerBackend())
    assert not store.available and "plain file" in store.reason
    assert store.save_refresh_token(PROFILE, "tech", "rt") is False and plain.items == {}


def test_chainer_uses_its_secure_member_not_the_plaintext_one(monkeypatch: pytest.MonkeyPatch) -> None:
    plain, secure = _PlaintextKeyring(), MemoryKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plain, secure])
    store = CredentialStore(backend=chainer.ChainerBackend())
    assert store.available
    store.save_refresh_token(PROFILE, "tech", "rt")
    assert plain.items == {} and list(secure.items.values()) == ["rt"]


def test_a_failing_keyring_does_not_crash_and_does_not_leak(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def locked(*_a: object) -> None:
        raise keyring.errors.KeyringLocked("collection locked")

    monkeypatch.setattr(memory_keyring, "set_password", locked)  # a locked keyring, which we cannot provoke
    store = CredentialStore()
    assert store.save_refresh_token(PROFILE, "tech", "rt-very-secret") is False
    assert "KeyringLocked" in caplog.text and "rt-very-secret" not in caplog.text


@pytest.fixture
def secret_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A private D-Bus session bus with an unlocked gnome-keyring Secret Service on it."""
    with running_secret_service(tmp_path / "run", monkeypatch):
        yield


@pytest.mark.keyring_real
def test_real_secret_service_round_trip(secret_service: None) -> None:
    use_detected_keyring()  # detect the backend the way the app does at start-up
    store = CredentialStore()
    assert store.available, store.reason
    assert "SecretService" in store.backend_name
    assert store.save_refresh_token(PROFILE, "tech", "real-refresh-token") is True
    # A second store (a new start of the app) reads it back from the daemon.
    assert CredentialStore().load_refresh_token(PROFILE, "tech") == "real-refresh-token"
    store.forget(PROFILE, "tech")
    assert CredentialStore().load_refresh_token(PROFILE, "tech") is None
