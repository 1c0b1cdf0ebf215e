"""Bytes per printed ticket, and what they cost on a serial line.

For each printer (python-escpos profile and dot width: 384 for 58 mm, 512 for 80 mm at 180 dpi,
576 for 80 mm at 203 dpi), with and without the printer's own font and QR, it lays out the demo
office's ticket, renders it to ESC/POS through python-escpos and prints: bytes sent (of which
raster), seconds on the wire at 19,200 and 115,200 baud (10 bits a byte: start, 8 data, stop),
and the time to lay out and render the job (median of a few tickets, each with its own QR).
"render+wire" adds the render to the wire time at 115,200 baud: with the hub's answer (see
bench_kiosk.py, tap -> bytes written) that is tap to paper; the target is 8 KB and 2 s.

    PYTHONPATH=. python bench/bench_ticket.py
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time

from appliance.devices.escpos_job import Raster, capabilities_for, job_bytes
from appliance.records import Ticket
from appliance.translations import translator
from kiosk.ticket_layout import ticket_job

BAUDS = (19200, 115200)
BITS_PER_BYTE = 10
RUNS = 5
PRINTERS = [  # (profile, dots, everything drawn)
    ("TM-T20II", 576, False),  # 80 mm, 203 dpi, native QR
    ("TM-T88V", 512, False),  # 80 mm, 180 dpi, native QR
    ("POS-5890", 384, False),  # 58 mm, fonts but no native QR
    ("", 576, True),  # 80 mm, nothing trusted to the printer: all raster
    ("", 384, True),
]
TICKET = Ticket.from_wire(
    {
        "id": 7,
        "number": "B012",
        "service": "B",
        "state": "waiting",
        "service_name_vi": "B – Hộ tịch, chứng thực",
        "service_name_en": "B – Civil status and certification",
        "issued_at": "2026-11-29T07:51:02+07:00",
        "ahead": 1,
        "estimated_wait_s": 540,
        "status_url": "http://hub.local:8080/t/abcdefghijklmnop",
    }
)


def measure(ticket: Ticket, profile: str, dots: int, raster_only: bool) -> dict[str, float]:
    """Bytes, raster bytes and render seconds of ``ticket`` for one printer."""
    t = translator("kiosk")
    caps = capabilities_for(profile, dots, raster_only)
    times, sent, job = [], b"", None
    for run in range(RUNS):
        # a new ticket each time: its own status URL, so its QR code is worked out afresh
        token = f"{run:04d}{ticket.status_url[-12:]}"
        fresh = dataclasses.replace(ticket, status_url=f"{ticket.status_url[:-16]}{token}")
        started = time.perf_counter()
        job = ticket_job(fresh, "UBND huyện Chư Păh", t, caps)
        sent = job_bytes(job)
        times.append(time.perf_counter() - started)
    assert job is not None
    raster = sum(
        (p.image.width + 7) // 8 * p.image.height for p in job.parts if isinstance(p, Raster)
    )
    return {"bytes": len(sent), "raster": raster, "render": statistics.median(times)}


def main() -> int:
    """Print the table for an ordinary ticket and for a priority ticket issued offline."""
    translator("kiosk")  # catalogs loaded before timing
    tickets = {
        "ordinary": TICKET,
        "priority+offline": dataclasses.replace(TICKET, priority=True, offline=True),
    }
    head = f"{'ticket':17} {'printer':10} {'dots':>4} {'mode':7} {'bytes':>6} {'raster':>6}"
    head += "".join(f" {f'{b} bd s':>10}" for b in BAUDS) + f" {'render ms':>9} {'render+wire':>11}"
    print(head)
    for name, ticket in tickets.items():
        for profile, dots, raster_only in PRINTERS:
            m = measure(ticket, profile, dots, raster_only)
            wire = [m["bytes"] * BITS_PER_BYTE / baud for baud in BAUDS]
            mode = "raster" if raster_only else "native"
            row = f"{name:17} {profile or 'generic':10} {dots:>4} {mode:7} "
            row += f"{m['bytes']:>6.0f} {m['raster']:>6.0f}"
            row += "".join(f" {w:>10.2f}" for w in wire)
            row += f" {m['render'] * 1000:>9.0f} {m['render'] + wire[-1]:>11.2f}"
            print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
