"""Suite-wide fixtures: offscreen Qt, isolated user dirs, and the real sandbox."""

from __future__ import annotations

import os

# Must happen before anything imports Qt (pytest-qt does not set it).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import faulthandler
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _pytest.faulthandler import fault_handler_stderr_fd_key
from hypothesis import settings as hypothesis_settings

# No per-example deadline: on two busy cores (xdist workers, sandboxes, Qt) a slow example is not a failure,
# and Hypothesis' default 200 ms deadline made property tests fail at random.
hypothesis_settings.register_profile("skydesk", deadline=None)
hypothesis_settings.load_profile("skydesk")


def pytest_configure(config: pytest.Config) -> None:
    """Run Python's cyclic garbage collector only on the main thread, between tests.

    Left automatic, a collection can start on whichever thread happens to allocate (a sandbox server,
    paho's loop) and free Qt objects there, which crashes Qt later. The app does the same (see app.py).
    """
    gc.disable()


# How long past its own timeout a test may run before its worker is stopped with every thread's stack.
HANG_BACKSTOP_S = float(os.environ.get("SKYDESK_TEST_HANG_BACKSTOP_S", "120"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Stop a worker that hangs where pytest-timeout's SIGALRM cannot reach it.

    The signal handler only runs when the interpreter gets control. A test stuck while Qt waits in C
    (an event loop with nothing to wake it) never gives it control, and one such test once held CI until its
    90-minute limit. faulthandler's watchdog is a C thread: it prints every thread's stack and exits the
    worker, xdist reports the test as crashed and carries on with a fresh worker.
    """
    marker = item.get_closest_marker("timeout")
    own = float(marker.args[0]) if marker and marker.args else float(item.config.getini("timeout") or 120)
    # pytest's faulthandler plugin keeps a copy of the real stderr; fd 2 itself is captured during a test.
    stderr = item.config.stash.get(fault_handler_stderr_fd_key, 2)
    faulthandler.dump_traceback_later(own + HANG_BACKSTOP_S, file=stderr, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def _collect_garbage_on_main_thread() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every XDG directory at a temp dir, so no test touches a developer's config, data or logs."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    return home


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One real sandbox (REST + MQTT over TLS, seeded) shared by the whole session.

    Tests that change data create their own sessions, so sharing is safe.
    """
    from skydesk.sandbox import Sandbox, SandboxConfig

    cfg = SandboxConfig(state_dir=tmp_path_factory.mktemp("sandbox-shared"), api_port=0, mqtt_port=0, seed=60)
    with Sandbox(cfg) as sb:
        yield sb


@pytest.fixture
def make_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Any]]:
    """Factory for a private sandbox with its own config (short tokens, no seed, ...)."""
    from skydesk.sandbox import Sandbox, SandboxConfig

    started: list[Any] = []

    def factory(**overrides: Any) -> Any:
        overrides.setdefault("state_dir", tmp_path_factory.mktemp("sandbox"))
        overrides.setdefault("api_port", 0)
        overrides.setdefault("mqtt_port", 0)
        sb = Sandbox(SandboxConfig(**overrides))
        sb.start()
        started.append(sb)
        return sb

    yield factory
    for sb in reversed(started):
        sb.stop()


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The app's log file as main() sets it up, in a temp dir; the root logger is restored afterwards."""
    import logging

    from skydesk.core import logs

    root = logging.getLogger()
    level = root.level
    path = logs.setup_logging(log_dir=tmp_path / "logs")
    yield path
    logs.stop_logging()
    root.setLevel(level)
