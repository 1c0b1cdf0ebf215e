"""Time in the hub's zone: business days that start at the configured hour, ISO formatting.

Times are kept as Unix seconds; the business day of a moment is its local date, except that
moments before ``day_starts_at`` belong to the day before (numbering restarts at that hour).
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections.abc import Callable


class Clock:
    """The hub's notion of now, in its time zone; ``now`` is injectable for tests."""

    def __init__(
        self, timezone: str, day_starts_at: str = "06:00", now: Callable[[], float] = time.time
    ) -> None:
        self.tz = zoneinfo.ZoneInfo(timezone)
        hours, minutes = (int(part) for part in day_starts_at.split(":"))
        self._day_offset = dt.timedelta(hours=hours, minutes=minutes)
        self.now = now
        self._iso: dict[float, str] = {}  # the same few timestamps are formatted over and over
        self._hhmm: tuple[int, str] = (-1, "")

    def local(self, ts: float) -> dt.datetime:
        """``ts`` as an aware datetime in the hub's zone."""
        return dt.datetime.fromtimestamp(ts, self.tz)

    def iso(self, ts: float | None) -> str | None:
        """ISO 8601 with the zone's offset, to the second; None stays None."""
        if ts is None:
            return None
        text = self._iso.get(ts)
        if text is None:
            if len(self._iso) > 20_000:
                self._iso.clear()
            text = self._iso[ts] = self.local(ts).isoformat(timespec="seconds")
        return text

    def day_of(self, ts: float) -> str:
        """The business day (YYYY-MM-DD) that ``ts`` belongs to."""
        return (self.local(ts) - self._day_offset).date().isoformat()

    def day_end(self, day: str) -> float:
        """When business day ``day`` (YYYY-MM-DD) ends: the next day's starting hour."""
        start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), self.tz)
        return (start + dt.timedelta(days=1) + self._day_offset).timestamp()

    def today(self) -> str:
        """The current business day."""
        return self.day_of(self.now())

    def hhmm(self, ts: float) -> str:
        """Local wall-clock time HH:MM, for opening hours."""
        minute = int(ts // 60)
        if self._hhmm[0] != minute:
            self._hhmm = (minute, self.local(ts).strftime("%H:%M"))
        return self._hhmm[1]
