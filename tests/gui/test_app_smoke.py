"""The real entry point in a subprocess: ``python -m skydesk --demo`` signs in, loads and exits cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from skydesk import __version__


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    return env


def test_version_option_prints_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "skydesk", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"skydesk {__version__}"


@pytest.mark.timeout(180)
def test_demo_signs_in_loads_sessions_and_exits_cleanly(tmp_path: Path) -> None:
    shot = tmp_path / "window.png"
    # The user's own settings: the demo must leave them exactly as they were.
    user_settings = tmp_path / "config" / "skydesk" / "settings.json"
    user_settings.parent.mkdir(parents=True)
    profile = {"name": "Work", "api_url": "https://api.example.test", "mqtt_host": "mqtt.example.test"}
    user_settings.write_text(json.dumps({"profiles": [profile], "last_profile": "Work"}))
    before = user_settings.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "skydesk", "--demo", "--quit-after-load", "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        timeout=150,
        env=_env(tmp_path),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "skydesk: loaded" in done.stderr
    assert "in “skydesk — Demo sandbox (local)”" in done.stderr, "the title says it is the demo"
    assert "Traceback" not in done.stderr
    assert "threads still running" not in done.stderr
    assert "tasks still running" not in done.stderr
    assert shot.stat().st_size > 10_000, "the window was drawn"
    assert user_settings.read_bytes() == before, "the demo did not touch the user's profiles"
    demo = json.loads((tmp_path / "config" / "skydesk" / "demo-settings.json").read_text())
    assert demo["last_profile"] == "Demo sandbox"
    # The demo keeps its state under the user's data dir, and the app logs under the state dir.
    assert (tmp_path / "data" / "skydesk" / "sandbox").is_dir()
    log = (tmp_path / "state" / "skydesk" / "logs" / "skydesk.log").read_text()
    assert "skydesk stopped cleanly" in log
    assert "tech-demo-pw" not in log


@pytest.mark.timeout(120)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_quits_in_order_like_the_quit_action(tmp_path: Path, sig: signal.Signals) -> None:
    # SIGTERM is what a desktop session sends at logout, SIGINT is Ctrl+C in the terminal that started it.
    log_file = tmp_path / "state" / "skydesk" / "logs" / "skydesk.log"
    app = subprocess.Popen(
        [sys.executable, "-m", "skydesk", "--demo"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        deadline = time.monotonic() + 90
        # Live events start once the first page is in (B2): wait for both, so there is a stream to stop.
        while not all(
            line in (log_file.read_text() if log_file.exists() else "")
            for line in ("/sessions?", "event stream connected")
        ):
            assert app.poll() is None, "skydesk exited before loading"
            assert time.monotonic() < deadline, "the demo did not list its sessions and connect live events"
            time.sleep(0.2)
        app.send_signal(sig)
        _out, stderr = app.communicate(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    assert app.returncode == 0, stderr
    assert "Traceback" not in stderr
    log = log_file.read_text()
    assert f"Quitting on {sig.name}" in log
    assert "skydesk stopped cleanly" in log, "the orderly shutdown ran to its end"
    assert "event stream stopped" in log, "MQTT was disconnected"
    assert "still running at exit" not in log, "no thread or task was left behind"


def test_without_a_display_it_says_so_in_one_line_instead_of_aborting() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(
        [sys.executable, "-m", "skydesk"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert (
        "no display found" in lines[0] and "xvfb-run" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0]
    )
    assert "xcb" not in done.stderr


def test_a_display_or_a_chosen_platform_is_enough() -> None:
    from skydesk.app import no_display

    assert no_display({}, "linux")
    assert not no_display({"DISPLAY": ":0"}, "linux")
    assert not no_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not no_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not no_display({}, "win32") and not no_display({}, "darwin")
