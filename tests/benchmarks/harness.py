"""What every benchmark shares: the sandbox process, alternating samples, result rows, bare-httpx floors."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

USERNAME = "dispatch"  # reads every session, so an application's whole list is visible
PASSWORD = "dispatch-demo-pw"
FIELD_INSPECTION = "Field Inspection"  # the first application by name: the one the app opens on
RUNS = 5  # samples per figure, after one warm-up pair
SANDBOX_START_TIMEOUT = 300.0  # seeding 200,000 sessions on a busy machine


def isolated_env(workdir: Path) -> dict[str, str]:
    """The environment for a child process: offscreen Qt and XDG directories inside ``workdir``."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(workdir / sub)
    return env


@dataclass
class SandboxInfo:
    """Where the benchmark's sandbox listens (from its info JSON)."""

    api_url: str
    mqtt_host: str
    mqtt_port: int
    ca_file: str
    realm: str
    applications: dict[str, str]  # name -> id

    @property
    def field_inspection(self) -> str:
        """The id of the application the app opens on."""
        return self.applications[FIELD_INSPECTION]


class SandboxProcess:
    """A seeded sandbox in its own process (tests/benchmarks/sandbox_proc.py), driven over stdin/stdout."""

    def __init__(self, seed: int, workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        state = str(workdir / "sandbox")
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.benchmarks.sandbox_proc",
                "--seed",
                str(seed),
                "--state-dir",
                state,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=isolated_env(workdir),
        )
        doc = json.loads(self._read_line(SANDBOX_START_TIMEOUT))
        self.info = SandboxInfo(
            api_url=doc["apiUrl"],
            mqtt_host=doc["mqttHost"],
            mqtt_port=doc["mqttPort"],
            ca_file=doc["caFile"],
            realm=doc["realm"],
            applications={a["name"]: a["applicationId"] for a in doc["applications"]},
        )

    def _read_line(self, timeout: float) -> str:
        assert self._proc.stdout is not None
        # The sandbox answers every command with one line; a dead process answers with EOF.
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the benchmark sandbox exited (code {self._proc.wait(timeout)})")
        return line

    def request(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Send one command and return its JSON answer."""
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(cmd) + "\n")
        self._proc.stdin.flush()
        return dict(json.loads(self._read_line(600.0)))

    def close(self) -> None:
        """Stop the sandbox and wait for its process."""
        if self._proc.poll() is None:
            try:
                assert self._proc.stdin is not None
                self._proc.stdin.write('{"cmd": "quit"}\n')
                self._proc.stdin.close()
                self._proc.wait(30)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait(10)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------- sampling
@dataclass
class Samples:
    """The raw samples of one figure and of its floor, taken alternately in one run."""

    floor: list[float] = field(default_factory=list)
    skydesk: list[float] = field(default_factory=list)
    extra: dict[str, list[float]] = field(default_factory=dict)

    def add_extra(self, name: str, value: float) -> None:
        """Keep a side measurement (shown in the row's ``runs``)."""
        self.extra.setdefault(name, []).append(value)


def alternate(floor: Callable[[], float], skydesk: Callable[[], float], runs: int = RUNS) -> Samples:
    """One warm-up pair, then ``runs`` pairs (floor, skydesk, floor, ...), so drift in speed cancels out."""
    floor()
    skydesk()
    samples = Samples()
    for _ in range(runs):
        samples.floor.append(floor())
        samples.skydesk.append(skydesk())
    return samples


def row(
    bench_id: str,
    what: str,
    unit: str,
    samples: Samples,
    max_ratio: float | None = None,
    max_value: float | None = None,
    ok: bool = True,
    note: str = "",
) -> dict[str, Any]:
    """A result row: medians, their ratio, the target, and whether it was met (never if ``ok`` is false)."""
    value = statistics.median(samples.skydesk)
    floor = statistics.median(samples.floor)
    ratio = value / floor if floor else None
    if max_ratio is not None:
        target = f"<= {max_ratio:g}x"
        passed = ratio is not None and ratio <= max_ratio
    else:
        assert max_value is not None
        target = f"<= {max_value:g} {unit}"
        passed = value <= max_value
    runs: dict[str, Any] = {"floor": samples.floor, "skydesk": samples.skydesk} | samples.extra
    result = {
        "id": bench_id,
        "what": what,
        "unit": unit,
        "value": value,
        "floor": floor,
        "ratio": ratio,
        "target": target,
        "pass": bool(passed and ok),
        "runs": runs,
    }
    if note:
        result["note"] = note
    return result


def not_built(bench_id: str, what: str, target: str, needs: str) -> dict[str, Any]:
    """A row for a benchmark whose feature has not landed: reported, never passed."""
    return {
        "id": bench_id,
        "what": what,
        "unit": "",
        "value": None,
        "floor": None,
        "ratio": None,
        "target": target,
        "pass": False,
        "runs": {},
        "note": f"not yet built: needs {needs}",
    }


def failed(bench_id: str, what: str, target: str, error: str) -> dict[str, Any]:
    """A row for a benchmark that crashed: the error is the note."""
    return not_built(bench_id, what, target, "") | {"note": f"error: {error}"}


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by the nearest-rank method (p99 of 1,000 samples is the 10th largest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))  # ceil without importing math
    return ordered[int(rank) - 1]


def rss_bytes() -> int:
    """This process's resident set size now."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------------------------------- bare httpx
class BareClient:
    """The least an HTTP client must do for the job: httpx, the CA file, a bearer token, ``json()``."""

    def __init__(self, info: SandboxInfo) -> None:
        self.info = info
        self.http = httpx.Client(base_url=info.api_url, verify=info.ca_file)
        self.token = ""

    def login(self) -> str:
        """POST the password, keep the access token."""
        realm = self.info.realm
        body = {"username": USERNAME, "password": PASSWORD, "realm": realm}
        response = self.http.post(f"/v1/authentication/login/realms/{realm}", json=body)
        response.raise_for_status()
        self.token = response.json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        return self.token

    def applications(self) -> list[Any]:
        """GET the application list (one page of 200, as the SDK asks for)."""
        response = self.http.get("/v1/application/applications", params={"limit": "200"})
        response.raise_for_status()
        return list(response.json()["data"])

    def page(self, application_id: str, params: dict[str, str]) -> tuple[Any, int]:
        """GET one page of sessions: its parsed JSON and its size in bytes."""
        response = self.http.get(f"/v1/application/applications/{application_id}/sessions", params=params)
        response.raise_for_status()
        return response.json(), len(response.content)

    def pages(self, application_id: str, limit: int) -> Iterator[tuple[Any, int]]:
        """Every page of an application's sessions, following nextCursor."""
        cursor = None
        while True:
            params = {"limit": str(limit)} | ({"nextCursor": cursor} if cursor else {})
            doc, size = self.page(application_id, params)
            yield doc, size
            cursor = doc["page"].get("nextCursor")
            if not cursor:
                return

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()


def timed(fn: Callable[[], Any]) -> float:
    """Seconds ``fn()`` took."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started
