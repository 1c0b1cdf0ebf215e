"""Stream and slow-client benchmark: a thousand open event streams and hostile sockets under load.

Starts a real ``motcua hub`` with 21 counters and measures, under the 20-client load of
``bench_queue`` (each clerk alternating "issue a ticket" and "call next"):

1. without streams: operations/s, and ``/healthz`` answered on a fresh connection (p50, p99);
2. with 1,000 open event streams (100 following ``ticket,counter``, so every event of the load,
   900 following ``counter``): the same figures, plus a change at counter 21 (pause/resume) →
   its ``counter.updated`` received at all 1,000 streams (p50, p99), and the hub's memory;
3. with the streams and the load still on, 200 slowloris sockets (headers trickled, never
   finished) and 300 POSTs that declare ``Content-Length: 1000`` and send 1 byte: ``/healthz``
   and a ticket issue answered meanwhile (p50, p99, max), and what the hostile sockets got.

The 1,000 streams are read in a child process (one selector thread), so their reading does not
take the interpreter lock from the load generator. Every stream's bytes are read; only the
ones following every ticket event see much traffic, as on a site (a display follows tickets,
most appliances follow their own counter).

Run: ``.venv/bin/python bench/bench_streams.py [--streams 1000] [--seconds 8]``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing
import os
import selectors
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_queue import clerk_plans, drive, memory, office, request_bytes
from hub.testing import HubProcess

COUNTERS = 20  # the load's; counter 21 is the probe's
OFFICE = office(COUNTERS + 1)
FULL_RATE = 100  # streams that follow every ticket event


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def figures(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (
        f"p50 {statistics.median(values):.1f} ms, p99 {percentile(values, 99):.1f} ms, "
        f"max {max(values):.1f} ms ({len(values)} samples)"
    )


# --- the streams, in a child process ---------------------------------------------------------


def hold_streams(
    port: int, count: int, full_rate: int, conn: multiprocessing.connection.Connection
) -> None:
    """Open ``count`` streams, report when all have their opening message, then timestamp every
    ``counter.updated`` arrival per event id until told to stop; send those back."""
    selector = selectors.DefaultSelector()
    opened = 0
    arrivals: dict[int, list[float]] = {}
    for i in range(count):
        topics = "ticket,counter" if i < full_rate else "counter"
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(f"GET /api/v1/events?topics={topics} HTTP/1.1\r\nHost: hub\r\n\r\n".encode())
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, {"buf": bytearray(), "open": False})
    reported = False
    while not conn.poll():
        for key, _ in selector.select(0.1):
            now = time.perf_counter()
            try:
                data = key.fileobj.recv(262144)
            except BlockingIOError:
                continue
            if not data:
                selector.unregister(key.fileobj)
                continue
            state = key.data
            buf = state["buf"]
            buf += data
            if not state["open"] and b"retry: 2000" in buf:
                state["open"] = True
                opened += 1
            at = 0
            while True:
                hit = buf.find(b"event: counter.updated", at)
                if hit < 0:
                    break
                start = buf.rfind(b"id: ", 0, hit)
                event_id = int(buf[start + 4 : buf.index(b"\n", start)])
                arrivals.setdefault(event_id, []).append(now)
                at = hit + 1
            keep = buf.rfind(b"\n\n")
            if keep >= 0:
                del buf[: keep + 2]
        if opened == count and not reported:
            conn.send(("opened", opened))
            reported = True
    conn.recv()
    conn.send(("arrivals", arrivals, opened))


class Streams:
    """:func:`hold_streams` in a child process."""

    def __init__(self, port: int, count: int, full_rate: int) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=hold_streams, args=(port, count, full_rate, child), daemon=True
        )
        self.proc.start()

    def wait_open(self, timeout: float) -> bool:
        return self.conn.poll(timeout) and self.conn.recv()[0] == "opened"

    def arrivals(self) -> tuple[dict[int, list[float]], int]:
        self.conn.send("stop")
        _, arrivals, opened = self.conn.recv()
        self.proc.join(5)
        return arrivals, opened


# --- probes, in threads of this process ------------------------------------------------------


class ProbeProcess:
    """A probe run in a child process, one step every ``every_s``, so that the load generator
    in this process does not delay its timing by holding the interpreter lock."""

    every_s = 0.05

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, self._child = ctx.Pipe()
        self._proc = ctx.Process(target=self._loop, daemon=True)
        self.samples: list[float] = []

    def start(self) -> None:
        self._proc.start()

    def _loop(self) -> None:
        while not self._child.poll():
            began = time.perf_counter()
            self.step(began)
            time.sleep(max(0.0, self.every_s - (time.perf_counter() - began)))
        self._child.send(self.samples)

    def step(self, began: float) -> None:
        raise NotImplementedError

    def stop(self) -> list[float]:
        """What the probe measured."""
        self._conn.send("stop")
        samples = self._conn.recv()
        self._proc.join(5)
        return samples


class Prober(ProbeProcess):
    """Sends one request every ``every_s`` on a fresh connection and times its answer (ms);
    an answer that is not a 2xx is a sample of 5,000 ms."""

    def __init__(self, port: int, request: bytes, every_s: float = 0.05) -> None:
        super().__init__()
        self.port, self.request, self.every_s = port, request, every_s

    def step(self, began: float) -> None:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                sock.sendall(self.request)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise OSError("closed")
                    data += chunk
            ok = data[9:10] == b"2"
        except OSError:
            ok = False
        self.samples.append((time.perf_counter() - began) * 1000 if ok else 5000.0)


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n".encode()


class ChangeProbe(ProbeProcess):
    """Pauses and resumes counter 21 every ``every_s``; the time each change was sent."""

    every_s = 0.1

    def __init__(self, hub: HubProcess, clerk: str) -> None:
        super().__init__()
        self.port = hub.port
        self.headers = {"Authorization": f"Bearer {clerk}", "Content-Type": "application/json"}
        self.action = "pause"
        self.conn: http.client.HTTPConnection | None = None

    def step(self, began: float) -> None:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        self.conn.request("POST", f"/api/v1/counters/21/{self.action}", b"", self.headers)
        answer = self.conn.getresponse()
        answer.read()
        if answer.status == 200:
            self.samples.append(began)
        # A 409 (already paused, say, from the last run) only means: the other way now.
        self.action = "resume" if self.action == "pause" else "pause"


def change_latency(sent: list[float], arrivals: dict[int, list[float]], count: int) -> tuple:
    """Per change (in order) the ms until each stream had it; changes not at every stream."""
    ids = sorted(arrivals)[-len(sent) :] if sent else []
    samples: list[float] = []
    short = 0
    for began, event_id in zip(sent, ids, strict=False):
        times = arrivals[event_id]
        short += len(times) < count
        samples += [(t - began) * 1000 for t in times]
    return samples, short


# --- hostile sockets -------------------------------------------------------------------------


class Hostile(threading.Thread):
    """200 slowloris sockets (a header line byte by byte, never the blank line) and 300 POSTs
    that declare 1,000 bytes and send 1; what each kind got back."""

    def __init__(self, port: int, slowloris: int, slow_posts: int, seconds: float) -> None:
        super().__init__(daemon=True)
        self.port, self.seconds = port, seconds
        self.loris = [self._open(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Wait: ")
                      for _ in range(slowloris)]  # fmt: skip
        head = (b"POST /api/v1/tickets HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n{")  # fmt: skip
        self.posts = [self._open(head) for _ in range(slow_posts)]
        self.loris_dropped = 0
        self.post_answers: dict[str, int] = {}

    def _open(self, first: bytes) -> socket.socket | None:
        try:
            # From another loopback address: the hub caps unfinished requests per address, and
            # the load's clients, on 127.0.0.1, are not the attacker.
            sock = socket.create_connection(
                ("127.0.0.1", self.port), timeout=5, source_address=("127.0.0.2", 0)
            )
            sock.sendall(first)
            sock.setblocking(False)
            return sock
        except OSError:
            return None

    def run(self) -> None:
        end = time.monotonic() + self.seconds
        while time.monotonic() < end:
            for sock in self.loris:
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.send(b"a")
            time.sleep(1.0)
        for sock in self.loris:
            if sock is None:
                continue
            try:
                self.loris_dropped += sock.recv(1) == b"" or 0
            except BlockingIOError:
                pass
            except OSError:
                self.loris_dropped += 1
            sock.close()
        for sock in self.posts:
            answer = "none"
            if sock is not None:
                with contextlib.suppress(OSError):
                    data = sock.recv(64)
                    answer = data[9:12].decode() if data else "closed"
                sock.close()
            self.post_answers[answer] = self.post_answers.get(answer, 0) + 1


# --- main ------------------------------------------------------------------------------------


def with_streams(
    hub: HubProcess, plans: list, probe_clerk: str, count: int, full_rate: int, seconds: float
) -> tuple[Streams, dict[str, object]]:
    """Open ``count`` streams (``full_rate`` of them on every ticket event), run the load with
    the probes; the streams (still open) and the figures."""
    opening = time.monotonic()
    streams = Streams(hub.port, count, full_rate)
    if not streams.wait_open(60):
        raise RuntimeError("not every stream got its opening message within 60 s")
    found: dict[str, object] = {"open_s": time.monotonic() - opening}
    healthz = Prober(hub.port, get("/healthz"))
    change = ChangeProbe(hub, probe_clerk)
    healthz.start()
    change.start()
    done, elapsed = drive(hub.port, plans, seconds)
    found["healthz"] = healthz.stop()
    found["sent"] = change.stop()
    found["rate"] = done / elapsed
    found["memory"] = memory(hub)
    return streams, found


def report(title: str, found: dict, rate_without: float, count: int) -> None:
    """Print one phase's figures against the targets."""
    samples, short = change_latency(found["sent"], found["arrivals"], count)
    mem = found["memory"]
    print(f"{title}: opened in {found['open_s']:.1f} s (every one had its opening message)")
    print(f"  20-client load: {found['rate']:.0f} ops/s = {100 * found['rate'] / rate_without:.0f}"
          f" % of without (target >= 80 %); /healthz {figures(found['healthz'])} "
          f"(target p99 <= 50 ms)")  # fmt: skip
    print(
        f"  counter change -> counter.updated at all {count} streams: {figures(samples)} over "
        f"{len(found['sent'])} changes, {short} not at every stream (target p99 <= 100 ms)"
    )
    print(
        f"  hub memory: worker resident {mem['rss']:.1f} MB (peak {mem['hwm']:.1f} MB; target "
        f"<= 100 MB); PSS of both processes {mem['pss']:.1f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--full-rate", type=int, default=FULL_RATE, help="streams on every ticket")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each load run")
    parser.add_argument("--hostile-seconds", type=float, default=12.0)
    parser.add_argument("--threads", type=int, default=32, help="the hub's request threads")
    args = parser.parse_args()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        # One address holds every stream; a phase's streams open while the hub may still be
        # letting go of the last phase's, hence twice the count.
        cap = 2 * args.streams + 10
        settings = {
            "login_attempts_per_minute": 1000,
            "streams_per_address": cap,
            "threads": args.threads,
        }
        hub = HubProcess(Path(tmp), settings=settings, office=OFFICE).start()
        try:
            clerks = [hub.clerk_token(n) for n in range(1, COUNTERS + 1)]
            probe_clerk = hub.clerk_token(COUNTERS + 1)
            plans = clerk_plans(hub, clerks)
            drive(hub.port, plans, 1.0)  # warm up

            healthz = Prober(hub.port, get("/healthz"))
            healthz.start()
            done, elapsed = drive(hub.port, plans, args.seconds)
            quiet = healthz.stop()
            rate_without = done / elapsed

            phases = []
            for full_rate in (0, args.full_rate):
                streams, found = with_streams(
                    hub, plans, probe_clerk, args.streams, full_rate, args.seconds
                )
                phases.append(found)
                if full_rate != args.full_rate:
                    found["arrivals"], _ = streams.arrivals()

            hostile = Hostile(hub.port, 200, 300, args.hostile_seconds)
            hostile.start()
            healthz = Prober(hub.port, get("/healthz"))
            issue = Prober(hub.port, request_bytes("/api/v1/tickets", hub.kiosk_token,
                                                   {"service": "A"}), every_s=0.1)  # fmt: skip
            healthz.start()
            issue.start()
            done, elapsed = drive(hub.port, plans, args.hostile_seconds)
            under_attack = healthz.stop()
            issued = issue.stop()
            hostile.join(30)
            rate_attack = done / elapsed
            phases[-1]["arrivals"], still_open = streams.arrivals()
        except Exception:
            said = [line for line in hub.log().splitlines() if "429" not in line]
            print("\n".join(said[-40:]), file=sys.stderr)  # what the hub said, for the failure
            raise
        finally:
            hub.stop()
    load = os.getloadavg()
    took = time.monotonic() - began
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} at the end; hub: granian "
          f"ASGI (1 worker), SQLite WAL, synchronous=FULL; {took:.0f} s")  # fmt: skip
    print(
        f"20-client load without streams: {rate_without:.0f} ops/s; "
        f"/healthz (fresh connection) {figures(quiet)}"
    )
    report(f"{args.streams} streams on topic counter", phases[0], rate_without, args.streams)
    report(f"{args.streams} streams, {args.full_rate} of them on every ticket event too",
           phases[1], rate_without, args.streams)  # fmt: skip
    print(
        f"200 slowloris + 300 slow POSTs from 127.0.0.2, with those streams and the load on: "
        f"{rate_attack:.0f} ops/s; /healthz {figures(under_attack)}; ticket issue "
        f"{figures(issued)} (target: answered within 100 ms)"
    )
    print(
        f"  slowloris sockets closed by the hub within {args.hostile_seconds:.0f} s: "
        f"{hostile.loris_dropped}/200; slow POSTs answered: {hostile.post_answers}; streams "
        f"still open at the end: {still_open}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
