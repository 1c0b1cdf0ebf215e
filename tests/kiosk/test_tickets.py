"""Taking a ticket against a real hub: issue, print, report, priority, failures, reprint."""

from __future__ import annotations

import sqlite3

from escpos_decoder import decode

from hub.testing import SeededHub
from kiosk.controllers.kiosk import Kiosk


def print_reports(hub: SeededHub) -> list[tuple[int, int, str]]:
    """What the hub recorded about printing (read straight from its database file)."""
    with sqlite3.connect(f"file:{hub.db_path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT ticket_id, ok, detail FROM print_reports ORDER BY id")
        return [(int(t), int(ok), str(detail or "")) for t, ok, detail in rows]


def test_services_list_the_open_queues(kiosk: Kiosk):
    kiosk.go("services")
    assert kiosk.services.online is True
    codes = [s.code for s in kiosk.services.services]
    assert codes == ["A", "B", "C", "D"]
    assert all(s.estimated_wait_s is not None for s in kiosk.services.services)


def test_a_tap_issues_prints_and_reports_a_ticket(kiosk: Kiosk, inprocess_hub):
    kiosk.go("services")
    kiosk.tickets.issue("B")
    tickets = kiosk.tickets
    assert tickets.stage == "issued" and kiosk.visible_screen == "ticket"
    assert tickets.ticket.number == "B001"
    assert tickets.print_state == "printed"
    assert tickets.last_job is not None
    assert "B001" in [line.text for line in decode(tickets.last_job.read_bytes()).lines]
    status, held = inprocess_hub.request("GET", f"/api/v1/tickets/{tickets.ticket.token}")
    assert status == 200 and held["number"] == "B001" and held["state"] == "waiting"
    assert print_reports(inprocess_hub) == [(tickets.ticket.id, 1, "")]
    waiting = next(s for s in kiosk.services.services if s.code == "B").waiting
    assert waiting == 1  # the list refreshed after issuing


def test_priority_needs_a_confirmed_reason(kiosk: Kiosk, inprocess_hub):
    kiosk.go("services")
    kiosk.tickets.ask_priority()
    assert kiosk.tickets.confirming_priority and not kiosk.tickets.priority
    kiosk.tickets.cancel_priority()
    assert not kiosk.tickets.priority
    kiosk.tickets.ask_priority()
    kiosk.tickets.confirm_priority("elderly")
    kiosk.tickets.issue("A")
    ticket = kiosk.tickets.ticket
    assert ticket.priority is True and ticket.priority_reason == "elderly"
    kiosk.go_home()
    kiosk.go("services")
    assert kiosk.tickets.priority is False  # the next citizen starts without it


def test_paper_out_keeps_the_ticket_on_screen_and_tells_the_hub(inprocess_hub, kiosk_with):
    kiosk, printer = kiosk_with("paper_out")
    kiosk.go("services")
    assert kiosk.tickets.printer_status is not None
    assert not kiosk.tickets.can_print  # the screen warns before the tap
    kiosk.tickets.issue("A")
    tickets = kiosk.tickets
    assert tickets.stage == "issued" and tickets.ticket.number == "A001"
    assert tickets.print_state == "failed" and "paper out" in tickets.print_detail
    assert tickets.ticket.status_url.endswith(tickets.ticket.token)  # the QR stays
    assert print_reports(inprocess_hub) == [(tickets.ticket.id, 0, "paper out")]
    assert printer.jobs == []


def test_a_jammed_ticket_can_be_reprinted_once(inprocess_hub, kiosk_with):
    kiosk, printer = kiosk_with("jam_once")
    kiosk.go("services")
    kiosk.tickets.issue("C")
    tickets = kiosk.tickets
    assert tickets.print_state == "failed" and tickets.reprints_left == 1
    tickets.reprint()
    assert tickets.print_state == "printed" and tickets.reprints_left == 0
    tickets.reprint()  # no third copy
    assert len(printer.jobs) == 2
    ticket_id = tickets.ticket.id
    assert [(t, ok) for t, ok, _ in print_reports(inprocess_hub)] == [
        (ticket_id, 0),
        (ticket_id, 1),
    ]


