"""Dossier lookups per channel and how they were answered.

The dossier API tallies each lookup in memory (:meth:`LookupTally.record`) and writes the
counts at most every :data:`FLUSH_S` seconds, so a lookup costs no commit of its own; a report
flushes first. A hub stopped between two flushes loses those few seconds of counts (the counts
are statistics, not records). SMS lookups are counted from the SMS log itself.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from hub.reports.periods import Period

FLUSH_S = 10.0
CHANNELS = ("kiosk", "web", "sms")
SOURCES = ("cache", "upstream", "not_found", "unavailable")


class LookupTally:
    """Counts of (day, channel, source), written to ``lookup_tally`` in batches."""

    def __init__(self, store: Any, today: Callable[[], str]) -> None:
        self.store = store
        self.today = today  # the hub clock's business day
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str, str], int] = {}
        self._flushed = time.monotonic()

    def record(self, channel: str, source: str) -> None:
        """Count one lookup; write the counts when the last write is old enough."""
        key = (self.today(), channel, source)
        with self._lock:
            self._pending[key] = self._pending.get(key, 0) + 1
            due = time.monotonic() - self._flushed >= FLUSH_S
        if due:
            self.flush()

    def flush(self) -> None:
        """Write what has been counted so far."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._flushed = time.monotonic()
        if not pending:
            return
        with self.store.write() as conn:
            conn.executemany(
                "INSERT INTO lookup_tally (day, channel, source, n) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (day, channel, source) DO UPDATE SET n = n + excluded.n",
                [(*key, n) for key, n in pending.items()],
            )


def lookup_counts(conn: sqlite3.Connection, p: Period, zone: dt.tzinfo) -> list[dict[str, Any]]:
    """Per channel: lookups in the period, and how many were answered from the cache."""
    found: dict[str, dict[str, int]] = {c: {} for c in CHANNELS}
    for channel, source, n in conn.execute(
        "SELECT channel, source, sum(n) FROM lookup_tally WHERE day BETWEEN ? AND ?"
        " GROUP BY channel, source",
        (p.first.isoformat(), p.last.isoformat()),
    ):
        found.setdefault(channel, {})[source] = n
    start = dt.datetime.combine(p.first, dt.time(), zone).timestamp()
    end = dt.datetime.combine(p.last + dt.timedelta(days=1), dt.time(), zone).timestamp()
    sms = conn.execute(
        "SELECT count(*) FROM sms_messages WHERE direction = 'in' AND kind = 'dossier'"
        " AND created_at >= ? AND created_at < ?",
        (start, end),
    ).fetchone()[0]
    rows = []
    for channel, by_source in found.items():
        total = sum(by_source.values())
        if channel == "sms":
            total = max(total, sms)
        rows.append({
            "channel": channel,
            "total": total,
            # the SMS log does not say where its answers came from, only the tally does
            "cache": by_source.get("cache", 0) if by_source or channel != "sms" else None,
            "upstream": by_source.get("upstream", 0),
            "not_found": by_source.get("not_found", 0),
            "unavailable": by_source.get("unavailable", 0),
        })  # fmt: skip
    return rows


def tally(channel: str, source: str) -> None:
    """Count one lookup in the current app's tally (a no-op in an app without reports)."""
    from flask import current_app

    found = current_app.extensions.get("motcua.lookup_tally")
    if found is not None:
        found.record(channel, source)
