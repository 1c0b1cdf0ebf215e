"""Per-day summaries of the queue: counts, minute histograms of waits and service times, and
arrivals per hour, for the whole office and per service, counter and clerk.

A past day's summary is built once from its tickets and kept (``report_*`` tables, migration
0400); a trigger drops it when one of the day's tickets or ratings changes, and the next report
builds it again. Today is summarized the same way in memory, never stored, so it stays live.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hub.reports.periods import month_key

DIMS = ("all", "service", "counter", "clerk")
# counts row layout: issued, served, no_show, cancelled, backfilled, r1..r5 (sums), then maxima
COUNT_SUMS = (
    "issued",
    "served",
    "no_show",
    "cancelled",
    "backfilled",
    "r1",
    "r2",
    "r3",
    "r4",
    "r5",
)
N_SUMS = len(COUNT_SUMS)
MAX_MINUTE = 24 * 60  # longer waits (a ticket left open overnight) land in the last bin


@dataclass
class DaySummary:
    """What one or more days add up to, keyed by (dim, key)."""

    counts: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    minutes: dict[tuple[str, str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    hours: dict[tuple[str, str, int], int] = field(default_factory=lambda: defaultdict(int))

    def row(self, dim: str, key: str) -> list[float]:
        """The counts row of (dim, key): sums then wait_max, service_max (created at zero)."""
        found = self.counts.get((dim, key))
        if found is None:
            found = self.counts[(dim, key)] = [0] * N_SUMS + [None, None]
        return found


def minute_of(seconds: float) -> int:
    """The histogram bin of a duration: whole minutes, rounded as the dashboard rounds."""
    return min(MAX_MINUTE, max(0, round(seconds / 60)))


def _local_midnight(day: str, zone: dt.tzinfo) -> float:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), zone).timestamp()


def summarize(conn: sqlite3.Connection, day: str, zone: dt.tzinfo) -> DaySummary:
    """The summary of ``day`` computed from its tickets and ratings.

    Tickets are first added up per (service, counter, clerk), a few dozen combinations a day,
    and those are then added into each dimension: each ticket is handled once, not four times
    (today's figures are computed this way on every report that covers today)."""
    midnight = _local_midnight(day, zone)
    rows = conn.execute(
        "SELECT t.service, coalesce(t.counter, ''), coalesce(t.clerk, r.clerk, ''), t.state,"
        " t.issued_at, t.called_at, t.started_at, t.finished_at,"
        " t.backfilled_at IS NOT NULL OR t.origin = 'paper', r.level"
        " FROM tickets t LEFT JOIN ratings r ON r.ticket_id = t.id WHERE t.day = ?",
        (day,),
    )
    state_col = {"done": 1, "no_show": 2, "cancelled": 3}
    combos: dict[tuple[str, str, str], DaySummary] = {}
    for service, counter, clerk, state, issued, called, started, finished, hand, level in rows:
        combo = (service, str(counter), clerk)
        part = combos.get(combo)
        if part is None:
            part = combos[combo] = DaySummary()
        row = part.row("", "")
        row[0] += 1
        col = state_col.get(state)
        if col is not None:
            row[col] += 1
        if hand:
            row[4] += 1
        elif called is not None:
            wait = called - issued
            part.minutes[("", "", "wait", minute_of(wait))] += 1
            row[N_SUMS] = wait if row[N_SUMS] is None else max(row[N_SUMS], wait)
            if state == "done" and finished is not None:
                served = finished - (started if started is not None else called)
                part.minutes[("", "", "service", minute_of(served))] += 1
                top = row[N_SUMS + 1]
                row[N_SUMS + 1] = served if top is None else max(top, served)
        if level is not None:
            row[4 + level] += 1
        part.hours[("", "", min(23, max(0, int((issued - midnight) // 3600))))] += 1
    out = DaySummary()
    for (service, counter, clerk), part in combos.items():
        for dim, key in (("all", ""), ("service", service), ("counter", counter), ("clerk", clerk)):
            _add(out, dim, key, part)
    return out


def _add(out: DaySummary, dim: str, key: str, part: DaySummary) -> None:
    """Add a combination's figures (kept under ("", "")) to (dim, key) of ``out``."""
    mine, row = out.row(dim, key), part.counts[("", "")]
    for i in range(N_SUMS):
        mine[i] += row[i]
    for i in (N_SUMS, N_SUMS + 1):
        if row[i] is not None:
            mine[i] = row[i] if mine[i] is None else max(mine[i], row[i])
    for (_, _, kind, minute), n in part.minutes.items():
        out.minutes[(dim, key, kind, minute)] += n
    for (_, _, hour), n in part.hours.items():
        out.hours[(dim, key, hour)] += n


def store(conn: sqlite3.Connection, day: str, s: DaySummary, now: float) -> None:
    """Replace the stored summary of ``day`` with ``s`` (inside the caller's transaction)."""
    for table in ("report_counts", "report_minutes", "report_hours"):
        for dim in DIMS:
            conn.execute(f"DELETE FROM {table} WHERE dim = ? AND day = ?", (dim, day))
    conn.executemany(
        "INSERT INTO report_counts (dim, day, key, issued, served, no_show, cancelled, backfilled,"
        " r1, r2, r3, r4, r5, wait_max, service_max)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(dim, day, key, *row) for (dim, key), row in s.counts.items()],
    )
    conn.executemany(
        "INSERT INTO report_minutes (dim, day, key, kind, minute, n) VALUES (?, ?, ?, ?, ?, ?)",
        [(dim, day, key, kind, m, n) for (dim, key, kind, m), n in s.minutes.items()],
    )
    conn.executemany(
        "INSERT INTO report_hours (dim, day, key, hour, n) VALUES (?, ?, ?, ?, ?)",
        [(dim, day, key, h, n) for (dim, key, h), n in s.hours.items()],
    )
    conn.execute("INSERT OR REPLACE INTO report_days (day, built_at) VALUES (?, ?)", (day, now))


def days_to_build(conn: sqlite3.Connection, first: str, last: str, today: str) -> list[str]:
    """Past days in ``first`` … ``last`` with tickets but no current summary."""
    end = min(last, (dt.date.fromisoformat(today) - dt.timedelta(days=1)).isoformat())
    if end < first:
        return []
    with_tickets = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT day FROM tickets WHERE day BETWEEN ? AND ?", (first, end)
        )
    }
    built = {
        r[0]
        for r in conn.execute("SELECT day FROM report_days WHERE day BETWEEN ? AND ?", (first, end))
    }
    return sorted(with_tickets - built)


def build(write: Callable[[], Any], days: Iterable[str], zone: dt.tzinfo) -> int:
    """Summarize and store each of ``days``, one transaction per day (``write()`` opens one,
    as :meth:`hub.db.Store.write` does), so the queue's writer never waits long; return how
    many were built."""
    n = 0
    for day in days:
        with write() as conn:
            store(conn, day, summarize(conn, day, zone), time.time())
        n += 1
    return n


def read(conn: sqlite3.Connection, dim: str, segments: Iterable[tuple[str, str]]) -> DaySummary:
    """The stored summaries of ``dim`` over each (first, last) range of ``day`` values (days,
    or months as ``MYYYY-MM``), added up per key."""
    out = DaySummary()
    sums = ", ".join(f"sum({c})" for c in COUNT_SUMS)
    for first, last in segments:
        part = DaySummary()
        args = (dim, first, last)
        for key, *values in conn.execute(
            f"SELECT key, {sums}, max(wait_max), max(service_max) FROM report_counts"
            " WHERE dim = ? AND day BETWEEN ? AND ? GROUP BY key",
            args,
        ):
            part.counts[(dim, key)] = list(values)
        for key, kind, minute, n in conn.execute(
            "SELECT key, kind, minute, sum(n) FROM report_minutes"
            " WHERE dim = ? AND day BETWEEN ? AND ? GROUP BY key, kind, minute",
            args,
        ):
            part.minutes[(dim, key, kind, minute)] = n
        for key, hour, n in conn.execute(
            "SELECT key, hour, sum(n) FROM report_hours WHERE dim = ? AND day BETWEEN ? AND ?"
            " GROUP BY key, hour",
            args,
        ):
            part.hours[(dim, key, hour)] = n
        merge(out, part, dim)
    return out


def months_to_build(conn: sqlite3.Connection, months: Iterable[dt.date]) -> list[dt.date]:
    """Of these months (first days), those without a current rollup."""
    wanted = {month_key(m): m for m in months}
    if not wanted:
        return []
    marks = ", ".join("?" * len(wanted))
    built = {
        r[0]
        for r in conn.execute(f"SELECT day FROM report_days WHERE day IN ({marks})", list(wanted))
    }
    return [m for key, m in wanted.items() if key not in built]


def build_month(write: Callable[[], Any], first: dt.date, last: dt.date) -> None:
    """Add up the (current) day summaries of a finished month into its rollup."""
    key, lo, hi = month_key(first), first.isoformat(), last.isoformat()
    sums = ", ".join(f"sum({c})" for c in COUNT_SUMS)
    with write() as conn:
        for table in ("report_counts", "report_minutes", "report_hours"):
            for dim in DIMS:
                conn.execute(f"DELETE FROM {table} WHERE dim = ? AND day = ?", (dim, key))
        conn.execute(
            f"INSERT INTO report_counts (dim, day, key, {', '.join(COUNT_SUMS)}, wait_max,"
            f" service_max) SELECT dim, ?, key, {sums}, max(wait_max), max(service_max)"
            " FROM report_counts WHERE dim IN ('all', 'service', 'counter', 'clerk')"
            " AND day BETWEEN ? AND ? GROUP BY dim, key",
            (key, lo, hi),
        )
        conn.execute(
            "INSERT INTO report_minutes (dim, day, key, kind, minute, n)"
            " SELECT dim, ?, key, kind, minute, sum(n) FROM report_minutes"
            " WHERE dim IN ('all', 'service', 'counter', 'clerk') AND day BETWEEN ? AND ?"
            " GROUP BY dim, key, kind, minute",
            (key, lo, hi),
        )
        conn.execute(
            "INSERT INTO report_hours (dim, day, key, hour, n)"
            " SELECT dim, ?, key, hour, sum(n) FROM report_hours"
            " WHERE dim IN ('all', 'service', 'counter', 'clerk') AND day BETWEEN ? AND ?"
            " GROUP BY dim, key, hour",
            (key, lo, hi),
        )
        conn.execute(
            "INSERT OR REPLACE INTO report_days (day, built_at) VALUES (?, ?)", (key, time.time())
        )


def merge(into: DaySummary, more: DaySummary, dim: str) -> None:
    """Add the ``dim`` part of ``more`` (today, live) to ``into``."""
    for (d, key), row in more.counts.items():
        if d != dim:
            continue
        mine = into.row(d, key)
        for i in range(N_SUMS):
            mine[i] += row[i]
        for i in (N_SUMS, N_SUMS + 1):
            if row[i] is not None:
                mine[i] = row[i] if mine[i] is None else max(mine[i], row[i])
    for k, n in more.minutes.items():
        if k[0] == dim:
            into.minutes[k] = into.minutes.get(k, 0) + n
    for k, n in more.hours.items():
        if k[0] == dim:
            into.hours[k] = into.hours.get(k, 0) + n
