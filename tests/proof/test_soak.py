"""Proof: an office day under load, compressed. 5,000 tickets (a busy office's day) issued at an
even rate over ``MOTCUA_SOAK_S`` seconds (default 600: eight office hours in ten minutes), five
counters calling and finishing them, a display following the event stream, citizens looking
tickets up. The hub must answer every request, lose or repeat no number, and keep its memory
flat once warm. Run by ``make proof``."""

from __future__ import annotations

import http.client
import os
import threading
import time
from urllib.parse import urlsplit

import pytest

from hub.testing import HubProcess

SECONDS = float(os.environ.get("MOTCUA_SOAK_S", "600"))
TICKETS = int(os.environ.get("MOTCUA_SOAK_TICKETS", "5000"))
COUNTERS = (1, 2, 3, 4, 5)
GROWTH_MB = 8.0  # after warming up; the live state holds only today's active tickets


def pss_mb(hub: HubProcess) -> float:
    """The hub's processes' proportional set sizes added up, in MB."""
    total = 0
    for pid in hub.pids():
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    return total / 1024


class Display(threading.Thread):
    """Follows the event stream as the waiting-room display does, counting calls."""

    def __init__(self, url: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.calls, self.error = urlsplit(url), stop, 0, ""

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=60)
        try:
            conn.request("GET", "/api/v1/events?topics=ticket")
            answer = conn.getresponse()
            while not self.stop.is_set():
                line = answer.readline()
                if not line:
                    self.error = "the stream ended"
                    return
                if line.startswith(b"event: ticket.called"):
                    self.calls += 1
        except OSError as exc:
            self.error = str(exc)
        finally:
            conn.close()


@pytest.mark.proof
@pytest.mark.timeout(SECONDS + 600)
def test_an_office_day_compressed_keeps_every_number_and_flat_memory(
    unlimited_hub: HubProcess,
) -> None:
    hub = unlimited_hub
    stop = threading.Event()
    failures: list[str] = []
    issued: list[str] = []
    served: list[str] = []
    clerks = {n: hub.clerk_token(n) for n in COUNTERS}
    display = Display(hub.url, stop)
    display.start()
    services = ("A", "B", "C", "D")

    def kiosk() -> None:
        start = time.monotonic()
        for i in range(TICKETS):
            time.sleep(max(0.0, start + i * SECONDS / TICKETS - time.monotonic()))
            status, body = hub.request(
                "POST", "/api/v1/tickets", {"service": services[i % 4]}, hub.kiosk_token
            )
            if status != 201:
                failures.append(f"issue: {status} {body}")
                continue
            issued.append(body["number"])
            if i % 10 == 0:  # a citizen follows the ticket from its QR code
                seen, _ = hub.request("GET", f"/api/v1/tickets/{body['token']}")
                if seen != 200:
                    failures.append(f"ticket page: {seen}")

    def counter(number: int) -> None:
        path = f"/api/v1/counters/{number}"
        while not stop.is_set():
            status, body = hub.request("POST", f"{path}/call-next", {}, clerks[number])
            if status == 409:  # nobody waiting for this counter's services
                time.sleep(0.05)
                continue
            if status != 200:
                failures.append(f"call-next at {number}: {status} {body}")
                time.sleep(0.2)
                continue
            for action in ("start", "finish"):
                done, answer = hub.request("POST", f"{path}/{action}", {}, clerks[number])
                if done != 200:
                    failures.append(f"{action} at {number}: {done} {answer}")
            served.append(body["ticket"]["number"])

    workers = [threading.Thread(target=counter, args=(n,), daemon=True) for n in COUNTERS]
    for worker in workers:
        worker.start()
    issuing = threading.Thread(target=kiosk, daemon=True)
    issuing.start()
    samples: list[float] = []
    while issuing.is_alive():
        samples.append(pss_mb(hub))
        issuing.join(SECONDS / 20)
    deadline = time.monotonic() + 60
    while len(served) < len(issued) and time.monotonic() < deadline:
        time.sleep(0.2)  # the counters finish the line
    stop.set()
    samples.append(pss_mb(hub))
    for worker in workers:
        worker.join(15)
    print(f"issued {len(issued)}, served {len(served)}, display saw {display.calls} calls; "
          f"memory MB: {[round(s, 1) for s in samples]}")  # fmt: skip
    assert failures == []
    assert len(issued) == TICKETS and len(set(issued)) == TICKETS  # no number repeated
    assert sorted(served) == sorted(issued)  # every ticket called and served once
    assert display.error == "" and display.calls >= len(served)
    warm = samples[len(samples) // 4]
    assert max(samples[len(samples) // 4 :]) - warm <= GROWTH_MB, samples
