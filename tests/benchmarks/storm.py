"""Event storms for B4-B6: the sandbox publishes, a bare subscriber and the app's models receive."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.benchmarks.harness import BareClient, SandboxInfo, SandboxProcess, isolated_env


class BareSubscriber:
    """tests/benchmarks/subscriber.py in its own process, subscribed as the app's user."""

    def __init__(self, info: SandboxInfo, user_id: str, workdir: Path) -> None:
        client = BareClient(info)
        token = client.login()
        client.close()
        where = [info.mqtt_host, str(info.mqtt_port), info.realm, user_id, info.ca_file]
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.subscriber", *where],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=isolated_env(workdir),
        )
        self._send(token)
        self._expect_line("ready")

    def _send(self, line: str) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(line + "\n")
        self._proc.stdin.flush()

    def _line(self) -> str:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the bare subscriber exited ({self._proc.wait(10)})")
        return line.strip()

    def _expect_line(self, wanted: str) -> None:
        line = self._line()
        if line != wanted:
            raise RuntimeError(f"the bare subscriber said {line!r}, not {wanted!r}")

    def arm(self, count: int) -> None:
        """Start noting the next ``count`` arrivals."""
        self._send(json.dumps({"expect": count}))
        self._expect_line("armed")

    def arrivals(self) -> list[float]:
        """Block until the armed count has arrived; their monotonic arrival times."""
        doc = json.loads(self._line())
        if "error" in doc:
            raise RuntimeError(f"bare subscriber: {doc['error']}")
        return list(doc["times"])

    def close(self) -> None:
        """Disconnect and wait for the process."""
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)


class ModelWatch:
    """Notes when each storm event has reached the app's list model (a slot after the browser's own)."""

    def __init__(self, services: Any) -> None:
        self._services = services
        self._prefix = ""
        self._expected = 0
        self.seen: dict[int, float] = {}  # event number -> monotonic time the model had applied it
        self.done: asyncio.Future[float] | None = None
        # Connected after AppServices connected browser.apply_events, so Qt calls this one after it.
        services.bridge.events_batch.connect(self._on_bridge_events_batch)

    def arm(self, run: int, count: int) -> asyncio.Future[float]:
        """Watch for events ``bench-{run}-0`` ... ``bench-{run}-{count-1}``."""
        self._prefix = f"bench-{run}-"
        self._expected = count
        self.seen = {}
        self.done = asyncio.get_running_loop().create_future()
        return self.done

    def _on_bridge_events_batch(self, events: Sequence[Any]) -> None:
        now = time.monotonic()
        prefix = self._prefix
        for event in events:
            if event.event_id.startswith(prefix):
                self.seen[int(event.event_id[len(prefix) :])] = now
        if self.done is not None and not self.done.done() and len(self.seen) >= self._expected:
            self.done.set_result(now)

    def check_final(self, final: dict[str, str]) -> None:
        """Raise unless every session's row shows the name its last storm event gave it."""
        model = self._services.browser.model
        wrong = 0
        for session_id, name in final.items():
            session = model.session_at(model.row_of(session_id))
            if session is None or session.name != name:
                wrong += 1
        if wrong:
            raise RuntimeError(f"{wrong} of {len(final)} rows do not show their last event")


async def storm(
    sandbox: SandboxProcess,
    subscriber: BareSubscriber,
    watch: ModelWatch,
    application_id: str,
    sessions: int,
    count: int,
    run: int,
    rate: float | None = None,
) -> tuple[list[float], list[float], dict[int, float]]:
    """One storm: publish times, the bare subscriber's arrival times, and when the app's model had each."""
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, subscriber.arm, count)
    done = watch.arm(run, count)
    cmd = {"cmd": "storm", "username": "dispatch", "application_id": application_id}
    answer = await loop.run_in_executor(
        None, sandbox.request, cmd | {"sessions": sessions, "count": count, "run": run, "rate": rate}
    )
    arrivals = await loop.run_in_executor(None, subscriber.arrivals)
    await asyncio.wait_for(done, 600)
    watch.check_final(answer["final"])
    return list(answer["times"]), arrivals, dict(watch.seen)
