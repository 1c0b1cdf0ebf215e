"""The hub stopped mid-morning: the kiosk goes on issuing from its block, marked offline on the
printed ticket, keeps what it issued through its own restart, and hands it all to the hub when
the hub is back, where those tickets wait in line by their issue time and are called.

Demo office: A stops at 300 tickets a day (so its block is A301…), B at 400; counter 2 serves A
only, counter 3 serves B then D.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from escpos_decoder import decode
from kiosk_support import AGENCY, make_kiosk

from appliance.devices.escpos_job import job_bytes
from appliance.devices.printer import SimulatedPrinter
from appliance.records import Ticket
from appliance.translations import translator
from hub.inprocess import InProcessHub
from kiosk.controllers.kiosk import Kiosk
from kiosk.offline import REFUSED, TAKEN_IN, BookError, OfflineBook
from kiosk.ticket_layout import ticket_job


def bands(job: bytes) -> int:
    """How many black bands (a priority or offline mark: 20 rows or more, mostly black, white
    text inside) the printed ticket carries, read back from its ESC/POS bytes by the strict
    decoder; text lines and rules are never that dark."""
    found = 0
    for band in decode(job).bands:
        width, height = band.width_bytes * 8, len(band.rows)
        dots = [(x, y) for y in range(height) for x in range(width) if band.dot(x, y)]
        if height < 20 or not dots:
            continue
        xs = [x for x, _ in dots]
        found += len(dots) >= 0.6 * (max(xs) - min(xs) + 1) * height
    return found


def escpos_of(ticket: Ticket, printer: SimulatedPrinter) -> bytes:
    """What python-escpos produces for ``ticket`` as the kiosk lays it out for ``printer``."""
    job = ticket_job(ticket, AGENCY, translator("kiosk"), printer.capabilities)
    return job_bytes(job)


def clerk_calls(hub: InProcessHub, counter: int, times: int) -> list[str]:
    token = hub.clerk_token(counter)
    numbers = []
    for _ in range(times):
        status, body = hub.request("POST", f"/api/v1/counters/{counter}/call-next", {}, token)
        assert status == 200, body
        numbers.append(body["ticket"]["number"])
    return numbers


def offline_events(hub: InProcessHub) -> list[str]:
    with sqlite3.connect(f"file:{hub.db_path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT payload FROM events WHERE type = 'ticket.issued' ORDER BY id")
        payloads = [json.loads(r[0]) for r in rows]
    return [p["ticket"]["number"] for p in payloads if p.get("origin") == "offline"]


def test_with_the_hub_stopped_mid_morning_tickets_go_on_and_reach_the_queue(
    inprocess_hub: InProcessHub, tmp_path: Path
):
    hub = inprocess_hub
    book_path = tmp_path / "kiosk" / "offline-tickets.json"
    printer = SimulatedPrinter(tmp_path / "printer", 576)
    kiosk = make_kiosk(hub, printer, offline_book=OfflineBook(book_path))
    kiosk.go("services")  # the hub answers: the morning's blocks come with it
    assert kiosk.services.online is True
    # The kiosk reads the hub's clock from the Date header, to ±0.5 s; tickets here come
    # milliseconds apart, so it is told the hub's time exactly (as by NTP) for their order.
    kiosk.live.clock_offset = hub.clock.offset
    held = json.loads(book_path.read_text(encoding="utf-8"))["blocks"]
    assert held["A"]["numbers"][:2] == ["A301", "A302"] and held["B"]["numbers"][0] == "B401"
    kiosk.tickets.issue("A")
    first = kiosk.tickets.ticket
    assert first.number == "A001" and not first.offline
    assert bands(printer.jobs[-1].read_bytes()) == 0  # an ordinary ticket carries no band

    hub.stop()  # mid-morning, the hub goes down
    kiosk.go_home()
    kiosk.go("services")
    kiosk.tickets.issue("A")
    offline = kiosk.tickets.ticket
    assert kiosk.tickets.stage == "issued" and kiosk.services.online is False
    assert offline.offline and offline.number == "A301" and offline.state == "waiting"
    assert kiosk.tickets.print_state == "printed"
    job = printer.jobs[-1].read_bytes()
    assert job == escpos_of(offline, printer)  # python-escpos's own bytes
    assert bands(job) == 1  # the "NGOẠI TUYẾN / OFFLINE" band
    online_look = escpos_of(dataclasses.replace(offline, offline=False), printer)
    assert bands(online_look) == 0 and online_look != job
    assert offline.status_url.endswith(f"/t/{offline.token}")  # a QR the hub honours later
    kiosk.go_home()
    kiosk.go("services")
    kiosk.tickets.ask_priority()
    kiosk.tickets.confirm_priority("elderly")
    kiosk.tickets.issue("B")
    priority = kiosk.tickets.ticket
    assert priority.offline and priority.number == "B401" and priority.priority
    assert bands(printer.jobs[-1].read_bytes()) == 2  # priority and offline
    kiosk.close()

    # The kiosk restarts while the hub is still down: it goes on, never giving A301 again.
    printer = SimulatedPrinter(tmp_path / "printer-after-restart", 576)
    kiosk = make_kiosk(hub, printer, offline_book=OfflineBook(book_path))
    assert kiosk.live.clock_offset == hub.clock.offset  # never heard the hub: its own clock
    kiosk.go("services")
    # It never heard the hub since it started: it lists what its book lets it issue.
    assert [s.code for s in kiosk.services.services] == ["A", "B", "C", "D"]
    kiosk.tickets.issue("A")
    assert kiosk.tickets.ticket.number == "A302" and kiosk.tickets.ticket.offline
    assert kiosk.tickets.print_state == "printed"

    hub.start()
    # Someone is served through the hub before this kiosk is heard from again.
    status, later = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)
    assert status == 201 and later["number"] == "A002"
    kiosk.services.refresh()  # the kiosk finds the hub again and hands over its tickets
    assert kiosk.services.online is True
    assert [t["state"] for t in kiosk.offline.book.tickets()] == [TAKEN_IN] * 3
    assert offline_events(hub) == ["A301", "B401", "A302"]  # panels and displays hear of them
    status, services = hub.request("GET", "/api/v1/services")
    waiting = {s["code"]: s["waiting"] for s in services["services"]}
    assert waiting["A"] == 4 and waiting["B"] == 1
    status, mine = hub.request("GET", f"/api/v1/tickets/{offline.token}")
    assert status == 200 and mine["number"] == "A301"  # the QR printed offline works now

    # A repeat of an upload (a crash before the kiosk noted the answer) changes nothing.
    body = kiosk.offline.book.upload_body(kiosk.offline.book.tickets()[0])
    status, again = hub.request("POST", "/api/v1/kiosk/offline-tickets", body, hub.kiosk_token)
    assert status == 200 and again["number"] == "A301" and again["id"] == mine["id"]
    assert offline_events(hub) == ["A301", "B401", "A302"]
    status, services = hub.request("GET", "/api/v1/services")
    assert {s["code"]: s["waiting"] for s in services["services"]}["A"] == 4

    # In line by issue time: the offline tickets before the one issued after the hub came back.
    assert clerk_calls(hub, 2, 4) == ["A001", "A301", "A302", "A002"]
    assert clerk_calls(hub, 3, 1) == ["B401"]
    # The hub's own numbering goes on where it was, after a restart too.
    hub.restart()
    status, next_one = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)
    assert status == 201 and next_one["number"] == "A003"
    kiosk.close()


def test_a_kiosk_out_of_offline_numbers_says_it_cannot_issue(
    inprocess_hub: InProcessHub, tmp_path: Path
):
    kiosk = make_kiosk(inprocess_hub, None, offline_book=OfflineBook(tmp_path / "book.json"))
    kiosk.go("services")
    inprocess_hub.stop()
    for expected in range(301, 321):
        kiosk.go("services")
        kiosk.tickets.issue("A")
        assert kiosk.tickets.ticket.number == f"A{expected}"
        assert kiosk.tickets.print_state == "none"
    kiosk.go("services")
    kiosk.tickets.issue("A")
    assert kiosk.tickets.stage == "failed" and kiosk.tickets.error == "offline"
    kiosk.close()


def test_a_kiosk_that_never_reached_the_hub_today_has_no_numbers_to_give(
    inprocess_hub: InProcessHub, tmp_path: Path
):
    inprocess_hub.stop()
    kiosk = make_kiosk(inprocess_hub, None, offline_book=OfflineBook(tmp_path / "book.json"))
    kiosk.go("services")
    kiosk.tickets.issue("A")
    assert kiosk.tickets.stage == "failed" and kiosk.tickets.error == "offline"
    assert not (tmp_path / "book.json").exists()
    kiosk.close()


def test_yesterdays_book_gives_no_numbers_and_is_renewed_when_the_hub_answers(
    inprocess_hub: InProcessHub, tmp_path: Path
):
    hub = inprocess_hub
    path = tmp_path / "book.json"
    kiosk: Kiosk = make_kiosk(hub, None, offline_book=OfflineBook(path))
    kiosk.go("services")
    hub.stop()
    kiosk.go("services")
    kiosk.tickets.issue("A")
    left_over = kiosk.tickets.ticket
    assert left_over.number == "A301"
    old_day = json.loads(path.read_text(encoding="utf-8"))["day"]
    hub.advance(86400)
    kiosk.live.clock_offset += 86400  # the kiosk's idea of the hub's time moves with it
    kiosk.go("services")
    kiosk.tickets.issue("A")  # yesterday's block is over
    assert kiosk.tickets.stage == "failed" and kiosk.tickets.error == "offline"
    hub.start()
    kiosk.services.refresh()
    book = kiosk.offline.book
    assert json.loads(path.read_text(encoding="utf-8"))["day"] != old_day
    (ticket,) = book.tickets()
    assert ticket["state"] == REFUSED and ticket["error"].startswith("day_over")
    assert book.left("A", kiosk.live.hub_now()) == 20  # today's block, whole
    kiosk.close()


def test_the_book_survives_a_restart_and_refuses_a_damaged_file(tmp_path: Path):
    path = tmp_path / "book.json"
    answer = {
        "day": "2026-11-30", "valid_until": "2026-12-01T06:00:00+07:00",
        "status_url_prefix": "http://hub/t/",
        "blocks": [{"service": "A", "name_vi": "Đất đai", "name_en": "Land", "first_seq": 301,
                    "last_seq": 302, "numbers": ["A301", "A302"]}],
    }  # fmt: skip
    now = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))).timestamp()
    book = OfflineBook(path)
    book.set_blocks(answer)
    taken = book.take("A", now)
    assert taken is not None and taken["number"] == "A301"
    assert taken["status_url"] == f"http://hub/t/{taken['token']}"
    assert book.upload_body(taken)["issued_at"] == "2026-11-30T07:00:00.000+07:00"
    again = OfflineBook(path)
    again.set_blocks(answer)  # the hub hands the same block back: A301 stays used
    assert again.take("A", now)["number"] == "A302"
    assert OfflineBook(path).take("A", now) is None
    assert OfflineBook(path).take("B", now) is None
    book = OfflineBook(tmp_path / "elsewhere" / "book.json")
    book.set_blocks(answer)
    (tmp_path / "a-file").write_text("")
    book.path = tmp_path / "a-file" / "book.json"  # the disk will refuse to keep it
    with pytest.raises(BookError, match="cannot write"):
        book.take("A", now)  # so there is no number to print
    assert book.pending() == [] and book.left("A", now) == 1  # A301 is never given again
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(BookError, match=r"book\.json is damaged"):
        OfflineBook(path)


def test_the_offline_ticket_image_says_so_in_both_languages(tmp_path: Path):
    ticket = Ticket(id=0, number="A301", service="A", state="waiting", offline=True,
                    service_name_vi="Đất đai", status_url="http://hub/t/abc")  # fmt: skip
    t = translator("kiosk")
    assert t("Offline", "vi") == "Ngoại tuyến"
    printer = SimulatedPrinter(tmp_path, 384)
    job = ticket_job(ticket, AGENCY, t, printer.capabilities)
    assert "NGOẠI TUYẾN / OFFLINE" in [band.text for band in job.rasters()]
    preview = job.preview()
    assert preview.width == 384
    plain = ticket_job(dataclasses.replace(ticket, offline=False), AGENCY, t, printer.capabilities)
    assert preview.height > plain.preview().height
