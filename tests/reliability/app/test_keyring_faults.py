"""Keyring faults a technician meets, against a REAL gnome-keyring on a private D-Bus and the real sandbox:
locked with the unlock refused (no prompt can be shown), and the D-Bus session gone in the middle of a run.
Each gives a clear message, "Remember me" falls back to asking for the password, nothing is written to a
file instead, and the only secret the keyring ever holds is the refresh token (removed on sign-out and on
deleting the profile)."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skydesk.core.credentials import CredentialStore
from tests.models.helpers import sign_in
from tests.support.qt import SignalRecorder, wait_until
from tests.support.secret_scan import assert_clean, scan
from tests.support.secret_service import running_secret_service, use_detected_keyring

pytestmark = pytest.mark.keyring_real


@pytest.fixture
def secret_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """gnome-keyring on a private bus; yields its runtime dir (which names the bus daemon's socket)."""
    runtime = tmp_path / "run"
    with running_secret_service(runtime, monkeypatch):
        use_detected_keyring()
        yield runtime


def _collection() -> Any:
    import secretstorage

    return secretstorage.get_default_collection(secretstorage.dbus_init())


def _items() -> list[tuple[dict[str, str], str]]:
    """Every secret the keyring holds, with its attributes (read with a connection of our own)."""
    collection = _collection()
    return [(dict(i.get_attributes()), i.get_secret().decode()) for i in collection.get_all_items()]


def _kill_the_session_bus(runtime: Path) -> None:
    pids = subprocess.run(
        [
            "pgrep",
            "-f",
            f"dbus-daemon --session --nofork --print-address=1 --address=unix:path={runtime}/bus",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert pids, "the test's dbus-daemon is not running"
    for pid in pids:
        os.kill(int(pid), signal.SIGKILL)


def _scan_home_for(home: Path, secrets: dict[str, str]) -> None:
    count, findings = scan([home], secrets)
    assert_clean(count, findings)


async def test_only_the_refresh_token_is_kept_and_sign_out_and_profile_delete_remove_it(
    secret_service: Path, make_services: Any, profile_of: Any, sandbox: Any
) -> None:
    svc = make_services(CredentialStore())
    assert svc.credentials.available and "SecretService" in svc.credentials.backend_name
    profile = profile_of(sandbox)
    await sign_in(svc, profile, remember=True)
    client = svc.auth.client
    assert client is not None and client.refresh_token
    await wait_until(lambda: [s for _, s in _items()] == [client.refresh_token], 10, what="the token stored")
    (attributes, _secret), *_ = _items()
    assert attributes["service"] == "skydesk" and "tech" in attributes["username"]
    access = await client.access_token()
    assert all(secret not in (access, "tech-demo-pw") for _, secret in _items())

    out = SignalRecorder(svc.auth.signed_out)
    svc.auth.sign_out()
    await out.wait("signed_out")
    await wait_until(lambda: _items() == [], 10, what="sign-out to remove the keyring entry")

    # Remembered again, then the profile is deleted: the entry goes with it.
    await sign_in(svc, profile, remember=True)
    await wait_until(lambda: len(_items()) == 1, 10, what="the token stored again")
    assert svc.profiles.delete(svc.auth.profile.name)
    await wait_until(lambda: not svc.profiles.keyring_busy and _items() == [], 10, what="the delete")


async def test_a_locked_keyring_whose_unlock_is_refused_falls_back_to_the_password(
    secret_service: Path, make_services: Any, profile_of: Any, sandbox: Any, _isolated_user_dirs: Path
) -> None:
    first = make_services(CredentialStore())
    profile = profile_of(sandbox)
    await sign_in(first, profile, remember=True)
    client = first.auth.client
    assert client is not None
    token = client.refresh_token
    await wait_until(lambda: len(_items()) == 1, 10, what="the token stored")
    first.settings.save()

    _collection().lock()  # the session was locked; no display, so no unlock prompt can be answered
    again = make_services(CredentialStore())
    rec = SignalRecorder(again.auth.sign_in_failed, again.auth.signed_in)
    saved = again.settings.profile(profile.name)
    assert saved is not None and again.auth.restore(saved)
    message = (await rec.wait("sign_in_failed", within=20))[0]
    assert "could not be read from the keyring" in message and "locked" in message
    assert rec.args("signed_in") == []

    # "Remember me" still ticked while the keyring stays locked: signed in, told it is not remembered.
    problems = SignalRecorder(again.auth.keyring_problem)
    await sign_in(again, saved, remember=True)
    said = (await problems.wait("keyring_problem", within=20))[0]
    assert "could not be saved in the keyring" in said and "password next time" in said
    assert again.auth.client is not None
    new_token = again.auth.client.refresh_token
    assert token and new_token
    _scan_home_for(_isolated_user_dirs, {"old token": token, "new token": new_token})


async def test_the_keyring_service_disappearing_mid_run_is_said_and_nothing_goes_to_a_file(
    secret_service: Path, make_services: Any, profile_of: Any, make_sandbox: Any, _isolated_user_dirs: Path
) -> None:
    from skydesk.app import sandbox_profile

    sb = make_sandbox(seed=2, token_ttl=300, refresh_ttl=600)
    svc = make_services(CredentialStore())
    await sign_in(svc, sandbox_profile(sb.info, "site"), remember=True)
    client = svc.auth.client
    assert client is not None
    await wait_until(lambda: len(_items()) == 1, 10, what="the token stored")

    _kill_the_session_bus(secret_service)
    problems = SignalRecorder(svc.auth.keyring_problem)
    await client.access_token(force_refresh=True)  # a refresh rotates the token: it must be stored
    said = (await problems.wait("keyring_problem", within=20))[0]
    assert "could not be saved in the keyring" in said
    await client.access_token(force_refresh=True)  # and again: said once, not at every refresh
    await svc.auth.settle_keyring()
    assert len(problems.args("keyring_problem")) == 1
    rotated = client.refresh_token
    assert rotated

    # Sign-out still works (the entry cannot be removed now; the settings forget the sign-in).
    out = SignalRecorder(svc.auth.signed_out)
    svc.auth.sign_out()
    await out.wait("signed_out", within=20)
    assert svc.settings.remembered == {}
    secrets = {"rotated refresh token": rotated, "password": "tech-demo-pw"}
    _scan_home_for(_isolated_user_dirs, secrets)
