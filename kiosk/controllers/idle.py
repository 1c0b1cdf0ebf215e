"""The idle rule: after ``timeout_s`` without a touch, the kiosk goes home and forgets."""

from __future__ import annotations

import time
from collections.abc import Callable


class IdleTimer:
    """Remembers the last touch; :meth:`expired` says whether the kiosk has been left alone."""

    def __init__(self, timeout_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout_s = timeout_s
        self._clock = clock
        self._last = clock()

    def touch(self) -> None:
        """Someone is using the kiosk."""
        self._last = self._clock()

    def left(self) -> float:
        """Seconds until the kiosk counts as left alone (0 once it does)."""
        return max(0.0, self.timeout_s - (self._clock() - self._last))

    def expired(self) -> bool:
        """True once ``timeout_s`` have passed since the last touch."""
        return self._clock() - self._last >= self.timeout_s
