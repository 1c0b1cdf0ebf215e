"""Queue benchmark: event fan-out latency, durable throughput, and the hub's memory under load.

Starts a real ``motcua hub`` (granian's supervisor and one worker; SQLite with synchronous=FULL)
with 20 counters, then measures:

1. call-next → ``ticket.called`` received by every one of 100 SSE subscribers (p50, p99);
2. sustained operations per second over HTTP: 20 concurrent keep-alive clients, each a clerk
   alternating "issue a ticket" (as the kiosk) and "call next" at its own counter; every answer
   is a committed, fsynced change, and checked;
3. the hub's memory under that load: the proportional set size of its two processes added up
   (shared pages counted once), and the worker's resident set; again with the 100 subscribers.

Run: ``.venv/bin/python bench/bench_queue.py [--seconds 10]`` (``make bench`` runs it).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
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

from hub.testing import HubProcess

COUNTERS = 20
SUBSCRIBERS = 100
SERVICES = ["A", "B", "C", "D"]


def office(counters: int) -> dict[str, list[dict[str, object]]]:
    """The benches' office: four services, ``counters`` counters each serving all four, each
    starting with a different one."""
    return {
        "services": [
            {"code": c, "prefix": c, "name_vi": f"Dịch vụ {c}", "name_en": f"Service {c}"}
            for c in SERVICES
        ],
        "counters": [
            {"number": n, "name": f"Quầy {n}", "services": SERVICES[n % 4 :] + SERVICES[: n % 4]}
            for n in range(1, counters + 1)
        ],
    }


OFFICE = office(COUNTERS)


class Client:
    """One keep-alive HTTP connection speaking JSON."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, body: object = None, token: str | None = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = b"" if body is None else json.dumps(body).encode()
        self.conn.request("POST", path, body=data, headers=headers)
        answer = self.conn.getresponse()
        return answer.status, answer.read()


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in kB."""
    found = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    return found


class Subscribers:
    """Many SSE connections read by one selector thread, timestamping each event's arrival."""

    def __init__(self, port: int, count: int) -> None:
        self.selector = selectors.DefaultSelector()
        self.arrivals: dict[int, list[float]] = {}  # event id -> arrival times
        self.lock = threading.Lock()
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port))
            request = f"GET /api/v1/events?topics=ticket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
            sock.sendall(request.encode())
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ, bytearray())
            self.sockets.append(sock)
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while self.running:
            for key, _ in self.selector.select(0.2):
                now = time.perf_counter()
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    self.selector.unregister(key.fileobj)
                    continue
                buf: bytearray = key.data
                buf += data
                # Only ticket.called matters; find each complete "id: N\nevent: ticket.called".
                while True:
                    end = buf.find(b"\n\n")
                    if end < 0:
                        break
                    message = bytes(buf[:end])
                    del buf[: end + 2]
                    if b"event: ticket.called" in message:
                        start = message.find(b"id: ")
                        event_id = int(message[start + 4 : message.index(b"\n", start)])
                        with self.lock:
                            self.arrivals.setdefault(event_id, []).append(now)

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        for sock in self.sockets:
            sock.close()


def bench_latency(hub: HubProcess, subs: Subscribers, clerk: str, rounds: int) -> list[float]:
    """Latency samples (ms) from sending call-next to each subscriber receiving the event."""
    kiosk = Client(hub.port, hub.kiosk_token)
    client = Client(hub.port, clerk)
    for _ in range(rounds):
        kiosk.post("/api/v1/tickets", {"service": "A"})
    samples: list[float] = []
    for _ in range(rounds):
        sent = time.perf_counter()
        status, body = client.post("/api/v1/counters/1/call-next")
        assert status == 200, body
        # The event id is not in the answer; the subscribers see exactly one ticket.called per call.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with subs.lock:
                done = [e for e, times in subs.arrivals.items() if len(times) >= SUBSCRIBERS]
                if done:
                    event_id = done[0]
                    times = subs.arrivals.pop(event_id)
                    break
            time.sleep(0.0005)
        else:
            raise RuntimeError("an event did not reach every subscriber within 5 s")
        samples += [(t - sent) * 1000 for t in times]
        time.sleep(0.01)
    return samples


def request_bytes(path: str, token: str, body: object = None) -> bytes:
    """One HTTP/1.1 POST, encoded once and sent as often as needed."""
    data = b"" if body is None else json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


