"""Work while the hub is down, through the API on a fake clock: kiosks' number blocks, tickets
they issued offline taken into the queue, and services entered from paper afterwards.

Demo office: A has a daily limit of 300, B 400; counter 2 serves A only, counter 3 B then D.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

import pytest
import sqlite_utils

from hub import export
from hub.config import HubConfig
from motcua import config as config_loader
from motcua.config import ConfigError
from tests.hub.conftest import TZ, Office

DAY = "2026-11-30"


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, TZ).isoformat(timespec="seconds")


def blocks(office: Office) -> dict[str, Any]:
    status, body = office.req("POST", "/kiosk/blocks", {}, office.kiosk)
    assert status == 200, body
    return {b["service"]: b for b in body["blocks"]} | {"_": body}


def upload(office: Office, service: str, seq: int, at: float, **extra: Any) -> tuple[int, Any]:
    body = {"service": service, "seq": seq, "issued_at": iso(at), **extra}
    return office.req("POST", "/kiosk/offline-tickets", body, office.kiosk)


def db(office: Office) -> sqlite3.Connection:
    return office.app.extensions["motcua.store"].conn()


def conn_of(office: Office) -> sqlite3.Connection:
    """A plain reader on the hub's file, as ``motcua export`` opens it."""
    return sqlite3.connect(office.app.extensions["motcua.store"].path)


def test_a_kiosk_gets_a_block_past_each_daily_limit_and_the_same_one_again(office: Office):
    first = blocks(office)
    a = first["A"]
    assert (a["first_seq"], a["last_seq"]) == (301, 320)  # A stops at 300 a day
    assert a["numbers"][0] == "A301" and a["numbers"][-1] == "A320" and len(a["numbers"]) == 20
    assert first["B"]["numbers"][0] == "B401"
    assert first["_"]["day"] == "2026-11-30"
    assert first["_"]["valid_until"] == "2026-12-01T06:00:00+07:00"  # the next day's start
    assert first["_"]["status_url_prefix"] == "http://hub.test/t/"
    again = blocks(office)
    assert again["A"]["numbers"] == a["numbers"]
    assert office.issue("A")["number"] == "A001"  # the hub's own numbering is untouched
    assert db(office).execute("SELECT count(*) FROM number_blocks").fetchone()[0] == 4


def test_the_block_size_is_a_setting(tmp_path, seeded_db):
    from hub import core
    from tests.hub.conftest import make_office

    office = make_office(tmp_path, seeded_db, offline_block_size=5)
    try:
        assert blocks(office)["A"]["numbers"] == ["A301", "A302", "A303", "A304", "A305"]
    finally:
        core.shutdown(office.app)
    with pytest.raises(ConfigError, match="offline_block_size"):
        config_loader.load(HubConfig, env={}, overrides={"offline_block_size": 0})


def test_a_second_kiosks_blocks_follow_the_first_and_its_numbers_are_its_own(office: Office):
    from hub.auth import accounts

    store = office.app.extensions["motcua.store"]
    with store.write() as conn:
        _, second = accounts.add_device(conn, "Kiosk tầng 2", "kiosk")
    blocks(office)
    status, body = office.req("POST", "/kiosk/blocks", {}, second)
    assert status == 200
    a = next(b for b in body["blocks"] if b["service"] == "A")
    assert (a["first_seq"], a["last_seq"]) == (321, 340)
    status, body = office.req(
        "POST", "/kiosk/offline-tickets",
        {"service": "A", "seq": 301, "issued_at": iso(office.now)}, second,
    )  # fmt: skip
    assert status == 409 and body["error"]["message"].endswith("its block is A321–A340")


def test_a_service_without_a_limit_keeps_its_blocks_high_and_the_hub_skips_them(office: Office):
    conn = db(office)
    conn.execute("UPDATE services SET daily_limit = NULL WHERE code = 'C'")
    conn.execute(
        "INSERT INTO tickets (day, service, seq, number_service, number, token_hash,"
        " state, queued_at, issued_at) VALUES ('2026-11-30', 'C', 799, 'C', 'C799',"
        " 'x', 'done', 0, 0)"
    )  # fmt: skip  (as if the hub had issued up to C799)
    c = blocks(office)["C"]
    assert c["numbers"][:2] == ["C800", "C801"]
    assert office.issue("C")["number"] == "C820"  # C800-C819 are the kiosk's


