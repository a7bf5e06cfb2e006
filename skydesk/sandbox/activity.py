"""Simulated activity of other users (being filled in)."""

from __future__ import annotations

import threading

from .service import SandboxService


class ActivitySimulator:
    """Acts as other demo users at a given rate, through the same service calls REST uses."""

    def __init__(self, service: SandboxService, events_per_minute: float) -> None:
        self._service = service
        self._rate = events_per_minute
        self._stop = threading.Event()

    def start(self) -> None:
        """Start the simulation thread."""

    def stop(self) -> None:
        """Stop and join the simulation thread."""

    def set_rate(self, events_per_minute: float) -> None:
        """Change the rate; 0 pauses."""
        self._rate = events_per_minute
