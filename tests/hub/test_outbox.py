"""The outbox inside the hub: items written with the change they report (or not at all), daily
summaries, the backoff, the settings, and how the delivery reads the back end's answers (against
a real ``upstream-sim`` process)."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub import core, db
from hub.outbox.delivery import Delivery, RetryLater
from hub.outbox.settings import OutboxConfig
from hub.upstream.testing import SimProcess
from motcua.config import ConfigError
from tests.hub.conftest import Office, make_office

NOWHERE = {"url": "http://127.0.0.1:9/api/outbox", "site": "H21.22"}  # never started here


@pytest.fixture
def outboxed(tmp_path: Path, seeded_db: tuple[Path, dict[str, Any]]) -> Iterator[Office]:
    """The demo office with an outbox whose delivery is not started: the rows stay to be seen."""
    o = make_office(tmp_path, seeded_db, outbox=NOWHERE)
    try:
        yield o
    finally:
        core.shutdown(o.app)


def outbox(o: Office) -> list[sqlite3.Row]:
    conn = o.app.extensions["motcua.store"].conn()
    return conn.execute("SELECT * FROM outbox ORDER BY id").fetchall()


def test_each_reported_change_has_its_item_and_a_refused_one_has_none(outboxed: Office) -> None:
    ticket = outboxed.issue("A")
    types = [r["type"] for r in outbox(outboxed)]
    assert types == ["day.opened", "ticket.issued"]
    status, _ = outboxed.req("POST", "/tickets", {"service": "Z"}, outboxed.kiosk)
    assert status == 404
    assert outboxed.act(1, "call-next")[0] == 200
    assert outboxed.req("PUT", "/notice", {"text_vi": "Nghỉ"}, outboxed.admin())[0] == 200
    rows = outbox(outboxed)
    assert [r["type"] for r in rows][2:] == ["counter.updated", "ticket.called"]  # no notice
    events = {e["id"]: e for e in outboxed.events()}
    assert all(events[r["event_id"]]["type"] == r["type"] for r in rows)
    assert events[rows[1]["event_id"]]["ticket"]["id"] == ticket["id"]


def test_a_day_nobody_closed_is_summarized_when_the_next_one_opens(outboxed: Office) -> None:
    for _ in range(3):
        outboxed.issue("A")
    assert outboxed.act(1, "call-next")[0] == 200
    assert outboxed.act(1, "finish")[0] == 200
    assert not [r for r in outbox(outboxed) if r["type"] == "day.summary"]
    outboxed.advance(24 * 3600)
    outboxed.issue("B")
    summaries = [r for r in outbox(outboxed) if r["type"] == "day.summary"]
    assert len(summaries) == 1
    data = json.loads(summaries[0]["payload"])
    assert data["day"] == "2026-11-30" and data["closed"] is False and data["revision"] == 1
    assert data["totals"] == {"issued": 3, "served": 1, "no_show": 0, "cancelled": 0}
    assert data["services"][0]["unfinished"] == 2


def test_a_day_closed_twice_is_summarized_twice_as_revisions(outboxed: Office) -> None:
    outboxed.issue("A")
    admin = outboxed.admin()
    assert outboxed.req("POST", "/day/close", None, admin)[0] == 200
    assert outboxed.req("POST", "/day/open", None, admin)[0] == 200
    outboxed.issue("A")
    assert outboxed.req("POST", "/day/close", None, admin)[0] == 200
    summaries = [json.loads(r["payload"]) for r in outbox(outboxed) if r["type"] == "day.summary"]
    assert [(s["revision"], s["totals"]["issued"]) for s in summaries] == [(1, 1), (2, 2)]


def test_without_an_endpoint_the_writer_has_no_hook_and_no_rows(office: Office) -> None:
    office.issue("A")
    assert office.app.extensions["motcua.writer"].before_commit is None
    assert outbox(office) == []


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    config = OutboxConfig(url="http://x/", backoff_base_s=1.0, backoff_cap_s=60.0)
    low = Delivery(config, ":memory:", None, {"id": "h"}, str, rng=lambda: 0.0)  # type: ignore[arg-type]
    high = Delivery(config, ":memory:", None, {"id": "h"}, str, rng=lambda: 0.999)  # type: ignore[arg-type]
    waits = []
    for failures in (1, 2, 3, 6, 7, 40):
        low.failures = high.failures = failures
        waits.append((low.delay(), round(high.delay())))
    assert waits == [(0.5, 1), (1.0, 2), (2.0, 4), (16.0, 32), (30.0, 60), (30.0, 60)]


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [("url", "ftp://x", "http"), ("batch_size", 0, "1 to 1000"),
     ("auth_header", "Bearer x", "Name: value"), ("backoff_cap_s", 0.5, "backoff_base_s")],
)  # fmt: skip
def test_settings_that_cannot_work_are_refused_by_name(
    setting: str, value: Any, words: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        OutboxConfig(**{setting: value}).validate("outbox.")
    assert f"outbox.{setting}" in str(refused.value) and words in str(refused.value)


@pytest.fixture(scope="module")
def guarded_sim() -> Iterator[SimProcess]:
    process = SimProcess(dossiers=5, seed=4, extra=["--token", "sim-token"])
    try:
        yield process
    finally:
        process.stop()


def delivery_to(o: Office, url: str, **settings: Any) -> Delivery:
    config = OutboxConfig(url=url, **settings)
    writer = o.app.extensions["motcua.writer"]
    db_path = o.app.config["MOTCUA"].db_path
    return Delivery(config, db_path, writer, {"id": "hub-test", "site": "", "name": "x"}, str)


def test_a_back_end_that_refuses_the_hub_itself_is_retried_not_blamed_on_items(
    outboxed: Office, guarded_sim: SimProcess
) -> None:
    outboxed.issue("A")
    conn = db.connect(outboxed.app.config["MOTCUA"].db_path)
    try:
        url = f"{guarded_sim.url}/api/outbox"
        right = wrong = delivery_to(outboxed, url, auth_header="Authorization: Bearer wrong")
        with pytest.raises(RetryLater, match="refuses the hub: HTTP 401"):
            wrong.run_once(conn)
        assert [(r["delivered_at"], r["failed_at"]) for r in outbox(outboxed)] == [(None, None)] * 2
        right = delivery_to(outboxed, url, auth_header="Authorization: Bearer sim-token")
        assert right.run_once(conn) == 2
        assert all(r["delivered_at"] is not None for r in outbox(outboxed))
        assert right.run_once(conn) == 0
    finally:
        for sender in (wrong, right):
            sender.close()
        conn.close()
    report = guarded_sim.get("/sim/outbox")
    assert report["by_type"] == {"day.opened": 1, "ticket.issued": 1}


def test_a_back_end_that_answers_garbage_or_not_at_all_is_retried(
    outboxed: Office, guarded_sim: SimProcess
) -> None:
    outboxed.issue("A")
    conn = db.connect(outboxed.app.config["MOTCUA"].db_path)
    try:
        url = f"{guarded_sim.url}/api/outbox"
        sender = delivery_to(outboxed, url, auth_header="Authorization: Bearer sim-token")
        for mode, error in (("garbage", "HTTP 502"), ("down", "HTTP 503")):
            guarded_sim.set_mode(mode)
            with pytest.raises(RetryLater, match=error):
                sender.run_once(conn)
        guarded_sim.set_mode("ok")
        closed = delivery_to(outboxed, "http://127.0.0.1:9/api/outbox")  # the discard port
        with pytest.raises(RetryLater, match="cannot reach"):
            closed.run_once(conn)
    finally:
        guarded_sim.set_mode("ok")
        sender.close()
        conn.close()
    assert all(r["delivered_at"] is None and r["failed_at"] is None for r in outbox(outboxed))


def test_a_kept_connection_that_was_dropped_is_replaced_without_backing_off(
    outboxed: Office, guarded_sim: SimProcess
) -> None:
    outboxed.issue("A")
    conn = db.connect(outboxed.app.config["MOTCUA"].db_path)
    sender = delivery_to(
        outboxed, f"{guarded_sim.url}/api/outbox", auth_header="Authorization: Bearer sim-token"
    )
    try:
        assert sender.run_once(conn) == 2
        kept = sender._http
        assert kept is not None and kept.sock is not None
        kept.sock.shutdown(socket.SHUT_RDWR)  # as when the back end drops an idle connection
        outboxed.issue("A")
        assert sender.run_once(conn) == 1
        assert sender._http is not kept and sender.failures == 0
    finally:
        sender.close()
        conn.close()
    assert all(r["delivered_at"] is not None for r in outbox(outboxed))