def test_closed_service_is_refused_with_its_reason(kiosk: Kiosk, inprocess_hub):
    admin = inprocess_hub.admin_token()
    status, _ = inprocess_hub.request("POST", "/api/v1/day/close", {}, token=admin)
    assert status == 200
    kiosk.go("services")
    kiosk.tickets.issue("A")
    assert kiosk.tickets.stage == "failed"
    assert kiosk.tickets.error == "service_closed"
    assert kiosk.tickets.ticket is None


def test_offline_then_retry_gives_one_ticket_not_two(inprocess_hub, kiosk: Kiosk):
    kiosk.go("services")
    inprocess_hub.stop()
    kiosk.tickets.issue("D")
    assert kiosk.tickets.stage == "failed" and kiosk.tickets.error == "offline"
    assert kiosk.services.online is False
    inprocess_hub.start()
    kiosk.tickets.retry()
    assert kiosk.tickets.stage == "issued" and kiosk.tickets.ticket.number == "D001"
    assert kiosk.services.online is True
    kiosk.tickets.retry()  # nothing to retry once issued: still one ticket
    _status, body = inprocess_hub.request("GET", "/api/v1/services")
    assert next(s for s in body["services"] if s["code"] == "D")["issued_today"] == 1


def test_heartbeat_carries_the_printer_status(inprocess_hub, kiosk_with):
    kiosk, _printer = kiosk_with("paper_low")
    kiosk.health.beat()
    assert kiosk.health.sent == 1
    assert kiosk.health.last_status["printer"]["paper"] == "low"
    with sqlite3.connect(f"file:{inprocess_hub.db_path}?mode=ro", uri=True) as conn:
        (status,) = conn.execute(
            "SELECT status FROM devices WHERE id = ?", (inprocess_hub.kiosk_device_id,)
        ).fetchone()
    assert '"paper": "low"' in status


def test_idle_goes_home_forgetting_the_ticket_and_language(kiosk: Kiosk):
    from kiosk.controllers.idle import IdleTimer

    now = [0.0]
    kiosk.idle = IdleTimer(60.0, clock=lambda: now[0])
    kiosk.go("services")
    kiosk.tickets.ask_priority()
    kiosk.tickets.confirm_priority("pregnant")
    kiosk.toggle_language()
    now[0] = 59.0
    kiosk.tick()
    assert kiosk.screen == "services" and kiosk.language == "en"
    now[0] = 60.0
    kiosk.tick()
    assert kiosk.screen == "home" and kiosk.language == "vi"
    assert kiosk.tickets.priority is False and kiosk.tickets.stage == "choose"


def test_a_print_failure_updates_the_device_status_at_once(inprocess_hub, kiosk_with):
    kiosk, _printer = kiosk_with("paper_out")
    kiosk.go("services")
    kiosk.tickets.issue("B")
    assert kiosk.tickets.print_state == "failed"
    assert kiosk.health.sent == 1  # without waiting for the periodic heartbeat
    with sqlite3.connect(f"file:{inprocess_hub.db_path}?mode=ro", uri=True) as conn:
        (status,) = conn.execute(
            "SELECT status FROM devices WHERE id = ?", (inprocess_hub.kiosk_device_id,)
        ).fetchone()
    assert '"paper": "out"' in status


def test_a_second_tap_after_the_ticket_takes_no_second_number(kiosk: Kiosk, inprocess_hub):
    kiosk.go("services")
    kiosk.tickets.issue("C")
    kiosk.tickets.issue("C")  # the same finger again, before the screen changed
    kiosk.tickets.issue("A")
    assert kiosk.tickets.ticket.number == "C001"
    _status, body = inprocess_hub.request("GET", "/api/v1/services")
    issued = {s["code"]: s["issued_today"] for s in body["services"]}
    assert issued["C"] == 1 and issued["A"] == 0
