"""Dossier lookup and procedure search benchmark.

1. Dossier lookup with 1,000,000 cached dossiers: p50/p99 in-process (the lookup service over
   the SQLite cache) and over HTTP (a real ``motcua hub`` process, one keep-alive client, and
   four concurrent ones). Target: p99 <= 5 ms over HTTP.
2. Procedure search over 5,000 procedures (the 1,601 real ones and 3,399 variants of them),
   with and without diacritics, whole words and prefixes: p50/p99 in-process and over HTTP.
   Target: p99 <= 20 ms.

The million-dossier database is built once under ``var/bench/`` (about a minute) and reused.
Run: ``.venv/bin/python bench/bench_lookup.py [--dossiers 1000000] [--requests 5000]``.
"""

from __future__ import annotations

import argparse
import http.client
import random
import shutil
import sys
import threading
import time
import zoneinfo
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import db
from hub.catalogue.procedures import Catalogue
from hub.dossiers.cache import DossierCache
from hub.dossiers.lookup import LookupService
from hub.testing import start_hub
from hub.upstream.fileimport import import_records
from hub.upstream.sim_data import AGENCIES, bundled_procedures

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "giay phep xay dung", "Giấy phép xây dựng", "dang ky khai sinh", "đăng ký kết hôn", "ho tich",
    "cap lai", "thue", "dat dai", "chung thuc ban sao", "g", "gi", "giay", "giay p",
    "ĐĂNG KÝ", "doanh nghiep", "thanh lap", "cap giay chung nhan quyen su dung dat", "1.00",
    "xuat nhap canh", "ho chieu", "y te", "giao duc", "lao dong", "bao hiem", "khai tu",
]  # fmt: skip


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {ordered[-1] * 1000:.1f} ms (n={len(ordered)})"


