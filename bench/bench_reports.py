"""Reports benchmark: a year of data (1.8 M tickets, 300 k dossiers) in a temporary SQLite file,
then every report page rendered in-process through the Flask app, logged in as an admin.

Prints how long generating took, how long building the daily summaries of the past days took
(done once, lazily, by the first report that covers them; afterwards at most a day at a time),
and then the render time of each report (best of three): per day, week, month, quarter and a
year's range, grouped by service, counter and clerk, with today's figures live from 7,000
tickets issued today. Target: every report <= 1 s.
Run: ``.venv/bin/python bench/bench_reports.py [--scale 1.0]`` (``--scale 0.1`` for a quick look).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import core, create_app, db, demo
from hub.reports import sample

ZONE = "Asia/Ho_Chi_Minh"
YEAR_TICKETS = 1_800_000
YEAR_DOSSIERS = 300_000
WORKING_DAYS = 250
SERVICES = [chr(ord("A") + i) for i in range(8)]
COUNTERS = 30
FIELDS = 12


def generate(path: Path, scale: float) -> tuple[int, int]:
    """The demo office grown to 8 services and 30 counters with a clerk each, a year of tickets
    and ratings before today plus a busy today, and a year of dossiers."""
    demo.seed(path)
    conn = db.connect(path)
    conn.execute("BEGIN IMMEDIATE")
    now = time.time()
    for i, code in enumerate(SERVICES):
        conn.execute(
            "INSERT OR IGNORE INTO services (code, name_vi, name_en, prefix, position)"
            " VALUES (?, ?, ?, ?, ?)",
            (code, f"{code} – Dịch vụ {code}", f"{code} – Service {code}", code, i),
        )
    counters = {}
    for n in range(1, COUNTERS + 1):
        conn.execute(
            "INSERT OR IGNORE INTO counters (number, name) VALUES (?, ?)", (n, f"Quầy {n}")
        )
        username = f"bench{n}"
        conn.execute(
            "INSERT OR IGNORE INTO users (username, display_name, role, password_hash, created_at)"
            " VALUES (?, ?, 'clerk', 'x', ?)",
            (username, f"Cán bộ {n}", now),
        )
        counters[n] = ([SERVICES[n % 8], SERVICES[(n + 3) % 8]], username)
    codes = [f"1.{i:06d}" for i in range(200)]
    conn.executemany(
        "INSERT OR IGNORE INTO procedures (code, name_key, name, field, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [(c, f"thu tuc {c}", f"Thủ tục {c}", f"Lĩnh vực {i % FIELDS + 1}", now)
         for i, c in enumerate(codes)],
    )  # fmt: skip
    today = dt.datetime.now(zoneinfo.ZoneInfo(ZONE)).date()
    days = sample.working_days(today - dt.timedelta(days=1), int(WORKING_DAYS * scale) or 1)
    per_day = YEAR_TICKETS // WORKING_DAYS
    n = sample.tickets(conn, days, per_day, SERVICES, counters, ZONE)
    n += sample.tickets(conn, [today], per_day, SERVICES, counters, ZONE, seed=2)
    m = sample.dossiers(conn, days[0], today, int(YEAR_DOSSIERS * scale), codes)
    conn.execute("COMMIT")
    conn.close()
    return n, m


def login(client) -> None:  # type: ignore[no-untyped-def]
    """Log the test client in as the demo admin."""
    page = client.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = client.post(
        "/console/login", data={"username": "admin", "password": "demo-admin", "csrf": csrf}
    )
    assert answer.status_code == 303, answer.status_code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="share of a year to generate")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hub.sqlite3"
        started = time.perf_counter()
        tickets, dossiers = generate(path, args.scale)
        print(f"generated {tickets:,} tickets, {dossiers:,} dossiers"
              f" in {time.perf_counter() - started:.1f} s"
              f" ({path.stat().st_size / 1e6:.0f} MB)")  # fmt: skip
        app = create_app({"db_path": str(path), "timezone": ZONE})
        client = app.test_client()
        login(client)
        today = dt.datetime.now(zoneinfo.ZoneInfo(ZONE)).date()
        year_ago = today - dt.timedelta(days=365)
        started = time.perf_counter()
        answer = client.get(f"/console/reports/?period=range&date={year_ago}&to={today}")
        assert answer.status_code == 200, answer.status_code
        print(f"first year report, building every past day's summary:"
              f" {time.perf_counter() - started:.1f} s")  # fmt: skip
        cases = [
            (kind, group, f"period={kind}&date={today}&group={group}")
            for kind in ("day", "week", "month", "quarter")
            for group in ("service", "counter", "clerk")
        ] + [
            ("year", group, f"period=range&date={year_ago}&to={today}&group={group}")
            for group in ("service", "counter", "clerk")
        ]  # fmt: skip
        worst = 0.0
        for kind, group, query in cases:
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                answer = client.get(f"/console/reports/?{query}")
                best = min(best, time.perf_counter() - t0)
                assert answer.status_code == 200, (query, answer.status_code)
            worst = max(worst, best)
            print(f"  {kind:8s} by {group:8s} {best * 1000:7.0f} ms")
        year = f"period=range&date={year_ago}&to={today}"
        for name, url in (
            ("year, all tables as XLSX", f"/console/reports/export/all.xlsx?{year}"),
            ("month, print view", f"/console/reports/print?period=month&date={today}"),
            ("public statistics", "/thong-ke"),
        ):  # fmt: skip
            t0 = time.perf_counter()
            assert client.get(url).status_code == 200, url
            print(f"  {name:27s} {(time.perf_counter() - t0) * 1000:7.0f} ms")
        print(f"slowest report page: {worst * 1000:.0f} ms (target <= 1000 ms)")
        core.shutdown(app)


if __name__ == "__main__":
    main()