def drive(port: int, plans: list[list[tuple[bytes, int]]], seconds: float) -> tuple[int, float]:
    """(answers, seconds): one keep-alive connection per plan, each with one request in flight,
    cycling through its plan of (request, expected status); every answer is checked.

    One thread and pre-encoded requests, as wrk does: twenty Python client threads would take
    much of the second core (and the interpreter lock) from the server being measured.
    """
    selector = selectors.DefaultSelector()
    clients = []
    for plan in plans:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client = {"sock": sock, "plan": plan, "step": 0, "buf": b"", "done": 0}
        selector.register(sock, selectors.EVENT_READ, client)
        clients.append(client)
    begin = time.perf_counter()
    stop_at = begin + seconds
    for client in clients:
        client["sock"].sendall(client["plan"][0][0])
    active = len(clients)
    while active:
        for key, _ in selector.select(10):
            client = key.data
            chunk = client["sock"].recv(65536)
            if not chunk:
                raise RuntimeError("the server closed a connection")
            client["buf"] += chunk
            buf = client["buf"]
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                continue
            head = buf[:end].lower()
            at = head.find(b"content-length:")
            if at < 0:
                raise RuntimeError(f"an answer without Content-Length: {head[:200]!r}")
            length = int(head[at + 15 :].split(b"\r\n", 1)[0])
            if len(buf) < end + 4 + length:
                continue
            status = int(buf[9:12])
            expected = client["plan"][client["step"]][1]
            if status != expected:
                raise RuntimeError(f"expected {expected}, got {buf[: end + 4 + length]!r}")
            client["buf"] = buf[end + 4 + length :]
            client["done"] += 1
            if time.perf_counter() >= stop_at:
                selector.unregister(client["sock"])
                active -= 1
                continue
            client["step"] = (client["step"] + 1) % len(client["plan"])
            client["sock"].sendall(client["plan"][client["step"]][0])
    elapsed = time.perf_counter() - begin
    for client in clients:
        client["sock"].close()
    return sum(c["done"] for c in clients), elapsed


def clerk_plans(hub: HubProcess, clerks: list[str]) -> list[list[tuple[bytes, int]]]:
    """Per clerk: issue a ticket (as the kiosk), then call the next one at its own counter."""
    return [
        [
            (request_bytes("/api/v1/tickets", hub.kiosk_token, {"service": SERVICES[i % 4]}), 201),
            (request_bytes(f"/api/v1/counters/{i + 1}/call-next", clerk), 200),
        ]
        for i, clerk in enumerate(clerks)
    ]


def bare_app(db: str, _target: str = "") -> object:
    """For comparison: a bare Flask endpoint doing one durable SQLite commit."""
    import sqlite3

    from flask import Flask, jsonify, request

    app = Flask(__name__)
    local = threading.local()
    lock = threading.Lock()

    def conn() -> sqlite3.Connection:
        if not hasattr(local, "conn"):
            local.conn = sqlite3.connect(db, isolation_level=None)
            local.conn.execute("PRAGMA journal_mode=WAL")
            local.conn.execute("PRAGMA synchronous=FULL")
        return local.conn

    conn().execute("CREATE TABLE IF NOT EXISTS t (body TEXT)")

    @app.post("/api/v1/tickets")
    def bare():
        body = request.get_json()
        with lock:
            c = conn()
            c.execute("BEGIN IMMEDIATE")
            c.execute("INSERT INTO t VALUES (?)", (json.dumps(body),))
            c.execute("COMMIT")
        return jsonify({"ok": True}), 201

    return asgi_front(app)


def asgi_front(app: object) -> object:
    """``app`` behind what the hub's front does for a request: its body read on the event
    loop, then the WSGI app in a pool thread, the answer sent whole."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from hub.config import HubConfig
    from hub.front import call_wsgi

    pool = ThreadPoolExecutor(HubConfig().threads)

    async def asgi(scope: dict, receive, send) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        loop = asyncio.get_running_loop()
        status, headers, payload = await loop.run_in_executor(pool, call_wsgi, app, scope, body)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return asgi


def baseline_server(port: int, db: str) -> None:
    """:func:`bare_app` under the hub's server, configured as the hub configures it."""
    import functools

    from hub.config import HubConfig
    from hub.server import build_server

    server = build_server(HubConfig(port=port))
    server.serve(target_loader=functools.partial(bare_app, db))