def codes(count: int, seed: int = 1) -> list[str]:
    """``count`` distinct, valid dossier codes spread over agencies and days."""
    rng = random.Random(seed)
    per_day = 200
    out = []
    for i in range(count):
        agency = AGENCIES[i % len(AGENCIES)]
        day = 1 + (i // (per_day * len(AGENCIES)))
        date = time.strftime("%y%m%d", time.gmtime(1672531200 + day * 86400))
        out.append(f"{agency[0]}-{date}-{(i // len(AGENCIES)) % per_day + 1:0{agency[3]}d}")
    rng.shuffle(out)
    return out


def build_dossiers(path: Path, count: int) -> list[str]:
    """A hub database with ``count`` cached dossiers (reused when it already has them)."""
    all_codes = codes(count)
    store = db.Store(path)
    db.migrate(store.conn())
    cache = DossierCache(store)
    have = cache.count()
    if have != count:
        print(f"building {count} cached dossiers in {path} (once) ...", flush=True)
        with store.write() as conn:
            conn.execute("DELETE FROM dossiers")
        started = time.monotonic()
        rng = random.Random(2)
        batch = []
        for i, code in enumerate(all_codes, 1):
            status = rng.choice([2, 4, 4, 4, 5, 6, 9, 10, 10, 10])
            batch.append({
                "code": code, "procedure_code": "1.001612",
                "procedure_name": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
                "applicant_masked": "Nguyễn V** A*", "received_at": "2026-11-05T08:30:00+07:00",
                "due_at": "2026-11-20T17:00:00+07:00", "finished_at": None, "returned_at": None,
                "status": status, "channel": "in_person",
                "steps": [{"name": "Tiếp nhận hồ sơ", "unit": "Bộ phận Một cửa",
                           "started_at": "2026-11-05T08:30:00+07:00",
                           "finished_at": "2026-11-05T10:00:00+07:00"}],
            })  # fmt: skip
            if len(batch) == 20_000 or i == count:
                cache.put_many(batch, source="import")
                batch.clear()
        print(f"  built in {time.monotonic() - started:.0f} s", flush=True)
    store.close()
    return all_codes


def build_procedures(path: Path, count: int) -> None:
    """``count`` procedures: the real ones, then variants with other codes and names."""
    real = bundled_procedures()
    variants = [
        "cấp huyện",
        "trường hợp cấp lại",
        "đối với tổ chức",
        "đối với cá nhân",
        "trực tuyến",
    ]
    records = list(real)
    i = 0
    while len(records) < count:
        base = real[i % len(real)]
        suffix = variants[(i // len(real)) % len(variants)]
        records.append({**base, "code": f"9.{i:06d}", "name": f"{base['name']} ({suffix})"})
        i += 1
    store = db.Store(path)
    db.migrate(store.conn())
    import_records("procedures", records, store)
    store.close()


def http_latencies(port: int, paths: list[str]) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    out = []
    for path in paths:
        started = time.perf_counter()
        conn.request("GET", path)
        answer = conn.getresponse()
        answer.read()
        out.append(time.perf_counter() - started)
        assert answer.status == 200, (path, answer.status)
    conn.close()
    return out


def concurrent(port: int, paths: list[str], clients: int) -> tuple[list[float], float]:
    results: list[list[float]] = [[] for _ in range(clients)]
    chunks = [paths[i::clients] for i in range(clients)]
    threads = [
        threading.Thread(target=lambda k=k: results[k].extend(http_latencies(port, chunks[k])))
        for k in range(clients)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return [x for r in results for x in r], len(paths) / elapsed


def load() -> str:
    """The machine's load averages: other work on a shared box stretches the tail."""
    with open("/proc/loadavg", encoding="ascii") as handle:
        return " ".join(handle.read().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--procedures", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    work = ROOT / "var" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    dossier_db = work / f"dossiers-{args.dossiers}.sqlite3"
    all_codes = build_dossiers(dossier_db, args.dossiers)
    rng = random.Random(3)
    sample = [rng.choice(all_codes) for _ in range(args.requests)]

    print(f"\n== dossier lookup, {args.dossiers:,} cached dossiers (load average {load()})")
    store = db.Store(dossier_db)
    service = LookupService(
        DossierCache(store), None, zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"), stale_after_s=1e12
    )
    for code in sample[:500]:  # warm the page cache
        service.lookup(code)
    timings, cpu = [], []
    for code in sample:
        started, cpu_started = time.perf_counter(), time.thread_time()
        service.lookup(code)
        timings.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - cpu_started)
    store.close()
    print(f"in-process:            {percentiles(timings)}")
    print(f"in-process, CPU time:  {percentiles(cpu)}")

    hub_dir = work / "hub-lookup"
    shutil.rmtree(hub_dir, ignore_errors=True)
    hub_dir.mkdir()
    shutil.copy(dossier_db, hub_dir / "hub.sqlite3")
    build_procedures(hub_dir / "hub.sqlite3", args.procedures)
    settings = {"lookups_per_minute": 100_000_000, "upstream": {"stale_after_s": 1e12}}
    hub = start_hub(hub_dir, settings=settings)
    try:
        paths = ["/api/v1/dossiers/" + quote(c.lower()) for c in sample]
        http_latencies(hub.port, paths[:500])
        print(f"HTTP, 1 client:        {percentiles(http_latencies(hub.port, paths))}")
        lat, rate = concurrent(hub.port, paths, 4)
        print(f"HTTP, 4 clients:       {percentiles(lat)}; {rate:.0f} lookups/s")

        print(
            f"\n== procedure search, {args.procedures:,} procedures, {len(QUERIES)} queries"
            f" (load average {load()})"
        )
        store = db.Store(hub_dir / "hub.sqlite3")
        catalogue = Catalogue(store)
        assert catalogue.count() == args.procedures, catalogue.count()
        # The hub builds its in-memory search index at start; time that once, apart.
        started = time.perf_counter()
        catalogue.prepare()
        print(f"search index built at start: {1000 * (time.perf_counter() - started):.0f} ms")
        rounds = max(1, args.requests // len(QUERIES))
        # The hub remembers answers briefly (kiosks repeat the same prefixes as people type):
        # "first time" forgets before every query, "repeated" is what a busy kiosk mostly sees.
        first, first_cpu, repeated = [], [], []
        for _ in range(rounds):
            for q in QUERIES:
                catalogue.forget()
                started, cpu_started = time.perf_counter(), time.thread_time()
                catalogue.search(q, limit=20)
                first.append(time.perf_counter() - started)
                first_cpu.append(time.thread_time() - cpu_started)
                started = time.perf_counter()
                catalogue.search(q, limit=20)
                repeated.append(time.perf_counter() - started)
        catalogue.forget()
        worst = max(QUERIES, key=lambda q: _time(catalogue, q))
        store.close()
        print(f"in-process, first time: {percentiles(first)}; slowest query {worst!r}")
        print(f"in-process, first, CPU: {percentiles(first_cpu)}")
        print(f"in-process, repeated:   {percentiles(repeated)}")
        # A distinct offset per round makes every HTTP request a first-time search.
        paths = [
            f"/api/v1/procedures?q={quote(q)}&limit=20&offset={r}"
            for r in range(rounds)
            for q in QUERIES
        ]
        print(f"HTTP, first time:       {percentiles(http_latencies(hub.port, paths))}")
        paths = [f"/api/v1/procedures?q={quote(q)}&limit=20" for q in QUERIES] * rounds
        print(f"HTTP, repeated:         {percentiles(http_latencies(hub.port, paths))}")
    finally:
        hub.stop()
    return 0


def _time(catalogue: Catalogue, q: str) -> float:
    catalogue.forget()
    started = time.perf_counter()
    catalogue.search(q, limit=20)
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
