"""AuthController and the keyring: off the GUI thread, only when needed, and finished before quitting."""

from __future__ import annotations

import threading
import time
from typing import Any

import keyring.backend
import keyring.errors

from skydesk.core.credentials import CredentialStore
from tests.models.helpers import sign_in
from tests.support.qt import SignalRecorder, wait_until


class _RecordingKeyring(keyring.backend.KeyringBackend):
    """An in-memory secure keyring that records each call's thread and can be slow (like an unlock prompt)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.items: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, str]] = []  # (method, thread name)

    def _call(self, method: str) -> None:
        self.calls.append((method, threading.current_thread().name))
        time.sleep(self.delay)

    def get_password(self, service: str, username: str) -> str | None:
        self._call("get")
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._call("set")
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._call("delete")
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not stored")


# Backend classes register themselves for keyring's detection; this one must never be picked elsewhere.
keyring.backend.KeyringBackend._classes.discard(_RecordingKeyring)  # type: ignore[attr-defined]


async def test_a_missing_remembered_token_is_reported_not_waited_for(
    make_services: Any, profile_of: Any, sandbox: Any
) -> None:
    ring = _RecordingKeyring()
    svc = make_services(CredentialStore(backend=ring))
    # The sign-in of tech on "test" was remembered, but the keyring lost the entry.
    svc.settings.remembered = {"test": "tech"}
    profile = profile_of(sandbox)
    profile.username = "tech"
    rec = SignalRecorder(svc.auth.signing_in, svc.auth.sign_in_failed, svc.auth.signed_in)
    assert svc.auth.restore(profile) is True
    assert ring.calls == [], "restore() itself never touches the keyring"
    message = (await rec.wait("sign_in_failed"))[0]
    assert "could not be read from the keyring" in message and "tech" in message
    assert rec.args("signing_in") == [(True,), (False,)] and rec.args("signed_in") == []
    assert [m for m, _ in ring.calls] == ["get"]
    assert ring.calls[0][1] != threading.main_thread().name


async def test_users_who_never_ticked_remember_me_never_touch_the_keyring(
    make_services: Any, profile_of: Any, sandbox: Any
) -> None:
    ring = _RecordingKeyring()
    svc = make_services(CredentialStore(backend=ring))
    await sign_in(svc, profile_of(sandbox), remember=False)
    assert svc.auth.restore(svc.auth.profile) is False
    out = SignalRecorder(svc.auth.signed_out)
    svc.auth.sign_out()
    await out.wait("signed_out")
    # A locked keyring would have prompted for its password at each of these steps.
    assert ring.calls == []


async def test_quitting_waits_for_a_rotated_token_to_reach_a_slow_keyring(
    make_services: Any, profile_of: Any, sandbox: Any
) -> None:
    ring = _RecordingKeyring(delay=0.3)
    svc = make_services(CredentialStore(backend=ring))
    await sign_in(svc, profile_of(sandbox), remember=True)
    client = svc.auth.client
    await client.refresh()  # the refresh token rotates; its write to the keyring is only scheduled
    rotated = client.refresh_token
    assert rotated not in ring.items.values()
    await svc.shutdown()  # quitting right away must not cancel that write
    assert list(ring.items.values()) == [rotated]
    assert all(thread != threading.main_thread().name for _, thread in ring.calls), ring.calls


async def test_remember_me_is_kept_per_profile(make_services: Any, profile_of: Any, sandbox: Any) -> None:
    ring = _RecordingKeyring()
    svc = make_services(CredentialStore(backend=ring))
    await sign_in(svc, profile_of(sandbox, "EU production"), remember=True)
    await wait_until(lambda: ring.items, 10, what="the refresh token in the keyring")
    await svc.auth.settle_keyring()  # let the token write finish before counting keyring calls
    before = list(ring.calls)
    await sign_in(svc, profile_of(sandbox, "Sandbox"), remember=False)
    assert ring.calls == before, "a plain sign-in on another profile does not touch the keyring"
    assert len(ring.items) == 1, "nor does it forget the other profile's remembered sign-in"

    # A new start on the remembered profile signs in silently, with the token from the keyring. (A start
    # follows a quit, which flushes the settings; their file is written on a worker thread.)
    await svc.saver.flush()
    again = make_services(CredentialStore(backend=ring))
    rec = SignalRecorder(again.auth.signed_in, again.auth.sign_in_failed)
    assert again.auth.restore(again.settings.profile("EU production")) is True
    assert await rec.wait_any(("signed_in", "sign_in_failed"), within=20) == "signed_in", rec.calls
    assert rec.args("signed_in") == [("tech @ demo",)]
    assert again.auth.client is not None and again.auth.client.user_id == sandbox.info.user("tech").id

    # A new start on the other profile asks for the password, and never asks the keyring.
    third = make_services(CredentialStore(backend=ring))
    calls = len(ring.calls)
    assert third.auth.restore(third.settings.profile("Sandbox")) is False
    assert len(ring.calls) == calls
