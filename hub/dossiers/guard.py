"""Throttling code guessing: each caller has a small allowance of lookups that find nothing.

Ordinary rate limits stop floods; this stops someone walking through codes at the allowed rate.
While a caller's allowance of misses is used up, every lookup from it is refused (hits included,
otherwise a refusal would itself tell hits from misses).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class MissGuard:
    """``per_minute`` misses per key refilling continuously, up to ``burst``."""

    def __init__(
        self, per_minute: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._debt: dict[str, tuple[float, float]] = {}  # key -> (misses owed, at)
        self._lock = threading.Lock()

    def _owed(self, key: str, now: float) -> float:
        owed, at = self._debt.get(key, (0.0, now))
        return max(0.0, owed - (now - at) * self.rate)

    def blocked_for(self, key: str) -> float:
        """Seconds until ``key`` may look up again; 0.0 when it may now."""
        now = self._clock()
        with self._lock:
            owed = self._owed(key, now)
        return 0.0 if owed < self.burst else (owed - self.burst + 1.0) / self.rate

    def miss(self, key: str) -> None:
        """Count one lookup of ``key`` that found nothing (or was not a code)."""
        now = self._clock()
        with self._lock:
            self._debt[key] = (self._owed(key, now) + 1.0, now)
            if len(self._debt) > 100_000:  # bound memory against address sprays
                for stale in [k for k in self._debt if self._owed(k, now) == 0.0]:
                    del self._debt[stale]
