"""The outbox end to end: a real hub process delivering to a real ``upstream-sim`` process, which
goes down, refuses, answers slowly, and outlives a ``kill -9`` of the hub."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import re
import sqlite3
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.testing import HubProcess, start_hub
from hub.upstream.testing import SimProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sim() -> Iterator[SimProcess]:
    process = SimProcess(dossiers=20, seed=3)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def sim_ok(sim: SimProcess) -> Iterator[SimProcess]:
    """The module's simulator, taking deliveries normally again after each test."""
    try:
        yield sim
    finally:
        sim.set_mode("ok")
        post(sim, "/sim/outbox/refuse", {"types": []})


def outbox_settings(sim: SimProcess, **more: Any) -> dict[str, Any]:
    fast = {"url": f"{sim.url}/api/outbox", "site": "H21.22", "backoff_base_s": 0.1,
            "backoff_cap_s": 0.5, "poll_s": 0.2, "timeout_s": 10.0}  # fmt: skip
    return {"outbox": {**fast, **more}}


@pytest.fixture
def hub(sim_ok: SimProcess, tmp_path: Path) -> Iterator[HubProcess]:
    process = start_hub(tmp_path / "hub", settings=outbox_settings(sim_ok))
    try:
        yield process
    finally:
        process.stop()


def post(sim: SimProcess, path: str, body: Any) -> Any:
    request = urllib.request.Request(
        sim.url + path, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read())


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def rows(hub: HubProcess, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(hub.db_path)) as conn:
        return conn.execute(sql, params).fetchall()


def hub_id(hub: HubProcess) -> str:
    return wait_for(lambda: rows(hub, "SELECT value FROM settings WHERE key = 'hub_id'"))[0][0]


def received(sim: SimProcess, hub: HubProcess) -> list[dict[str, Any]]:
    """What the simulator holds from this hub (the module's simulator serves several)."""
    mine = hub_id(hub)
    return [i for i in sim.get("/sim/outbox?items=1")["items"] if i["hub"]["id"] == mine]


def pending(hub: HubProcess) -> int:
    """Items waiting to be sent (not those refused)."""
    sql = "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL"
    return rows(hub, sql)[0][0]


def all_delivered(sim: SimProcess, hub: HubProcess) -> list[dict[str, Any]] | None:
    """The sim's items from this hub once every outbox row of the hub is marked delivered."""
    queued, undelivered = rows(hub, "SELECT count(*), count(*) - count(delivered_at) FROM outbox")[
        0
    ]
    if undelivered or not queued:
        return None
    items = received(sim, hub)
    return items if len(items) == queued else None


def issue(hub: HubProcess, service: str = "A") -> dict[str, Any]:
    status, body = hub.request("POST", "/api/v1/tickets", {"service": service},
                               token=hub.kiosk_token)  # fmt: skip
    assert status == 201, body
    return body


class Console:
    """A browser's session of the hub's console over real HTTP: cookies and form tokens."""

    def __init__(self, hub: HubProcess, who: dict[str, str]) -> None:
        self.hub = hub
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        form = self.get("/console/login")
        answer = self.post("/console/login", {"csrf": csrf(form), "next": "", **who})
        assert "/console/login" not in answer.geturl(), "login failed"

    def get(self, path: str) -> str:
        with self.opener.open(self.hub.url + path, timeout=10) as answer:
            return answer.read().decode()

    def post(self, path: str, form: dict[str, str]) -> Any:
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.hub.url + path, data=data, timeout=10) as answer:
            answer.read()
            return answer


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no form token"
    return found.group(1)


def figure(page: str, name: str) -> int:
    found = re.search(rf'id="outbox-{name}">(\d+)<', page)
    assert found, f"no {name} on the page"
    return int(found.group(1))


