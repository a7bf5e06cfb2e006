"""When a failed request may be sent again, and how long to wait first."""

from __future__ import annotations

import random
from dataclasses import dataclass

#: Methods whose effect is the same however often they are applied, so a resend cannot duplicate.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: Statuses that say "not now" rather than "no": worth another try for idempotent requests.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounds for resending idempotent requests: attempts, exponential backoff with jitter, total time."""

    max_attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 8.0
    total_budget: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt number ``attempt + 1`` (``attempt`` counts from 1)."""
        if retry_after is not None:
            # The server knows best; a small jitter keeps many clients from returning at once.
            return retry_after + random.uniform(0, min(1.0, self.base_delay))  # noqa: S311 - not crypto
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        # "Full jitter": spreads retries of concurrent clients across the whole window.
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - not crypto


#: No resends at all (useful for tests and for callers that retry themselves).
NO_RETRY = RetryPolicy(max_attempts=1)
