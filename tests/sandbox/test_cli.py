"""`python -m skydesk.sandbox` as a real subprocess: info file, start line, login, clean SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from skydesk.sandbox.cli import build_parser

STARTUP_TIMEOUT = 60.0  # generous: CI shares two cores


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "skydesk.sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for_file(path: Path, proc: subprocess.Popen[str]) -> dict[str, object]:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"sandbox exited early ({proc.returncode}): {proc.stderr.read()}")  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the info file never appeared"
        time.sleep(0.05)
    doc: dict[str, object] = json.loads(path.read_text())
    return doc


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl+C"])
def test_cli_serves_until_stopped(tmp_path: Path, stop_signal: signal.Signals) -> None:
    info_file = tmp_path / "run" / "info.json"
    state = tmp_path / "state"
    proc = _spawn(
        "--api-port",
        "0",
        "--mqtt-port",
        "0",
        "--seed",
        "3",
        "--info-file",
        str(info_file),
        "--state-dir",
        str(state),
    )
    try:
        info = _wait_for_file(info_file, proc)
        assert set(info) == {"apiUrl", "mqttHost", "mqttPort", "caFile", "realm", "users", "applications"}
        assert str(info["caFile"]).startswith(str(state))
        users = info["users"]
        assert isinstance(users, list)
        tech = users[0]

        ctx = ssl.create_default_context(cafile=str(info["caFile"]))
        with httpx.Client(base_url=str(info["apiUrl"]), verify=ctx, timeout=30) as client:
            r = client.post(
                f"/v1/authentication/login/realms/{info['realm']}",
                json={"username": tech["username"], "password": tech["password"], "realm": info["realm"]},
            )
            assert r.status_code == 200, r.text
            assert r.json()["access_token"]

        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err

    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out  # exactly one line on start
    line = lines[0]
    assert str(info["apiUrl"]) in line
    assert f"mqtts://{info['mqttHost']}:{info['mqttPort']}" in line
    assert str(info["caFile"]) in line
    assert f"{tech['username']} / {tech['password']}" in line
    assert not info_file.exists(), "a stale info file would point tools at dead ports"


def test_cli_reports_a_busy_port_and_exits_1(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = _spawn(
            "--api-port", str(port), "--mqtt-port", "0", "--seed", "0", "--state-dir", str(tmp_path)
        )
        out, err = proc.communicate(timeout=STARTUP_TIMEOUT)
    assert proc.returncode == 1
    assert f"127.0.0.1:{port}" in err and "cannot start" in err
    assert out == ""


@pytest.mark.parametrize(
    "argv",
    [["--api-port", "70000"], ["--seed", "-1"], ["--token-ttl", "0"], ["--activity", "-2"]],
)
def test_cli_rejects_bad_options(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    assert exc.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_console_script_and_module_are_the_same_command() -> None:
    script = Path(sys.executable).with_name("skydesk-sandbox")
    assert script.exists(), "the skydesk-sandbox console script is not installed"
    via_script = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    via_module = subprocess.run(
        [sys.executable, "-m", "skydesk.sandbox", "--help"], capture_output=True, text=True, timeout=60
    )
    assert via_script.returncode == via_module.returncode == 0
    assert via_script.stdout == via_module.stdout and "--info-file" in via_script.stdout


def test_cli_defaults_follow_the_contract() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.api_port, args.mqtt_port) == ("127.0.0.1", 8443, 8883)
    assert (args.seed, args.activity, args.token_ttl, args.refresh_ttl) == (60, 0.0, 300, 1800)
    assert not args.no_tls and not args.fresh and args.info_file is None