class Baseline:
    """:func:`baseline_server` in its own process, and its rate under the same 20 clients."""

    def __init__(self, tmp: str) -> None:
        import subprocess

        from hub.testing import free_port

        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--baseline-server", str(self.port), f"{tmp}/bare.sqlite3"],
            stdout=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.close()
                    raise
                time.sleep(0.1)

    def rate(self, seconds: float) -> float:
        """Requests per second over ``seconds``."""
        plan = [(request_bytes("/api/v1/tickets", "x", {"service": "A"}), 201)]
        done, elapsed = drive(self.port, [plan] * COUNTERS, seconds)
        return done / elapsed

    def close(self) -> None:
        import signal

        self.proc.terminate()
        try:
            self.proc.wait(10)
        finally:
            with contextlib.suppress(ProcessLookupError):  # the worker, should it linger
                os.killpg(self.proc.pid, signal.SIGKILL)


def memory(hub: HubProcess) -> dict[str, float]:
    """The hub's memory in MB: every process's proportional share (shared pages counted once)
    added up, and the worker's resident set and its peak."""
    pss = 0
    for pid in hub.pids():
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            pss += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    worker = memory_kb(hub.pids()[-1])
    return {"pss": pss / 1024, "rss": worker["VmRSS"] / 1024, "hwm": worker["VmHWM"] / 1024}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="throughput run length")
    parser.add_argument("--rounds", type=int, default=200, help="call-next rounds for latency")
    parser.add_argument("--baseline-server", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_server:
        baseline_server(int(args.baseline_server[0]), args.baseline_server[1])
        return 0
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        bare = Baseline(tmp)
        hub = HubProcess(
            Path(tmp),
            settings={"login_attempts_per_minute": 1000, "streams_per_address": 1000},
            office=OFFICE,
        ).start()
        try:
            clerks = [hub.clerk_token(n) for n in range(1, COUNTERS + 1)]
            # A backlog so call-next never finds the line empty during the throughput runs.
            backlog = Client(hub.port, hub.kiosk_token)
            for i in range(600):
                backlog.post("/api/v1/tickets", {"service": SERVICES[i % 4]})
            plans = clerk_plans(hub, clerks)
            # Hub and baseline in turns, so both see the same machine (others share it).
            ops, elapsed, baselines = 0, 0.0, []
            for _ in range(3):
                n, t = drive(hub.port, plans, args.seconds / 3)
                ops, elapsed = ops + n, elapsed + t
                baselines.append(bare.rate(args.seconds / 3))
            baseline = statistics.median(baselines)
            memory1 = memory(hub)
            subs = Subscribers(hub.port, SUBSCRIBERS)
            time.sleep(1.0)  # let every stream open
            latency = bench_latency(hub, subs, clerks[0], args.rounds)
            ops2, elapsed2 = drive(hub.port, plans, args.seconds / 3)
            memory2 = memory(hub)
            subs.close()
        finally:
            hub.stop()
            bare.close()
    cpu = os.cpu_count()
    load = os.getloadavg()[0]
    print(f"machine: {cpu} cores, load average {load:.1f} at the end; hub: granian (1 worker),"
          " SQLite WAL, synchronous=FULL")  # fmt: skip
    print(
        f"call-next -> event at all {SUBSCRIBERS} SSE subscribers: "
        f"p50 {statistics.median(latency):.1f} ms, p99 {percentile(latency, 99):.1f} ms "
        f"({len(latency)} samples; target p99 <= 20 ms)"
    )
    print(
        f"durable operations over HTTP, 20 clients alternating issue/call-next: "
        f"{ops / elapsed:.0f} ops/s ({ops} in {elapsed:.1f} s; target >= 1000/s)"
    )
    print(
        f"  the same with the {SUBSCRIBERS} SSE subscribers connected: {ops2 / elapsed2:.0f} ops/s;"
        f" for scale, a bare Flask endpoint doing one durable commit (same server and clients,"
        f" measured in turns with the hub): {baseline:.0f}/s"
    )
    print(
        f"hub memory under that load: {memory1['pss']:.1f} MB in all (PSS of supervisor and"
        f" worker; target <= 80 MB), worker resident {memory1['rss']:.1f} MB;"
        f" with the {SUBSCRIBERS} subscribers too: {memory2['pss']:.1f} MB in all, worker peak"
        f" {memory2['hwm']:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
