"""In-memory token buckets for login attempts and public lookups.

Kept in memory on purpose: a hub restart forgets them, which is harmless, and nothing hot has to
touch the disk. Each key (a client address, a device, a username) gets its own bucket.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from hub.errors import ApiError


class RateLimiter:
    """``rate_per_minute`` events per key, with bursts up to ``burst`` (default: the rate)."""

    def __init__(
        self,
        rate_per_minute: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = float(burst if burst is not None else rate_per_minute)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def try_acquire(self, key: str) -> float:
        """Take one token for ``key``: 0.0 if allowed, else the seconds until one is free."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > 100_000:  # bound memory against address sprays
                    self._prune(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def check(self, key: str, what: str = "requests") -> None:
        """Raise a 429 ApiError with Retry-After when ``key`` is over its rate."""
        wait = self.try_acquire(key)
        if wait > 0:
            raise ApiError(
                429,
                "rate_limited",
                f"too many {what}; try again in {int(wait) + 1} s",
                retry_after=int(wait) + 1,
            )

    def _prune(self, now: float) -> None:
        buckets = self._buckets.items()
        full = [k for k, (t, last) in buckets if t + (now - last) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]
