"""The kiosk app offscreen with the hub stopped: a citizen still gets a ticket, marked offline,
and the hub takes it into the queue once it is back."""

from __future__ import annotations

import pytest
from kiosk_support import screen, shot, tap_service

pytestmark = pytest.mark.gui


def test_with_the_hub_down_the_app_still_gives_a_ticket_marked_offline(
    run_kiosk, hub_process, tmp_path
):
    driver = run_kiosk()
    app = driver.app
    book = app.kiosk.offline.book
    driver.wait_until(lambda: book.left("A", app.kiosk.live.hub_now()) == 20, 10, "the blocks")
    home = screen(driver, "home")
    hub_process.stop()
    driver.wait_until(lambda: app.offline, 15, "the kiosk to notice the hub is gone")
    assert app.offline_tickets and not home.ids.take_ticket.disabled
    assert home.ids.lookup.disabled  # a lookup needs the hub
    shot(driver, tmp_path, "kiosk-offline-home")
    driver.tap(home.ids.take_ticket)
    tap_service(driver, "Đất đai, xây dựng")
    ticket = screen(driver, "ticket")
    driver.wait_until(lambda: ticket.ids.number.text == "A301", 15, "the offline ticket")
    driver.wait_until(lambda: app.kiosk.tickets.print_state == "printed", 10, "printed")
    assert "Ngoại tuyến" in ticket.ids.priority.text
    assert ticket.ids.ahead.text == "Số được cấp khi hệ thống đang gặp sự cố."
    shot(driver, tmp_path, "kiosk-offline-ticket")
    hub_process.start()
    driver.wait_until(lambda: not book.pending(), 20, "the ticket handed to the hub")
    status, held = hub_process.request("GET", f"/api/v1/tickets/{app.kiosk.tickets.ticket.token}")
    assert status == 200 and held["number"] == "A301" and held["state"] == "waiting"