def test_offline_tickets_join_the_line_by_their_issue_time_and_are_called(office: Office):
    blocks(office)
    issued_offline_at = office.now
    office.advance(300)
    online = office.issue("A")  # issued after the offline ones, though uploaded before them
    after = office.events()[-1]["id"]
    status, first = upload(office, "A", 301, issued_offline_at)
    assert status == 201, first
    assert first["number"] == "A301" and first["state"] == "waiting" and first["ahead"] == 0
    status, second = upload(office, "A", 302, issued_offline_at + 60, priority=False)
    assert status == 201 and second["ahead"] == 1
    events = office.events(after)
    assert [e["type"] for e in events] == ["ticket.issued", "ticket.issued"]
    assert events[0]["ticket"]["number"] == "A301" and events[0]["origin"] == "offline"
    _, services = office.req("GET", "/services")
    a = next(s for s in services["services"] if s["code"] == "A")
    assert a["waiting"] == 3 and a["issued_today"] == 1  # the hub's own count: A001
    called = [office.act(2, "call-next")[1]["ticket"]["number"] for _ in range(3)]
    assert called == ["A301", "A302", online["number"]]
    row = db(office).execute("SELECT origin, issued_by_device FROM tickets WHERE number = 'A301'")
    assert tuple(row.fetchone()) == ("offline", office.creds["kiosk"]["device_id"])


def test_a_repeated_upload_answers_the_same_ticket_and_changes_nothing(office: Office):
    blocks(office)
    token = "k" * 22
    status, first = upload(office, "B", 405, office.now, token=token)
    assert status == 201
    events = len(office.events())
    status, again = upload(office, "B", 405, office.now + 5, token="z" * 22)
    assert status == 200 and again["id"] == first["id"] and again["issued_at"] == first["issued_at"]
    assert len(office.events()) == events
    assert db(office).execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
    _, mine = office.req("GET", f"/tickets/{token}")  # the QR printed offline works now
    assert mine["number"] == "B405"


def test_numbers_outside_the_kiosks_block_are_refused_clearly(office: Office):
    status, body = upload(office, "A", 301, office.now)
    assert status == 409 and body["error"]["code"] == "outside_block"
    assert "it holds no block" in body["error"]["message"]
    blocks(office)
    for seq in (300, 321, 5):
        status, body = upload(office, "A", seq, office.now)
        assert status == 409 and body["error"]["code"] == "outside_block", seq
        assert body["error"]["message"].endswith("its block is A301–A320")
        assert body["error"]["field"] == "seq"
    status, body = upload(office, "Z", 1, office.now)
    assert status == 404 and body["error"]["field"] == "service"
    status, body = upload(office, "A", 301, office.now + 3600)
    assert status == 409 and body["error"]["field"] == "issued_at"
    assert body["error"]["code"] == "impossible_time"
    status, body = upload(office, "A", 301, office.now - 3600)  # would jump the line
    assert status == 409 and "before the kiosk was given" in body["error"]["message"]
    status, body = office.req(
        "POST", "/kiosk/offline-tickets", {"service": "A", "seq": 301, "issued_at": "09:00"},
        office.kiosk,
    )  # fmt: skip
    assert status == 400 and body["error"]["field"] == "issued_at"
    status, _ = office.req("POST", "/kiosk/blocks", {}, office.clerk(2))
    assert status == 403
    assert db(office).execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_yesterdays_offline_ticket_is_refused_as_a_day_that_is_over(office: Office):
    blocks(office)
    yesterday = office.now
    office.advance(86400)
    status, body = upload(office, "A", 303, yesterday)
    assert status == 409 and body["error"]["code"] == "day_over"
    assert "backfill" in body["error"]["message"]


def backfill(office: Office, token: str, **body: Any) -> tuple[int, Any]:
    return office.req("POST", "/backfill", body, token)


