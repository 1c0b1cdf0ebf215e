"""Incremental sync benchmark: 100,000 changed dossiers from a back end into the hub's cache.

Starts ``motcua upstream-sim`` with 100,000 dossiers as a real process, then times one
:meth:`SyncWorker.run_once` from an empty cursor into a fresh hub database: HTTP pages in the
portal's field names, cleaning, masking, and committed upserts with the cursor. The simulator
runs on the same machine and its work (building each page) is inside the figure.
Target: <= 60 s. Run: ``.venv/bin/python bench/bench_sync.py [--dossiers 100000]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import db
from hub.dossiers.cache import DossierCache
from hub.upstream.http import HttpAdapter
from hub.upstream.sync import SyncWorker
from hub.upstream.testing import SimProcess


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    args = parser.parse_args()
    print(f"starting upstream-sim with {args.dossiers:,} dossiers ...", flush=True)
    sim = SimProcess(dossiers=args.dossiers, seed=2026)
    try:
        with tempfile.TemporaryDirectory() as folder:
            store = db.Store(Path(folder) / "hub.sqlite3")
            db.migrate(store.conn())
            cache = DossierCache(store)
            worker = SyncWorker(HttpAdapter(sim.url, page_timeout_s=60), cache)
            report = worker.run_once()
            rate = report.dossiers / report.seconds
            print(f"\n== incremental sync from an empty cursor ({report.pages} pages of 500)")
            print(
                f"{report.dossiers:,} changed dossiers in {report.seconds:.1f} s"
                f" ({rate:,.0f}/s), {report.rejected} refused; cached: {cache.count():,}"
            )
            started = time.monotonic()
            again = worker.run_once()
            print(
                f"next pass (nothing new): {again.dossiers} dossiers,"
                f" {time.monotonic() - started:.3f} s"
            )
            store.close()
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
