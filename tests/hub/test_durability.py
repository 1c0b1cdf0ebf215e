"""Proofs against a real hub process: concurrent clients never duplicate or skip a number, and
``kill -9`` at any moment loses nothing that was acknowledged."""

from __future__ import annotations

import http.client
import json
import random
import sqlite3
import threading
import time
from typing import Any

import pytest

from hub.testing import HubProcess


class Conn:
    """A keep-alive JSON client for one thread."""

    def __init__(self, hub: HubProcess, token: str) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=10)
        self.token = token

    def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        data = b"" if body is None else json.dumps(body).encode()
        self.http.request(
            "POST", path, body=data,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )  # fmt: skip
        answer = self.http.getresponse()
        raw = answer.read()
        return answer.status, json.loads(raw) if raw else None

    def close(self) -> None:
        self.http.close()


def numbers_by_service(db_path: str) -> dict[str, list[int]]:
    """Every ticket's sequence number per numbering service, from the file itself."""
    conn = sqlite3.connect(db_path)
    try:
        found: dict[str, list[int]] = {}
        for service, seq in conn.execute("SELECT number_service, seq FROM tickets ORDER BY id"):
            found.setdefault(service, []).append(seq)
        return found
    finally:
        conn.close()


def assert_dense(numbers: dict[str, list[int]]) -> None:
    for service, seqs in numbers.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"service {service}: {sorted(seqs)}"


def test_concurrent_issue_and_call_never_duplicate_or_skip(hub_process: HubProcess) -> None:
    hub = hub_process
    clerks = {n: hub.clerk_token(n) for n in (1, 2, 3, 4, 5)}
    issued: list[dict[str, Any]] = []
    called: list[dict[str, Any]] = []
    errors: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(12)

    def kiosk(service: str) -> None:
        c = Conn(hub, hub.kiosk_token)
        gate.wait()
        for _ in range(40):
            status, body = c.post("/api/v1/tickets", {"service": service})
            with lock:
                (issued.append(body) if status == 201 else errors.append(f"{status} {body}"))
        c.close()

    def clerk(n: int) -> None:
        c = Conn(hub, clerks[n])
        gate.wait()
        for _ in range(30):
            status, body = c.post(f"/api/v1/counters/{n}/call-next")
            with lock:
                if status == 200:
                    called.append(body["ticket"])
                elif body["error"]["code"] != "queue_empty":
                    errors.append(f"{status} {body}")
        c.close()

    threads = [threading.Thread(target=kiosk, args=(s,)) for s in "AABBCCD"]
    threads += [threading.Thread(target=clerk, args=(n,)) for n in (1, 2, 3, 4, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(issued) == 7 * 40
    for service, count in {"A": 80, "B": 80, "C": 80, "D": 40}.items():
        mine = sorted(int(t["number"][1:]) for t in issued if t["service"] == service)
        assert mine == list(range(1, count + 1)), service
    called_ids = [t["id"] for t in called]
    assert len(called_ids) == len(set(called_ids)), "a ticket was called twice"
    assert called  # the clerks did call people
    assert_dense(numbers_by_service(str(hub.db_path)))


@pytest.mark.slow
def test_kill_9_loses_nothing_acknowledged(unlimited_hub: HubProcess) -> None:
    hub = unlimited_hub
    rng = random.Random(7)
    acknowledged: list[dict[str, Any]] = []
    acknowledged_calls: list[dict[str, Any]] = []
    for round_ in range(3):
        clerk = hub.clerk_token(2)
        stop = threading.Event()
        lock = threading.Lock()

        def kiosk(service: str, stop: threading.Event = stop, lock: threading.Lock = lock) -> None:
            c = Conn(hub, hub.kiosk_token)
            try:
                while not stop.is_set():
                    status, body = c.post("/api/v1/tickets", {"service": service})
                    if status == 201:
                        with lock:
                            acknowledged.append(body)
            except (OSError, http.client.HTTPException, json.JSONDecodeError):
                pass  # the hub died mid-request: that one was never acknowledged
            finally:
                c.close()

        def caller(
            clerk: str = clerk, stop: threading.Event = stop, lock: threading.Lock = lock
        ) -> None:
            c = Conn(hub, clerk)
            try:
                while not stop.is_set():
                    status, body = c.post("/api/v1/counters/2/call-next")
                    if status == 200:
                        with lock:
                            acknowledged_calls.append(body["ticket"])
            except (OSError, http.client.HTTPException, json.JSONDecodeError):
                pass
            finally:
                c.close()

        threads = [threading.Thread(target=kiosk, args=(s,)) for s in "AABC"]
        threads.append(threading.Thread(target=caller))
        for t in threads:
            t.start()
        time.sleep(0.4 + rng.random())  # kill at an arbitrary moment of the load
        hub.kill()
        stop.set()
        for t in threads:
            t.join(10)
        assert len(acknowledged) > 10 * (round_ + 1)
        hub.start()
    for ticket in acknowledged:
        status, found = hub.request("GET", f"/api/v1/tickets/{ticket['token']}")
        assert status == 200, ticket
        assert (found["id"], found["number"]) == (ticket["id"], ticket["number"])
    for ticket in acknowledged_calls:
        conn = sqlite3.connect(hub.db_path)
        state, counter = conn.execute(
            "SELECT state, counter FROM tickets WHERE id = ?", (ticket["id"],)
        ).fetchone()
        conn.close()
        assert state in ("called", "done") and counter == 2
    numbers = numbers_by_service(str(hub.db_path))
    assert_dense(numbers)
    # Numbering carries on from the last committed number.
    status, after = hub.request("POST", "/api/v1/tickets", {"service": "A"}, token=hub.kiosk_token)
    assert status == 201 and int(after["number"][1:]) == len(numbers["A"]) + 1
    conn = sqlite3.connect(hub.db_path)
    ids = [r[0] for r in conn.execute("SELECT id FROM events ORDER BY id")]
    conn.close()
    assert ids == list(range(1, len(ids) + 1)), "the event log has a gap"


def test_an_idempotent_repeat_after_a_crash_gets_the_first_answer(
    hub_process: HubProcess,
) -> None:
    hub = hub_process
    key = {"Idempotency-Key": "b0c3a8f2-double-tap"}
    body = {"service": "B"}
    status, first = hub.request("POST", "/api/v1/tickets", body, hub.kiosk_token, key)
    assert status == 201
    hub.kill()
    hub.start()
    status, again = hub.request("POST", "/api/v1/tickets", body, hub.kiosk_token, key)
    assert status == 201 and again == first
    status, other = hub.request("POST", "/api/v1/tickets", body, hub.kiosk_token)
    assert other["number"] == "B002"  # the repeat took no number
