"""``skydesk-sandbox`` with fault flags, as an integration developer would start it."""

from __future__ import annotations

import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from skydesk.sandbox.cli import build_parser


def _start(tmp_path: Path, *flags: str) -> tuple[subprocess.Popen[str], list[str], dict[str, object]]:
    info_file = tmp_path / "info.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skydesk.sandbox",
            "--api-port",
            "0",
            "--mqtt-port",
            "0",
            "--seed",
            "1",
            "--state-dir",
            str(tmp_path / "state"),
            "--info-file",
            str(info_file),
            *flags,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline()]
    assert "ready" in lines[0], proc.stderr.read() if proc.poll() is not None else lines
    if "--admin" in flags:
        lines.append(proc.stdout.readline())
    deadline = time.monotonic() + 20
    while not info_file.exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return proc, lines, json.loads(info_file.read_text())


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "admin API" not in out  # nothing more is printed after the start lines
    return err


def test_fault_flags_apply_from_the_start_and_the_admin_token_is_printed(tmp_path: Path) -> None:
    proc, lines, info = _start(
        tmp_path, "--admin", "--fail", "503:1", "--retry-after", "4", "--latency", "200:50"
    )
    try:
        match = re.fullmatch(
            r"skydesk sandbox admin API: (https://127\.0\.0\.1:\d+)  token (\S+)  \(loopback only\)\n",
            lines[1],
        )
        assert match, lines
        admin_url, token = match.groups()
        ctx = ssl.create_default_context(cafile=str(info["caFile"]))
        with (
            httpx.Client(base_url=str(info["apiUrl"]), verify=ctx) as rest,
            httpx.Client(
                base_url=admin_url, verify=ctx, headers={"Authorization": f"Bearer {token}"}
            ) as admin,
        ):
            started = time.monotonic()
            r = rest.get("/v1/application/applications")
            assert (r.status_code, r.headers["retry-after"]) == (503, "4")
            assert time.monotonic() - started >= 0.2
            plan = admin.get("/admin/faults").json()
            assert plan["latency"]["rest_ms"] == 200 and plan["latency"]["rest_jitter_ms"] == 50
            assert [rule["status"] for rule in plan["rules"]] == [503] and plan["injected"] == {
                "status_503": 1
            }
            admin.delete("/admin/faults")
            assert rest.get("/v1/application/applications").status_code == 401  # the real API again
    finally:
        err = _stop(proc)
    assert "Traceback" not in err


def test_without_admin_no_admin_api_is_started(tmp_path: Path) -> None:
    proc, lines, _ = _start(tmp_path)
    try:
        assert "admin API" not in lines[0]
    finally:
        _stop(proc)


@pytest.mark.parametrize(
    "flags",
    [
        ["--fail", "404:1"],
        ["--fail", "503:2"],
        ["--bad-json", "weird:0.1"],
        ["--cut", "half"],
        ["--latency", "x"],
    ],
)
def test_bad_fault_flags_are_refused(flags: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(flags)
    assert f"argument {flags[0]}: '{flags[1]}' is not" in capsys.readouterr().err


def test_fault_flags_parse() -> None:
    args = build_parser().parse_args(
        ["--bad-json", "truncated:0.25", "--cut", "mid-body:0.5", "--mqtt-latency", "100", "--fail", "429"]
    )
    assert args.bad_json == [("truncated", 0.25)] and args.cut == [("mid_body", 0.5)]
    assert args.mqtt_latency == (0.1, 0.0) and args.fail == [("429", 1.0)] and not args.admin
