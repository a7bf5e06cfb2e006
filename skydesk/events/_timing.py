"""Reconnect backoff and the dead-link watchdog: pure timing logic, no sockets (unit-tested alone)."""

from __future__ import annotations

import enum
import random


class Backoff:
    """Delays between reconnect attempts: 1 s doubling up to 30 s, each with +-20 % jitter.

    The jitter spreads out the reconnect storm when a broker restart drops many clients at once.
    """

    def __init__(self, first: float = 1.0, cap: float = 30.0, rng: random.Random | None = None) -> None:
        self._first = first
        self._cap = cap
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._attempt = 0

    def next(self) -> float:
        """The delay before the next attempt (grows with every call until ``reset``)."""
        base = min(self._cap, self._first * 2 ** min(self._attempt, 16))
        self._attempt += 1
        jittered: float = base * self._rng.uniform(0.8, 1.2)
        return min(self._cap, jittered)

    def reset(self) -> None:
        """Start again from the first delay (after a connection proved stable)."""
        self._attempt = 0


class Verdict(enum.Enum):
    """What the watchdog wants done now."""

    OK = "ok"
    PROBE = "probe"  # the link has been quiet: send a request the broker must answer
    DEAD = "dead"  # no answer in time: drop the connection and reconnect


class Watchdog:
    """Decides when a quiet link is dead, from the times traffic was last seen.

    paho answers keepalive PINGRESPs internally and does not tell us about them, so liveness is
    judged from traffic we do see (CONNACK, SUBACK, UNSUBACK, PUBLISH). After ``keepalive`` seconds
    of silence the stream sends a probe (an UNSUBSCRIBE the broker must acknowledge); no traffic
    within another ``keepalive / 2`` means the link died silently, so the whole budget is about
    1.5 x keepalive. While still waiting for CONNACK, ``keepalive`` seconds without one is fatal.
    """

    def __init__(self, keepalive: float) -> None:
        self._idle_after = keepalive
        self._grace = keepalive / 2
        self._last_in = 0.0
        self._probe_sent: float | None = None

    def reset(self, now: float) -> None:
        """A new connection attempt starts now."""
        self._last_in = now
        self._probe_sent = None

    def traffic(self, now: float) -> None:
        """Something arrived from the broker."""
        self._last_in = now
        self._probe_sent = None

    def check(self, now: float, *, connected: bool) -> Verdict:
        """Call regularly; ``PROBE`` is returned once per quiet spell, ``DEAD`` when time is up."""
        if not connected:
            return Verdict.DEAD if now - self._last_in >= self._idle_after else Verdict.OK
        if self._probe_sent is not None:
            return Verdict.DEAD if now - self._probe_sent >= self._grace else Verdict.OK
        if now - self._last_in >= self._idle_after:
            self._probe_sent = now
            return Verdict.PROBE
        return Verdict.OK