def test_the_day_reaches_the_back_end_once_each_with_ratings_and_summary(
    hub: HubProcess, sim_ok: SimProcess
) -> None:
    tickets = [issue(hub, s) for s in "AAB"]
    clerk = hub.clerk_token(1)
    status, called = hub.request("POST", "/api/v1/counters/1/call-next", token=clerk)
    assert status == 200
    assert hub.request("POST", "/api/v1/counters/1/start", token=clerk)[0] == 200
    assert hub.request("POST", "/api/v1/counters/1/finish", token=clerk)[0] == 200
    ticket_id = called["ticket"]["id"]
    status, _ = hub.request("POST", f"/api/v1/tickets/{ticket_id}/rating", {"level": 2},
                            token=clerk)  # fmt: skip
    assert status == 201
    admin = hub.admin_token()
    assert hub.request("POST", "/api/v1/day/close", token=admin)[0] == 200

    items = wait_for(lambda: all_delivered(sim_ok, hub))
    keys = [i["key"] for i in items]
    assert len(keys) == len(set(keys))
    events = [i["data"]["id"] for i in items if i["type"] != "day.summary"]
    assert len(events) == len(set(events)), "an event reached the back end twice"
    # Every queue event of the log went, and nothing else (no notices, no dossiers).
    reported = "SELECT id FROM events WHERE topic IN ('ticket', 'counter', 'day', 'rating')"
    logged = [r[0] for r in rows(hub, reported + " ORDER BY id")]
    assert sorted(events) == logged
    issued = [i["data"]["ticket"]["number"] for i in items if i["type"] == "ticket.issued"]
    assert issued == [t["number"] for t in tickets]
    rating = next(i for i in items if i["type"] == "rating.created")
    assert rating["data"]["level"] == 2 and rating["data"]["ticket_id"] == ticket_id
    assert rating["data"]["clerk"] and rating["data"]["number"] == called["ticket"]["number"]
    summary = next(i for i in items if i["type"] == "day.summary")["data"]
    assert summary["closed"] and summary["revision"] == 1
    assert summary["totals"] == {"issued": 3, "served": 1, "no_show": 0, "cancelled": 2}
    assert summary["ratings"]["by_level"]["2"] == 1
    assert items[0]["hub"] == {"id": hub_id(hub), "site": "H21.22",
                               "name": "Bộ phận Tiếp nhận và Trả kết quả"}  # fmt: skip


def test_backlog_grows_while_the_back_end_is_down_and_drains_when_it_is_back(
    hub: HubProcess, sim_ok: SimProcess
) -> None:
    issue(hub)
    wait_for(lambda: all_delivered(sim_ok, hub))
    console = Console(hub, hub.admin)
    sim_ok.set_mode("down")
    for _ in range(12):
        issue(hub)
    page = wait_for(lambda: (p := console.get("/console/outbox")) and "HTTP 503" in p and p)
    assert figure(page, "pending") == 12 == pending(hub)
    assert 'id="outbox-error"' in page
    before = len(received(sim_ok, hub))
    issue(hub)  # while it is down, the backlog keeps what comes
    assert pending(hub) == 13 and len(received(sim_ok, hub)) == before

    sim_ok.set_mode("ok")
    items = wait_for(lambda: all_delivered(sim_ok, hub))
    assert len(items) == before + 13
    page = console.get("/console/outbox")
    assert figure(page, "pending") == 0
    assert figure(page, "delivered") == len(items)

    sim_ok.set_mode("down")  # a stop during a backoff ends it: the hub stops cleanly and at once
    issue(hub)
    wait_for(lambda: "HTTP 503" in console.get("/console/outbox"))
    began = time.monotonic()
    hub.stop()
    assert hub.proc is not None and hub.proc.returncode == 0
    assert time.monotonic() - began < 5
    assert "hub stopped" in hub.log() and "Traceback" not in hub.log()


def test_a_refused_item_is_kept_shown_and_sent_again_once_requeued(
    hub: HubProcess, sim_ok: SimProcess
) -> None:
    post(sim_ok, "/sim/outbox/refuse", {"types": ["rating.created"]})
    issue(hub)
    clerk = hub.clerk_token(1)
    called = hub.request("POST", "/api/v1/counters/1/call-next", token=clerk)[1]
    assert hub.request("POST", "/api/v1/counters/1/finish", token=clerk)[0] == 200
    ticket_id = called["ticket"]["id"]
    hub.request("POST", f"/api/v1/tickets/{ticket_id}/rating", {"level": 1}, token=clerk)
    issue(hub)  # after the refused item: the line goes on past it
    wait_for(lambda: rows(hub, "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL")[0][0])
    wait_for(lambda: not pending(hub) or None)
    got = received(sim_ok, hub)
    assert "rating.created" not in {i["type"] for i in got}
    assert [i["type"] for i in got].count("ticket.issued") == 2
    supervisor = Console(hub, hub.credentials["supervisor"])
    page = supervisor.get("/console/outbox")
    assert figure(page, "failed") == 1 and "rating.created" in page and "HTTP 422" in page
    assert 'id="outbox-requeue"' not in page  # a supervisor sees it; only an admin requeues

    post(sim_ok, "/sim/outbox/refuse", {"types": []})  # the back end is fixed
    admin = Console(hub, hub.admin)
    page = admin.get("/console/outbox")
    admin.post("/console/outbox/requeue", {"csrf": csrf(page)})
    items = wait_for(lambda: all_delivered(sim_ok, hub))
    rating = next(i for i in items if i["type"] == "rating.created")
    assert rating["data"]["level"] == 1
    assert figure(admin.get("/console/outbox"), "failed") == 0


