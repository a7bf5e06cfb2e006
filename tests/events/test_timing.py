"""Backoff and watchdog decisions, on a clock the test controls."""

from __future__ import annotations

import random

from skydesk.events._timing import Backoff, Verdict, Watchdog


def test_backoff_doubles_from_one_second_to_thirty_with_jitter() -> None:
    backoff = Backoff(rng=random.Random(7))
    delays = [backoff.next() for _ in range(10)]
    bases = [1, 2, 4, 8, 16, 30, 30, 30, 30, 30]
    for delay, base in zip(delays, bases, strict=True):
        assert 0.8 * base <= delay <= min(30, 1.2 * base)
    assert len({round(d, 6) for d in delays[5:]}) > 1  # jittered, not a fixed 30
    backoff.reset()
    assert 0.8 <= backoff.next() <= 1.2


def test_watchdog_probes_a_quiet_link_then_declares_it_dead() -> None:
    dog = Watchdog(keepalive=10)
    dog.reset(0.0)
    assert dog.check(9.9, connected=True) is Verdict.OK
    assert dog.check(10.0, connected=True) is Verdict.PROBE
    assert dog.check(12.0, connected=True) is Verdict.OK  # one probe per quiet spell
    assert dog.check(15.0, connected=True) is Verdict.DEAD  # 1.5 x keepalive after the last traffic


def test_watchdog_any_traffic_keeps_the_link_alive() -> None:
    dog = Watchdog(keepalive=10)
    dog.reset(0.0)
    assert dog.check(10.0, connected=True) is Verdict.PROBE
    dog.traffic(11.0)  # the UNSUBACK (or any message) arrived
    assert dog.check(16.0, connected=True) is Verdict.OK
    assert dog.check(21.0, connected=True) is Verdict.PROBE


def test_watchdog_gives_up_on_a_missing_connack() -> None:
    dog = Watchdog(keepalive=4)
    dog.reset(100.0)
    assert dog.check(103.9, connected=False) is Verdict.OK
    assert dog.check(104.0, connected=False) is Verdict.DEAD
