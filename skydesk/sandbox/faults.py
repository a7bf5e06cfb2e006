"""Fault injection for the sandbox: what to break (latency, error answers, bad bodies, cut connections).

A :class:`FaultPlan` is plain, thread-safe state. The REST side applies it through
:class:`skydesk.sandbox.fault_middleware.FaultMiddleware`; MQTT delivery latency through
:class:`skydesk.sandbox.fault_middleware.DelayedDelivery`. Tests, the admin API and the CLI all
change the same plan, and its counters say how many faults were actually injected.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any

# What a rule does to a matching request.
STATUS = "status"  # answer with `status` (and Retry-After for 429/503) without running the request
MALFORMED = "malformed"  # the real answer, its JSON made syntactically invalid
TRUNCATED = "truncated"  # the real answer cut to half its length (Content-Length matches the cut)
HUGE = "huge"  # the real answer padded to `size` bytes more, still valid JSON
INVALID_UTF8 = "invalid_utf8"  # the real answer with bytes that are not UTF-8
RESET = "reset"  # the request runs, then the connection closes before any answer
MID_BODY = "mid_body"  # the request runs, the headers and half the body go out, then the connection closes
ANSWER = "answer"  # answer with `status` and exactly `body` (any bytes) without running the request
BODY_KINDS = frozenset({MALFORMED, TRUNCATED, HUGE, INVALID_UTF8})
CUT_KINDS = frozenset({RESET, MID_BODY})
KINDS = frozenset({STATUS, ANSWER}) | BODY_KINDS | CUT_KINDS
FAULT_STATUSES = frozenset({500, 502, 503, 504, 429})
DEFAULT_HUGE_SIZE = 8 * 1024 * 1024
MAX_HUGE_SIZE = 256 * 1024 * 1024


@dataclass(frozen=True)
class Latency:
    """A delay of ``fixed`` seconds plus a uniformly random 0..``jitter`` seconds."""

    fixed: float = 0.0
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if self.fixed < 0 or self.jitter < 0 or self.fixed + self.jitter > 60:
            raise ValueError("latency and jitter must be between 0 and 60 seconds in total")

    def sample(self, rng: random.Random) -> float:
        """One delay drawn from this latency."""
        return self.fixed + (rng.uniform(0.0, self.jitter) if self.jitter else 0.0)


@dataclass(frozen=True)
class FaultRule:
    """One fault for a share of the requests under ``path`` (and with a method in ``methods``)."""

    kind: str
    share: float = 1.0
    status: int = 503
    retry_after: int | None = 1  # seconds, sent with 429 and 503; None sends no Retry-After
    times: int | None = None  # stop after injecting it this many times; None = no limit
    path: str = "/v1/"
    methods: tuple[str, ...] = ()  # empty = every method
    size: int = DEFAULT_HUGE_SIZE  # for HUGE: bytes of padding
    body: bytes = b""  # for ANSWER: the exact body (a str, as the admin API's JSON gives, is sent as UTF-8)
    content_type: str = "application/json"  # for ANSWER

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(sorted(KINDS))}, not {self.kind!r}")
        if isinstance(self.body, str):
            object.__setattr__(self, "body", self.body.encode())
        if self.kind == ANSWER and not 200 <= self.status <= 599:
            raise ValueError("status must be between 200 and 599 for an answer")
        if not 0.0 <= self.share <= 1.0:
            raise ValueError("share must be between 0 and 1")
        if self.kind == STATUS and self.status not in FAULT_STATUSES:
            raise ValueError(f"status must be one of {sorted(FAULT_STATUSES)}")
        if self.retry_after is not None and not 0 <= self.retry_after <= 3600:
            raise ValueError("retry_after must be between 0 and 3600 seconds")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or None for no limit)")
        if not self.path.startswith("/"):
            raise ValueError("path must be a path prefix starting with '/'")
        if not 0 < self.size <= MAX_HUGE_SIZE:
            raise ValueError(f"size must be between 1 and {MAX_HUGE_SIZE} bytes")
        object.__setattr__(self, "methods", tuple(m.upper() for m in self.methods))

    @property
    def label(self) -> str:
        """How the counters name it: ``status_503``, ``truncated``, ..."""
        return f"{STATUS}_{self.status}" if self.kind == STATUS else self.kind

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule applies to a request (before the share is drawn)."""
        return path.startswith(self.path) and (not self.methods or method.upper() in self.methods)


@dataclass
class _Active:
    rule: FaultRule
    left: int | None
    rule_id: int = field(default=0)


