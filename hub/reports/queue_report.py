"""The queue report of a period, grouped by service, counter or clerk: tickets issued, served,
no-shows and cancelled; wait and service time (median, 90th percentile, maximum, in minutes);
arrivals by hour of day; ratings by level and the satisfaction rate.

Past days come from the stored summaries (built here when missing); today from its tickets.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.reports import periods, summary
from hub.reports.periods import Period
from hub.reports.summary import N_SUMS, DaySummary

GROUPS = ("service", "counter", "clerk")
# Decision 766/QĐ-TTg counts as not satisfied the answers "không hài lòng" and "rất không hài
# lòng": levels 4 and 5 of the hub's scale (1 Rất hài lòng … 5 Rất không hài lòng).
UNSATISFIED_LEVELS = (4, 5)


@dataclass
class QueueReport:
    """One period's queue figures: a row per group key, the office's total, hours of day."""

    group: str
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    hours: list[int]  # tickets issued in each hour 0-23 over the period
    open_days: int  # days of the period with at least one ticket


def quantile(hist: dict[int, int], q: float) -> int | None:
    """Nearest-rank ``q`` quantile of a minute histogram; None when it is empty."""
    total = sum(hist.values())
    if total == 0:
        return None
    rank = max(1, -(-total * q // 1))  # ceil without floats drifting
    seen = 0
    for minute in sorted(hist):
        seen += hist[minute]
        if seen >= rank:
            return minute
    return max(hist)


def figures(s: DaySummary, dim: str, key: str) -> dict[str, Any]:
    """The figures of one (dim, key) of a summary."""
    row = s.counts.get((dim, key)) or [0] * N_SUMS + [None, None]
    sums = dict(zip(summary.COUNT_SUMS, row[:N_SUMS], strict=True))
    out: dict[str, Any] = {k: int(v) for k, v in sums.items()}
    for kind, top in (("wait", row[N_SUMS]), ("service", row[N_SUMS + 1])):
        hist = {
            m: n for (d, k, kd, m), n in s.minutes.items() if d == dim and k == key and kd == kind
        }
        out[f"{kind}_median"] = quantile(hist, 0.5)
        out[f"{kind}_p90"] = quantile(hist, 0.9)
        out[f"{kind}_max"] = None if top is None else summary.minute_of(top)
    rated = sum(out[f"r{i}"] for i in range(1, 6))
    out["rated"] = rated
    unhappy = sum(out[f"r{i}"] for i in UNSATISFIED_LEVELS)
    out["satisfaction"] = None if rated == 0 else (rated - unhappy) / rated
    return out


def _segments(p: Period, today: str) -> list[tuple[str, str]]:
    """Ranges of stored summaries that make up the period's past days: whole finished months
    from their rollups, the days around them one by one."""
    return periods.segments(p.first, min(p.last, dt.date.fromisoformat(today) - dt.timedelta(1)))


def _read(
    conn: sqlite3.Connection, dim: str, p: Period, today: str, live: DaySummary | None
) -> DaySummary:
    s = summary.read(conn, dim, _segments(p, today))
    if live is not None:
        summary.merge(s, live, dim)
    return s


def ensure_summaries(
    conn: sqlite3.Connection, write: Callable[[], Any], p: Period, today: str, zone: dt.tzinfo
) -> int:
    """Build the missing summaries of the period's past days, then the rollups of its whole
    finished months; return how many days and months were built. ``write()`` opens a write
    transaction (the store's)."""
    missing = summary.days_to_build(conn, p.first.isoformat(), p.last.isoformat(), today)
    built = summary.build(write, missing, zone) if missing else 0
    past_last = min(p.last, dt.date.fromisoformat(today) - dt.timedelta(days=1))
    months = dict(periods.whole_months(p.first, past_last))
    for first in summary.months_to_build(conn, months):
        summary.build_month(write, first, months[first])
        built += 1
    return built


def queue_report(
    conn: sqlite3.Connection, p: Period, group: str, today: str, zone: dt.tzinfo,
    labels: dict[str, dict[str, str]],
) -> QueueReport:  # fmt: skip
    """The report of period ``p`` grouped by ``group`` (summaries must be built first)."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}")
    live = (
        summary.summarize(conn, today, zone)
        if p.first.isoformat() <= today <= p.last.isoformat()
        else None
    )
    grouped = _read(conn, group, p, today, live)
    office = _read(conn, "all", p, today, live)
    names = labels.get(group, {})
    keys = sorted(
        {k for (d, k) in grouped.counts if d == group}, key=lambda k: _order(group, k, names)
    )
    rows = [{"key": k, "label": names.get(k, k), **figures(grouped, group, k)} for k in keys]
    hours = [office.hours.get(("all", "", h), 0) for h in range(24)]
    open_days = conn.execute(
        "SELECT count(*) FROM report_counts WHERE dim = 'all' AND day BETWEEN ? AND ? AND day < ?",
        (p.first.isoformat(), p.last.isoformat(), today),
    ).fetchone()[0] + (1 if live is not None and live.counts else 0)
    return QueueReport(group, rows, figures(office, "all", ""), hours, open_days)


def _order(group: str, key: str, names: dict[str, str]) -> tuple[int, Any]:
    if key == "":
        return (2, "")  # "none" (never called) last
    if group == "counter" and key.isdigit():
        return (0, int(key))
    return (1, names.get(key, key))


def labels(conn: sqlite3.Connection) -> dict[str, dict[str, str]]:
    """Readable names of services, counters and clerks (kept even when no longer active)."""
    return {
        "service": {r[0]: r[1] for r in conn.execute("SELECT code, name_vi FROM services")},
        "counter": {str(r[0]): r[1] for r in conn.execute("SELECT number, name FROM counters")},
        "clerk": {r[0]: r[1] for r in conn.execute("SELECT username, display_name FROM users")},
    }
