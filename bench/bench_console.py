"""Office console benchmark: the dashboard with 60 counters and 5,000 tickets today.

Renders the dashboard's live part (what htmx fetches after every event and every 5 s) and the
whole dashboard page through the Flask app in-process, logged in as an admin, and reports
p50/p99 and the memory the renders added (resident set, before and after). Target: p99 <= 50 ms.
Run: ``.venv/bin/python bench/bench_console.py [--renders 300]``.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import core, create_app, db
from hub.auth import accounts
from hub.auth.access import hash_token
from hub.clock import Clock
from hub.queue import office

COUNTERS = 60
TICKETS = 5000
SERVICES = ["A", "B", "C", "D"]


def build(path: Path, clock: Clock) -> None:
    """An office of 60 counters, each with a clerk and a ticket at it, and 5,000 tickets today."""
    store = db.Store(path)
    db.migrate(store.conn())
    data = {
        "services": [
            {"code": c, "prefix": c, "name_vi": f"{c} – Dịch vụ {c}", "name_en": f"{c} – Service"}
            for c in SERVICES
        ],
        "counters": [
            {"number": n, "services": random.sample(SERVICES, 2)} for n in range(1, COUNTERS + 1)
        ],
    }
    now = clock.now()
    day = clock.today()
    with store.write() as conn:
        office.load(conn, data)
        accounts.ensure_user(conn, "admin", "bench-admin", "admin", "Quản trị viên")
        conn.execute("INSERT INTO days (day, opened_at) VALUES (?, ?)", (day, now - 8 * 3600))
        for n in range(1, COUNTERS + 1):
            conn.execute(
                "UPDATE counters SET state = 'open', clerk_user_id = 1 WHERE number = ?", (n,)
            )
        seq = dict.fromkeys(SERVICES, 0)
        for i in range(TICKETS):
            service = SERVICES[i % 4]
            seq[service] += 1
            issued = now - 8 * 3600 + i * (8 * 3600 / TICKETS)
            if i < TICKETS - 1500:
                state, counter, called = ("done" if i % 20 else "no_show"), 1 + i % 60, issued + 600
            elif i < TICKETS - 1500 + COUNTERS:
                state, counter, called = "serving", 1 + i % 60, now - 120
            else:
                state, counter, called = "waiting", None, None
            conn.execute(
                "INSERT INTO tickets (day, service, seq, number_service, number, token_hash, state,"
                " queued_at, counter, issued_at, called_at, finished_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (day, service, seq[service], service, f"{service}{seq[service]:04d}",
                 hash_token(f"t{i}"), state, issued, counter, issued, called,
                 called + 300 if state in ("done", "no_show") else None),
            )  # fmt: skip
    store.close()


def rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def timed(client, path: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        answer = client.get(path)
        samples.append(time.perf_counter() - start)
        assert answer.status_code == 200, answer.status_code
    return sorted(samples)


def report(name: str, samples: list[float]) -> float:
    p50 = samples[len(samples) // 2] * 1000
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000
    print(f"{name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {samples[-1] * 1000:.1f} ms "
          f"(n={len(samples)})")  # fmt: skip
    return p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--renders", type=int, default=300)
    args = parser.parse_args()
    random.seed(7)
    folder = Path(tempfile.mkdtemp(prefix="bench-console-"))
    clock = Clock("Asia/Ho_Chi_Minh", "06:00")
    path = folder / "hub.sqlite3"
    build(path, clock)
    app = create_app({"db_path": str(path)}, clock=clock)
    try:
        client = app.test_client()
        client.get("/healthz")
        before = rss_kb()
        form = client.get("/console/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        login = {"csrf": csrf, "username": "admin", "password": "bench-admin"}
        assert client.post("/console/login", data=login).status_code == 303
        live = timed(client, "/console/live", args.renders)
        page = timed(client, "/console/", args.renders // 3)
        after = rss_kb()
        print(f"office: {COUNTERS} counters, {TICKETS} tickets today (1,440 waiting)")
        p99 = report("dashboard live part", live)
        report("dashboard page", page)
        grown = (after - before) / 1024
        print(f"resident set: {before / 1024:.1f} MB before the console's first page, "
              f"{after / 1024:.1f} MB after the renders (+{grown:.1f} MB)")  # fmt: skip
        return 0 if p99 <= 50 else 1
    finally:
        core.shutdown(app)


if __name__ == "__main__":
    sys.exit(main())