class FaultPlan:
    """The faults the sandbox injects right now; every method is safe to call from any thread."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)  # noqa: S311 - chooses faults, not secrets
        self._rest = Latency()
        self._mqtt = Latency()
        self._rules: list[_Active] = []
        self._next_id = 1
        self._injected: Counter[str] = Counter()

    # ------------------------------------------------------------------ configuring

    def reseed(self, seed: int | None) -> None:
        """Make which requests get a fault (and the jitter) repeatable from here on."""
        with self._lock:
            self._rng.seed(seed)

    def set_latency(
        self,
        rest: float | None = None,
        rest_jitter: float = 0.0,
        mqtt: float | None = None,
        mqtt_jitter: float = 0.0,
    ) -> None:
        """Delay every REST answer and/or every MQTT event by a fixed time plus jitter (seconds).

        A side left as None keeps its current latency; 0 removes it. MQTT events stay in order.
        """
        with self._lock:
            if rest is not None:
                self._rest = Latency(rest, rest_jitter)
            if mqtt is not None:
                self._mqtt = Latency(mqtt, mqtt_jitter)

    def add(self, rule: FaultRule) -> int:
        """Start injecting ``rule``; returns its id (for :meth:`remove`). Earlier rules are tried first."""
        with self._lock:
            rule_id = self._next_id
            self._next_id += 1
            self._rules.append(_Active(rule, rule.times, rule_id))
            return rule_id

    def fail(self, status: int = 503, share: float = 1.0, **options: Any) -> int:
        """Answer a share of requests with ``status`` (500, 502, 503, 504 or 429) without running them."""
        return self.add(FaultRule(STATUS, share=share, status=status, **options))

    def answer(self, status: int, body: bytes | str, share: float = 1.0, **options: Any) -> int:
        """Answer a share of requests with ``status`` and exactly ``body`` (any bytes), not running them."""
        data = body.encode() if isinstance(body, str) else body
        return self.add(FaultRule(ANSWER, share=share, status=status, body=data, **options))

    def corrupt(self, kind: str = MALFORMED, share: float = 1.0, **options: Any) -> int:
        """Spoil a share of answers: ``malformed``, ``truncated``, ``huge`` or ``invalid_utf8``."""
        if kind not in BODY_KINDS:
            raise ValueError(f"kind must be one of {', '.join(sorted(BODY_KINDS))}")
        return self.add(FaultRule(kind, share=share, **options))

    def cut(self, kind: str = MID_BODY, share: float = 1.0, **options: Any) -> int:
        """Close the connection of a share of requests: ``reset`` (no answer) or ``mid_body``."""
        if kind not in CUT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(sorted(CUT_KINDS))}")
        return self.add(FaultRule(kind, share=share, **options))

    def remove(self, rule_id: int) -> bool:
        """Stop one rule; False if it was not there (any more)."""
        with self._lock:
            before = len(self._rules)
            self._rules = [a for a in self._rules if a.rule_id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        """Remove every rule and latency (the counters stay: they record what happened)."""
        with self._lock:
            self._rules.clear()
            self._rest = Latency()
            self._mqtt = Latency()

    # ------------------------------------------------------------------ applying

    def rest_delay(self) -> float:
        """Seconds to hold the next REST answer."""
        with self._lock:
            return self._rest.sample(self._rng)

    def mqtt_delay(self) -> float:
        """Seconds to hold the next MQTT event."""
        with self._lock:
            return self._mqtt.sample(self._rng)

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The fault to inject into this request, if any (consumed and counted)."""
        with self._lock:
            for active in self._rules:
                if not active.rule.matches(method, path):
                    continue
                if active.rule.share < 1.0 and self._rng.random() >= active.rule.share:
                    continue
                if active.left is not None:
                    active.left -= 1
                    if active.left <= 0:
                        self._rules.remove(active)
                self._injected[active.rule.label] += 1
                return active.rule
            return None

    def not_applied(self, rule: FaultRule) -> None:
        """Undo the count of a picked body fault that the answer had no body for (a 204, say)."""
        with self._lock:
            self._injected[rule.label] -= 1
            if self._injected[rule.label] <= 0:
                del self._injected[rule.label]
            for active in self._rules:
                if active.rule is rule and active.left is not None:
                    active.left += 1
                    return
            if rule.times is not None:  # it had run out: it gets its last turn back
                self._rules.append(_Active(rule, 1, self._next_id))
                self._next_id += 1

    def count(self, label: str, n: int = 1) -> None:
        """Record faults injected outside the request path (tokens expired, connections dropped, ...)."""
        with self._lock:
            self._injected[label] += n

    # ------------------------------------------------------------------ reporting

    def injected(self) -> dict[str, int]:
        """How many faults of each kind were injected so far."""
        with self._lock:
            return dict(self._injected)

    def snapshot(self) -> dict[str, Any]:
        """The plan as JSON: latencies (ms), rules with ids and what is left of them, counters."""
        with self._lock:
            return {
                "latency": {
                    "rest_ms": self._rest.fixed * 1000,
                    "rest_jitter_ms": self._rest.jitter * 1000,
                    "mqtt_ms": self._mqtt.fixed * 1000,
                    "mqtt_jitter_ms": self._mqtt.jitter * 1000,
                },
                "rules": [
                    {
                        "id": a.rule_id,
                        **asdict(replace(a.rule, times=a.left)),
                        "methods": list(a.rule.methods),
                        "body": len(a.rule.body),  # bytes: its size only (it may be megabytes, or not text)
                    }
                    for a in self._rules
                ],
                "injected": dict(self._injected),
            }