def test_a_stop_during_a_slow_delivery_is_prompt_and_keeps_the_items(
    hub: HubProcess, sim_ok: SimProcess
) -> None:
    issue(hub)
    wait_for(lambda: all_delivered(sim_ok, hub))
    sim_ok.set_mode("slow")  # answers after 5 s
    arrived = sim_ok.get("/sim/outbox")["arrived"]
    issue(hub)
    wait_for(lambda: sim_ok.get("/sim/outbox")["arrived"] > arrived)
    began = time.monotonic()
    hub.stop()
    assert time.monotonic() - began < 3
    assert hub.proc is not None and hub.proc.returncode == 0
    assert "Traceback" not in hub.log()
    assert pending(hub) == 1  # not acknowledged, so still in line for the next start


def test_kill_9_mid_delivery_loses_nothing_and_the_repeats_are_recognized(
    sim_ok: SimProcess, tmp_path: Path
) -> None:
    hub = start_hub(tmp_path / "hub", settings=outbox_settings(sim_ok, batch_size=5))
    try:
        acknowledged: list[int] = []
        stop = threading.Event()

        def kiosk() -> None:  # keeps issuing through the crash; what was answered must arrive
            while not stop.is_set():
                with contextlib.suppress(OSError):
                    status, body = hub.request("POST", "/api/v1/tickets", {"service": "B"},
                                               token=hub.kiosk_token, timeout=2)  # fmt: skip
                    if status == 201:
                        acknowledged.append(body["id"])

        issue(hub)
        wait_for(lambda: all_delivered(sim_ok, hub))
        sim_ok.set_mode("slow")  # each delivery now takes 5 s to be answered
        arrived = sim_ok.get("/sim/outbox")["arrived"]
        thread = threading.Thread(target=kiosk)
        thread.start()
        wait_for(lambda: sim_ok.get("/sim/outbox")["arrived"] > arrived)  # one is in flight
        hub.kill()
        stop.set()
        thread.join(10)
        sim_ok.set_mode("ok")
        duplicates = sim_ok.get("/sim/outbox")["duplicates"]
        hub.start()
        stop.clear()
        thread = threading.Thread(target=kiosk)
        thread.start()
        wait_for(lambda: len(acknowledged) > 20)
        stop.set()
        thread.join(10)

        items = wait_for(lambda: all_delivered(sim_ok, hub), timeout=60)
        issued = {i["data"]["ticket"]["id"] for i in items if i["type"] == "ticket.issued"}
        assert set(acknowledged) <= issued, "an acknowledged ticket never reached the back end"
        events = [i["data"]["id"] for i in items if i["type"] != "day.summary"]
        assert len(events) == len(set(events))
        reported = "SELECT id FROM events WHERE topic IN ('ticket', 'counter', 'day', 'rating')"
        logged = {r[0] for r in rows(hub, reported)}
        assert set(events) == logged, "an item without its event, or an event without its item"
        # The batch in flight at the crash was sent again, and recognized by its keys.
        wait_for(lambda: sim_ok.get("/sim/outbox")["duplicates"] > duplicates, timeout=15)
    finally:
        stop.set()
        hub.stop()


def test_without_an_endpoint_nothing_is_queued(tmp_path: Path) -> None:
    hub = start_hub(tmp_path / "hub")
    try:
        for _ in range(5):
            issue(hub)
        assert rows(hub, "SELECT count(*) FROM outbox")[0][0] == 0
        page = Console(hub, hub.admin).get("/console/outbox")
        assert 'id="outbox-off"' in page
    finally:
        hub.stop()
