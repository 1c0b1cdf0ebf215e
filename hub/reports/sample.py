"""Made-up history for reports: past days of tickets and ratings (and dossiers for the bench),
written fast (executemany in one transaction). Used by ``bench/bench_reports.py`` and by the
demo, so its reports are not empty on the first run. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import zoneinfo
from collections.abc import Sequence

TICKET_COLUMNS = (
    "day", "service", "seq", "number_service", "number", "token_hash", "state", "priority",
    "head", "queued_at", "issued_at", "called_at", "started_at", "finished_at", "counter",
    "clerk", "origin",
)  # fmt: skip
# Arrivals per hour from 07:00 to 17:00: the morning rush, lunch, a smaller afternoon peak.
HOUR_WEIGHTS = (6, 14, 16, 12, 5, 3, 8, 11, 9, 6)
LEVEL_WEIGHTS = (45, 35, 12, 5, 3)  # 1 Rất hài lòng … 5 Rất không hài lòng


def working_days(last: dt.date, n: int) -> list[dt.date]:
    """The ``n`` working days (Monday-Friday) ending at ``last``, oldest first."""
    days, d = [], last
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= dt.timedelta(days=1)
    return days[::-1]


def tickets(
    conn: sqlite3.Connection, days: Sequence[dt.date], per_day: int,
    services: Sequence[str], counters: dict[int, tuple[list[str], str]], zone: str,
    rated_share: float = 0.4, seed: int = 1,
) -> int:  # fmt: skip
    """Tickets of ``per_day`` (±20 %) on each day, served at ``counters`` ({number: (services,
    clerk)}), a share of them rated. The caller holds the transaction. Returns tickets written."""
    rng = random.Random(seed)
    tz = zoneinfo.ZoneInfo(zone)
    by_service = {s: [c for c, (served, _) in counters.items() if s in served] for s in services}
    hours = [7 + h for h, w in enumerate(HOUR_WEIGHTS) for _ in range(w)]
    next_id = (conn.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0]) + 1
    written = 0
    for day in days:
        midnight = dt.datetime.combine(day, dt.time(), tz).timestamp()
        n = int(per_day * rng.uniform(0.8, 1.2))
        seqs = dict.fromkeys(services, 0)
        rows, ratings = [], []
        for _ in range(n):
            service = rng.choice(services)
            seqs[service] += 1
            seq = seqs[service]
            issued = midnight + rng.choice(hours) * 3600 + rng.random() * 3600
            counter = rng.choice(by_service[service] or list(counters))
            clerk = counters[counter][1]
            fate = rng.random()
            called = issued + rng.expovariate(1 / 720)  # waits around 12 min
            started, finished, state = None, None, "done"
            if fate < 0.05:
                state, called, counter, clerk = "cancelled", None, None, None
                finished = issued + 1800
            elif fate < 0.11:
                state, finished = "no_show", called + 120
            else:
                started = called + rng.uniform(20, 90)
                finished = started + 120 + rng.expovariate(1 / 420)  # about 9 min at the desk
            rows.append((
                day.isoformat(), service, seq, service, f"{service}{seq:03d}",
                f"sample:{day.isoformat()}:{service}:{seq}:{seed}", state, 0, 0, issued, issued,
                called, started, finished, counter, clerk, "hub",
            ))  # fmt: skip
            if state == "done" and rng.random() < rated_share:
                level = rng.choices((1, 2, 3, 4, 5), LEVEL_WEIGHTS)[0]
                ratings.append((next_id, level, counter, clerk, finished + 30))
            next_id += 1
        conn.executemany(
            f"INSERT INTO tickets (id, {', '.join(TICKET_COLUMNS)})"
            f" VALUES (?, {', '.join('?' * len(TICKET_COLUMNS))})",
            [(next_id - len(rows) + i, *r) for i, r in enumerate(rows)],
        )
        conn.executemany(
            "INSERT INTO ratings (ticket_id, level, counter, clerk, at) VALUES (?, ?, ?, ?, ?)",
            ratings,
        )
        written += len(rows)
    return written


def dossiers(
    conn: sqlite3.Connection, first: dt.date, last: dt.date, n: int, procedures: Sequence[str],
    seed: int = 1,
) -> int:  # fmt: skip
    """``n`` dossiers received between ``first`` and ``last``: mostly settled before or on the
    appointment day, some late, some still open; a third received online."""
    rng = random.Random(seed)
    span = (last - first).days + 1
    rows = []
    for i in range(n):
        received = first + dt.timedelta(days=rng.randrange(span))
        due = received + dt.timedelta(days=rng.choice((3, 5, 7, 10, 15)))
        roll = rng.random()
        finished = None
        status = 4
        if roll < 0.85:
            shift = rng.choices((-3, -1, 0, 1, 4), (40, 25, 25, 6, 4))[0]
            finished = due + dt.timedelta(days=shift)
            status = 10 if rng.random() < 0.7 else 9
        channel = rng.choices(("online", "in_person", "post"), (35, 60, 5))[0]
        rows.append((
            f"SAMPLE-{received:%y%m%d}-{i:07d}", rng.choice(procedures),
            f"{received.isoformat()}T08:30:00+07:00", f"{due.isoformat()}T17:00:00+07:00",
            None if finished is None else f"{finished.isoformat()}T15:00:00+07:00",
            status, channel, 0.0,
        ))  # fmt: skip
    conn.executemany(
        "INSERT OR REPLACE INTO dossiers (code, procedure_code, received_at, due_at, finished_at,"
        " status, channel, fetched_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'import')",
        rows,
    )
    return len(rows)


def demo_history(db_path: str, zone: str = "Asia/Ho_Chi_Minh", days: int = 45) -> int:
    """The demo office's past ``days`` working days of tickets, unless it has past tickets
    already; returns how many were written."""
    from hub import db

    conn = db.connect(db_path)
    try:
        today = dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
        if conn.execute(
            "SELECT 1 FROM tickets WHERE day < ? LIMIT 1", (today.isoformat(),)
        ).fetchone():
            return 0
        clerks = [r[0] for r in conn.execute("SELECT username FROM users WHERE role = 'clerk'")]
        served = conn.execute(
            "SELECT counter, group_concat(service) FROM counter_services GROUP BY counter"
            " ORDER BY counter"
        ).fetchall()
        # the demo seeds one clerk per counter, in counter order
        counters = {
            number: (codes.split(","), clerks[i % len(clerks)] if clerks else None)
            for i, (number, codes) in enumerate(served)
        }
        services = [r[0] for r in conn.execute("SELECT code FROM services WHERE active = 1")]
        conn.execute("BEGIN IMMEDIATE")
        n = tickets(conn, working_days(today - dt.timedelta(days=1), days), 300, services,
                    counters, zone)  # fmt: skip
        conn.execute("COMMIT")
        return n
    finally:
        conn.close()