def test_a_clerk_enters_a_paper_service_marked_backfilled(office: Office):
    clerk = office.clerk(3)
    office.advance(3 * 3600)  # noon: the morning's paper is entered
    start = office.now - 2 * 3600
    status, body = backfill(
        office, clerk, service="B", number="b017", issued_at=iso(start),
        called_at=iso(start + 600), finished_at=iso(start + 1200),
    )  # fmt: skip
    assert status == 201, body
    assert body["number"] == "B017" and body["state"] == "done" and body["counter"] == 3
    assert body["origin"] == "paper" and body["backfilled"] is True
    row = (
        db(office)
        .execute(
            "SELECT origin, backfilled_by, backfilled_at, seq, called_at, finished_at FROM tickets"
        )
        .fetchone()
    )
    assert row["origin"] == "paper" and row["backfilled_by"] == "hoa" and row["seq"] < 0
    assert row["backfilled_at"] == office.now and row["finished_at"] - row["called_at"] == 600
    assert office.events()[-1]["type"] == "ticket.backfilled"
    exported = list(export.rows(sqlite_utils.Database(conn_of(office)), "tickets", DAY, DAY,
                                office.app.extensions["motcua.clock"]))  # fmt: skip
    assert [(r["number"], r["origin"], r["backfilled_at"]) for r in exported] == [
        ("B017", "paper", iso(office.now))
    ]
    assert office.issue("B")["number"] == "B001"  # the hub's numbering is not touched
    status, body = backfill(
        office, clerk, service="B", number="B017", issued_at=iso(start),
        finished_at=iso(start + 60),
    )  # fmt: skip
    assert status == 409 and "entered already" in body["error"]["message"]


def test_an_offline_ticket_served_on_paper_is_done_not_left_waiting(office: Office):
    blocks(office)
    upload(office, "A", 301, office.now)
    office.advance(1800)
    status, body = backfill(
        office, office.admin(), service="A", number="A301", issued_at=iso(office.now - 1800),
        called_at=iso(office.now - 1200), finished_at=iso(office.now - 600), counter=2,
    )  # fmt: skip
    assert status == 201 and body["origin"] == "offline" and body["state"] == "done"
    _, services = office.req("GET", "/services")
    assert next(s for s in services["services"] if s["code"] == "A")["waiting"] == 0
    assert office.act(2, "call-next")[1]["error"]["code"] == "queue_empty"
    count = db(office).execute("SELECT count(*) FROM tickets WHERE backfilled_at IS NOT NULL")
    assert count.fetchone()[0] == 1


def test_backfill_refuses_what_cannot_be(office: Office):
    clerk = office.clerk(3)
    now = office.now
    cases = [
        ({"issued_at": iso(now - 60), "finished_at": iso(now + 600)}, 409, "finished_at",
         "in the future"),
        ({"issued_at": iso(now - 600), "called_at": iso(now - 60), "finished_at": iso(now - 300)},
         409, "finished_at", "before 'called_at'"),
        ({"issued_at": iso(now - 600), "called_at": iso(now - 900), "finished_at": iso(now)},
         409, "called_at", "before 'issued_at'"),
        ({"issued_at": iso(now - 40 * 86400), "finished_at": iso(now - 40 * 86400 + 60)},
         409, "issued_at", "more than 31 days"),
        ({"issued_at": "hôm qua", "finished_at": iso(now)}, 400, "issued_at", "ISO 8601"),
        ({"issued_at": iso(now - 60), "finished_at": iso(now), "state": "no_show"}, 409,
         "called_at", "no-show"),
        ({"issued_at": iso(now - 60), "finished_at": iso(now), "service": "Z"}, 404, "service",
         "no service"),
        ({"issued_at": iso(now - 60), "finished_at": iso(now), "counter": 99}, 404, "counter",
         "no counter"),
        ({"issued_at": iso(now - 60), "finished_at": iso(now), "number": "A 1;"}, 400, "number",
         "ticket's number"),
    ]  # fmt: skip
    for extra, status, field, words in cases:
        body = {"service": "B", "number": "B020", **extra}
        got, answer = backfill(office, clerk, **body)
        assert (got, answer["error"]["field"]) == (status, field), (extra, answer)
        assert words in answer["error"]["message"], answer
    assert backfill(office, office.kiosk, service="B", number="B1")[0] == 403
    assert db(office).execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
