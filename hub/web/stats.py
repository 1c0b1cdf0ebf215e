"""The day's figures on the dashboard: tickets by outcome, waits, ratings, and per service the
oldest wait and per counter the time at the current ticket.

Counts come from one grouped query over today's tickets (the ``tickets_line`` index starts with
``day``); the waits of the tickets called today are read as one column and sorted here for the
90th percentile, which at a busy office's 5,000 tickets a day is well under a millisecond.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from typing import Any

from hub.queue.state import QueueState


class FiguresCache:
    """The day's figures, recomputed at most every :data:`FRESH_S`: a busy office sends several
    events a second and each refreshes every open dashboard, while a mean wait a second or two
    old tells staff the same. Times are monotonic (a test's fake clock does not stop it)."""

    FRESH_S = 2.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[float, str, dict[str, Any]] | None = None

    def get(self, conn: sqlite3.Connection, day: str) -> dict[str, Any]:
        """The figures of ``day``, from memory when fresh enough."""
        now = time.monotonic()
        with self._lock:
            kept = self._kept
            if kept is not None and kept[1] == day and now - kept[0] < self.FRESH_S:
                return kept[2]
        figures = day_figures(conn, day)
        with self._lock:
            self._kept = (now, day, figures)
        return figures

    def forget(self) -> None:
        """Drop the kept figures (after a change made from the console itself)."""
        with self._lock:
            self._kept = None


def day_figures(conn: sqlite3.Connection, day: str) -> dict[str, Any]:
    """Issued, served, no-show and cancelled today; mean and 90th-percentile wait (minutes,
    issue to call); ratings so far (count and mean)."""
    counts = dict(
        conn.execute("SELECT state, count(*) FROM tickets WHERE day = ? GROUP BY state", (day,))
    )
    waits = sorted(
        r[0]
        for r in conn.execute(
            "SELECT called_at - issued_at FROM tickets WHERE day = ? AND called_at IS NOT NULL",
            (day,),
        )
    )
    rated = conn.execute(
        "SELECT count(*), avg(r.level) FROM ratings r JOIN tickets t ON t.id = r.ticket_id"
        " WHERE t.day = ?",
        (day,),
    ).fetchone()
    return {
        "issued": sum(counts.values()),
        "served": counts.get("done", 0),
        "no_show": counts.get("no_show", 0),
        "cancelled": counts.get("cancelled", 0),
        "mean_wait_min": _minutes(sum(waits) / len(waits)) if waits else None,
        "p90_wait_min": _minutes(waits[math.ceil(0.9 * len(waits)) - 1]) if waits else None,
        "ratings": rated[0],
        "rating_mean": None if rated[1] is None else round(rated[1], 1),
    }


def _minutes(seconds: float) -> int:
    return max(0, round(seconds / 60))


def oldest_waits(state: QueueState, now: float) -> dict[str, int]:
    """Per service, minutes since its longest-waiting ticket was issued (call under the lock)."""
    oldest: dict[str, float] = {}
    for ticket in state.active.values():  # (not ``t``: the catalog extractor reads t(…) as a text)
        if ticket["state"] == "waiting":
            code = ticket["service"]
            oldest[code] = min(oldest.get(code, now), ticket["issued_at"])
    return {code: _minutes(now - at) for code, at in oldest.items()}


def minutes_at_counters(state: QueueState, now: float) -> dict[int, int]:
    """Per counter, minutes since its current ticket was called (call under the lock)."""
    found = {}
    for number, ticket_id in state.current.items():
        ticket = state.active.get(ticket_id)
        if ticket is not None and ticket["called_at"] is not None:
            found[number] = _minutes(now - ticket["called_at"])
    return found
