"""A real Secret Service for tests: a private D-Bus session bus with an unlocked gnome-keyring on it.

Use from a fixture::

    @pytest.fixture
    def secret_service(tmp_path, monkeypatch):
        with running_secret_service(tmp_path / "run", monkeypatch):
            yield

While it runs, ``keyring`` detects the daemon as a normal SecretService backend (priority 5). The daemon
keeps its keyring files under ``$XDG_DATA_HOME/keyrings``, so the suite's isolated user dirs receive them,
never the developer's home. On exit the keyring's backend choice is reset and both daemons are stopped.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import pytest

from tests.support.prereq import require_tool

KEYRING_PASSWORD = b"test-keyring-pw"  # creates and unlocks the daemon's "login" keyring
START_TIMEOUT = 10.0


@contextmanager
def running_secret_service(runtime: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Start dbus-daemon and gnome-keyring-daemon in ``runtime``; yields the bus address.

    The process environment (through ``monkeypatch``) points ``DBUS_SESSION_BUS_ADDRESS`` and
    ``XDG_RUNTIME_DIR`` at them for as long as the block runs.
    """
    dbus = require_tool("dbus-daemon")
    gkd = require_tool("gnome-keyring-daemon")
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    bus = subprocess.Popen(
        [dbus, "--session", "--nofork", "--print-address=1", f"--address=unix:path={runtime}/bus"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    procs: list[subprocess.Popen[Any]] = [bus]
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        assert address.startswith("unix:"), address
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        daemon = subprocess.Popen(
            [gkd, "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        procs.append(daemon)
        assert daemon.stdin is not None
        daemon.stdin.write(KEYRING_PASSWORD)
        daemon.stdin.close()
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        from keyring.backends import SecretService

        deadline = time.monotonic() + START_TIMEOUT
        while True:  # wait until the service is registered on the bus
            try:
                if SecretService.Keyring.priority > 0:
                    break
            except Exception:
                pass
            assert time.monotonic() < deadline, "gnome-keyring did not come up"
            time.sleep(0.1)
        previous = keyring.get_keyring()
        try:
            yield address
        finally:
            _forget_detected_backends()
            keyring.set_keyring(previous)
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def use_detected_keyring() -> None:
    """Let ``keyring`` pick its backend again, as the app does at start-up (it caches the viable list)."""
    import keyring.core

    _forget_detected_backends()
    keyring.core.init_backend()


def _forget_detected_backends() -> None:
    # keyring caches the list of viable backends; reset() fails when nothing was cached yet.
    with contextlib.suppress(KeyError):
        keyring.backend.get_all_keyring.reset()
