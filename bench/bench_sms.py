"""SMS lookup benchmark: a real ``motcua hub`` answering through the fake modem on a pty.

1. Answer time: one message at a time, from the moment the network hands it to the modem
   (``+CMTI``) to the reply committed to the queue (read, decode, record, delete from the SIM,
   look up, queue), measured by polling the hub's database; p50/p95/max.
2. Throughput: a burst of dossier lookups from different numbers with a short send interval, to
   measure what the hub itself adds per SMS; replies per minute at a real modem's 3-6 s per SMS
   are then extrapolated as 60 / (parts per reply x (interval + the hub's own time per SMS)).
   The extrapolation says nothing about the network: a real modem's AT+CMGS takes 1-4 s of that
   interval, which is why the interval is configurable.

Lookups come from the hub's cache (no back end configured). About 30 s.
Run: ``.venv/bin/python bench/bench_sms.py [--messages 40] [--interval 0.1]``.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import db
from hub.dossiers.cache import DossierCache
from hub.sms import pdu
from hub.sms.fake_modem import FakeModem
from hub.sms.messages import unaccented
from hub.testing import HubProcess
from hub.upstream.mapping import Mapping


def _seed(path: Path, count: int) -> list[str]:
    codes = [f"H21.22-261019-{i:04d}" for i in range(1, count + 1)]
    store = db.Store(path)
    db.migrate(store.conn())
    records = [
        Mapping().clean_dossier({"MaHoSo": c, "MaTTHC": "1.001612", "TrangThaiHoSo": 2 + i % 8,
                                 "TenTTHC": "Cấp giấy phép xây dựng",
                                 "NgayTiepNhan": "20261019083000", "NgayHenTra": "20261120170000"})
        for i, c in enumerate(codes)
    ]  # fmt: skip
    DossierCache(store).put_many(records, source="sync")
    store.close()
    return codes


def _wait(check, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit("bench_sms: timed out (see the hub log)")
        time.sleep(0.002)


def main() -> int:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--interval", type=float, default=0.1, help="send interval in the run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        modem = FakeModem(work / "dev" / "ttyUSB0").plug()
        sms = {"enabled": True, "ports": [str(work / "dev" / "ttyUSB*")],
               "send_interval_s": args.interval, "per_number_hour": 1000,
               "per_number_day": 1000}  # fmt: skip
        hub = HubProcess(work / "hub", {"sms": sms})
        codes = _seed(hub.db_path, args.messages)
        hub.start()
        conn = sqlite3.connect(hub.db_path)
        try:
            _wait(lambda: modem.commands and "AT+CNMI=2,1,0,0,0" in modem.commands, 15)
            answer_ms = _answer_times(modem, conn, codes[:20])
            _throughput(modem, conn, codes, args.interval)
        finally:
            conn.close()
            hub.stop()
            modem.unplug()
    p = statistics.quantiles(answer_ms, n=20, method="inclusive")
    print(f"answer time, +CMTI to reply queued, {len(answer_ms)} messages one at a time: "
          f"p50 {statistics.median(answer_ms):.0f} ms, p95 {p[18]:.0f} ms, "
          f"max {max(answer_ms):.0f} ms")  # fmt: skip
    return 0


UNSENT = "SELECT count(*) FROM sms_messages WHERE direction = 'out' AND state != 'sent'"


def _queued(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM sms_messages WHERE direction = 'out'").fetchone()[0]


def _answer_times(modem: FakeModem, conn: sqlite3.Connection, codes: list[str]) -> list[float]:
    out = []
    for i, code in enumerate(codes):
        before = _queued(conn)
        started = time.perf_counter()
        modem.deliver(f"+849100{i:05d}", f"HS {code}")
        _wait(lambda b=before: _queued(conn) > b, 10)
        out.append((time.perf_counter() - started) * 1000)
        _wait(lambda c=conn: c.execute(UNSENT).fetchone()[0] == 0, 20)
    return out


def _throughput(
    modem: FakeModem, conn: sqlite3.Connection, codes: list[str], interval: float
) -> None:
    sent_before = len(modem.sent)
    started = time.perf_counter()
    for i, code in enumerate(codes):
        modem.deliver(f"+849200{i:05d}", f"HS {code}")
    _wait(lambda: len(modem.replies_to(f"+849200{len(codes) - 1:05d}")) >= 1, 120)
    with contextlib.suppress(Exception):
        _wait(lambda: all(modem.replies_to(f"+849200{i:05d}") for i in range(len(codes))), 30)
    elapsed = time.perf_counter() - started
    parts = len(modem.sent) - sent_before
    per_sms = elapsed / parts
    own = max(0.0, per_sms - interval)
    per_reply = parts / len(codes)
    # The same replies without accents (what [sms] unaccented sends), counted in GSM 7-bit SMS.
    texts = [r for i in range(len(codes)) for r in modem.replies_to(f"+849200{i:05d}")]
    plain = sum(len(pdu.split_text(unaccented(t), pdu.GSM7)) for t in texts) / len(texts)
    print(f"throughput: {len(codes)} Vietnamese (UCS-2) replies = {parts} SMS in {elapsed:.1f} s "
          f"at a {interval:.2f} s interval: {per_sms * 1000:.0f} ms per SMS, of which the hub "
          f"and fake modem {own * 1000:.0f} ms")  # fmt: skip
    for delay in (3.0, 4.0, 6.0):
        ucs2 = 60 / (per_reply * (delay + own))
        gsm = 60 / (plain * (delay + own))
        print(f"  extrapolated at {delay:.0f} s per SMS: {ucs2:.1f} replies/min in Vietnamese "
              f"({per_reply:.1f} SMS each), {gsm:.1f} unaccented ({plain:.1f} each)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
