"""Outbox benchmark: how fast a backlog drains to the back end, and what queueing costs the writer.

Starts ``motcua upstream-sim`` as a real process on 127.0.0.1; for each batch size, builds a hub
app on a seeded copy of the demo office with ``[outbox] url`` pointing at it and issues a day's
worth of tickets through the queue's writer (from 8 threads, so batches form as under load)
while the delivery is stopped: the backlog a hub holds after a day with its back end away. The
time spent queueing items inside the writer's transactions is added up. Then it starts the
delivery and times until every item is marked delivered (each batch's mark is a committed
write). The simulator runs on the same machine and its work (parsing, keeping each key) is
inside the figure.

Run: ``.venv/bin/python bench/bench_outbox.py [--tickets 5000]``.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import core, create_app, demo
from hub.auth.access import Principal
from hub.outbox.setup import start_outbox
from hub.testing import seed_copy
from hub.upstream.testing import SimProcess


def build(folder: Path, settings: dict[str, Any]) -> Any:
    office = copy.deepcopy(demo.OFFICE)
    for service in office["services"]:
        service.pop("daily_limit", None)
    folder.mkdir(parents=True)
    path = folder / "hub.sqlite3"
    seed_copy(path, office)
    app = create_app({"db_path": str(path), **settings})
    app.extensions["motcua.writer"].start()
    return app


def timed_hook(app: Any) -> list[float]:
    """Wrap the writer's outbox hook to add up the time spent in it: [seconds, batches]."""
    writer = app.extensions["motcua.writer"]
    hook, spent = writer.before_commit, [0.0, 0.0]

    def timed(conn: Any, batch: Any) -> None:
        began = time.perf_counter()
        hook(conn, batch)
        spent[0] += time.perf_counter() - began
        spent[1] += 1

    writer.before_commit = timed
    return spent


def issue(app: Any, tickets: int, threads: int = 8) -> float:
    """Issue ``tickets`` through the writer from ``threads`` threads; seconds taken."""
    writer, engine = app.extensions["motcua.writer"], app.extensions["motcua.engine"]
    kiosk = Principal(role="kiosk", device_id=1)
    services = "ABCD"

    def work(n: int) -> None:
        for i in range(tickets // threads):
            service = services[(n + i) % 4]
            writer.run(lambda tx, s=service: engine.issue(tx, kiosk, s, False, None))

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - started


def pending(app: Any) -> int:
    conn = app.extensions["motcua.store"].conn()
    return conn.execute("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]


def drain(app: Any, timeout: float = 120.0) -> float:
    """Start the delivery and wait until nothing is left; seconds taken."""
    started = time.perf_counter()
    start_outbox(app)
    deadline = time.monotonic() + timeout
    while pending(app):
        if time.monotonic() > deadline:
            raise SystemExit(f"the backlog did not drain within {timeout:.0f} s")
        time.sleep(0.01)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=5000)
    args = parser.parse_args()
    sim = SimProcess(dossiers=10, seed=1)
    try:
        with tempfile.TemporaryDirectory() as folder:
            runs = []
            for batch in (100, 10, 1):
                outbox = {"url": f"{sim.url}/api/outbox", "batch_size": batch, "poll_s": 0.05}
                app = build(Path(folder) / f"batch{batch}", {"outbox": outbox})
                timer = timed_hook(app)
                on_s = issue(app, args.tickets)
                spent = list(timer)  # the issuing only (the drain's marks commit through it too)
                busy = app.extensions["motcua.writer"].busy_s
                items = pending(app)
                seconds = drain(app)
                delivery = app.extensions["motcua.outbox"]
                runs.append((batch, items, seconds, delivery.requests, on_s, spent, busy))
                core.shutdown(app)
        report = sim.get("/sim/outbox")
    finally:
        sim.stop()
    print(f"\n== issuing {args.tickets:,} tickets through the writer (8 threads), outbox on")
    for _, _, _, _, on_s, (hook_s, batches), busy in runs:
        print(f"{args.tickets / on_s:,.0f} tickets/s; queueing the items took"
              f" {hook_s / batches * 1e6:,.0f} us per batch ({batches:,.0f} batches),"
              f" {hook_s / args.tickets * 1e6:,.1f} us per ticket,"
              f" {100 * hook_s / busy:.1f} % of the writer's busy time")  # fmt: skip
    print("\n== draining the backlog to upstream-sim over HTTP on 127.0.0.1")
    for batch, items, seconds, requests, *_ in runs:
        rate = items / seconds
        print(f"batch {batch:>3}: {items:,} items in {seconds:.2f} s = {rate:,.0f} items/s"
              f" ({requests:,} requests)")  # fmt: skip
    print(f"\nupstream-sim holds {report['count']:,} items, {report['duplicates']:,} repeats"
          " recognized by key")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
