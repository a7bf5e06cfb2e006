"""Another user changing sessions at a steady rate, through the sandbox's own service (so events flow)."""

from __future__ import annotations

import random
import threading
import time
from typing import Any


class ChangeStorm:
    """Dispatch renames sessions and sets properties, in turn, ``rate`` times a second on a thread.

    Paced against the clock, so a slow moment is caught up and the average stays at ``rate``. Use as a
    context manager or with start()/stop(); ``changes`` counts what was sent.
    """

    def __init__(self, sandbox: Any, app_id: str, session_ids: list[str], rate: float = 50.0) -> None:
        self.sandbox, self.app_id, self.session_ids, self.rate = sandbox, app_id, session_ids, rate
        self.changes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="storm", daemon=True)

    def start(self) -> None:
        """Begin changing."""
        self._thread.start()

    def stop(self) -> None:
        """Stop, and wait for the thread (at most 10 s)."""
        self._stop.set()
        self._thread.join(10)

    def __enter__(self) -> ChangeStorm:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        service = self.sandbox.service
        actor = service.actor_by_username("dispatch")
        rng = random.Random(5)
        started = time.monotonic()
        while not self._stop.is_set():
            sid = rng.choice(self.session_ids)
            n = self.changes
            body = {"name": f"storm {n}"} if n % 2 else {"properties": {"step": str(n), "who": "dispatch"}}
            service.patch_session(actor, self.app_id, sid, body)
            self.changes += 1
            pause = started + self.changes / self.rate - time.monotonic()
            if pause > 0:
                self._stop.wait(pause)
