"""The kiosk app for real, offscreen, against a real hub: taps, screens, printing, outages.

Screenshots go to the test's folder (and to $MOTCUA_SHOTS when set, for a person to look at).
"""

from __future__ import annotations

import pytest
from escpos_decoder import decode
from kiosk_support import screen, shot, tap_service

pytestmark = pytest.mark.gui


def test_tap_through_to_a_printed_ticket_the_hub_holds(run_kiosk, hub_process, tmp_path):
    from appliance.devices.escpos_job import job_bytes
    from kiosk.ticket_layout import ticket_job

    driver = run_kiosk()
    app = driver.app
    shot(driver, tmp_path, "kiosk-home")
    driver.tap(screen(driver, "home").ids.take_ticket)
    driver.wait_until(lambda: app.manager.current == "services", 5, "the services screen")
    driver.wait_until(
        lambda: any(getattr(w, "service_code", None) for w in app.root.walk()), 5, "services"
    )
    land = driver.find_text("Đất đai, xây dựng")
    assert "người đang chờ" in land.text_en  # waiting count, in Vietnamese
    shot(driver, tmp_path, "kiosk-services")
    tap_service(driver, "Đất đai, xây dựng")
    tickets = app.kiosk.tickets
    ticket_screen = screen(driver, "ticket")
    driver.wait_until(
        lambda: "Mời nhận phiếu" in ticket_screen.ids.print_state.text, 10, "printed, shown"
    )
    assert app.manager.current == "ticket" and tickets.print_state == "printed"
    assert ticket_screen.ids.number.text == "A001"
    # The ticket and its QR leave the screen soon, and the screen says when.
    left = app.ticket_left
    assert 10 < left <= 15
    assert ticket_screen.ids.countdown.text == f"Trở về trang đầu sau {left} giây"
    assert ticket_screen.ids.reprint.opacity == 1 and not ticket_screen.ids.reprint.disabled
    shot(driver, tmp_path, "kiosk-ticket")
    # The file holds exactly what python-escpos makes of the ticket, every command known...
    ticket = tickets.ticket
    capabilities = app.kiosk.printer.capabilities
    job = ticket_job(ticket, "UBND huyện Chư Păh", app.kiosk.t, capabilities)
    assert tickets.last_job.read_bytes() == job_bytes(job)
    decoded = decode(tickets.last_job.read_bytes())
    assert "A001" in [line.text for line in decoded.lines] and decoded.cuts == 1
    # ...and the hub holds that ticket.
    status, held = hub_process.request("GET", f"/api/v1/tickets/{ticket.token}")
    assert status == 200 and held["number"] == "A001" and held["state"] == "waiting"
    driver.tap(ticket_screen.ids.done)
    driver.wait_until(lambda: app.manager.current == "home", 5, "home again")


def test_priority_is_confirmed_before_a_priority_ticket(run_kiosk, tmp_path):
    driver = run_kiosk()
    app = driver.app
    app.kiosk.go("services")
    driver.wait_until(lambda: any(hasattr(w, "service_code") for w in app.root.walk()), 5, "list")
    driver.pump(3)  # laid out, so a tap lands where the button is drawn
    services = screen(driver, "services")
    driver.tap(services.ids.priority)
    driver.wait_until(lambda: services._confirm.parent is not None, 5, "the question")
    shot(driver, tmp_path, "kiosk-priority")
    # The age is the office's setting (the Law on the Elderly: from 60), not a fixed 75.
    driver.tap(driver.find_text("Người cao tuổi (từ 60 tuổi)"))
    driver.wait_until(lambda: services._confirm.parent is None, 5, "the question closed")
    assert "Đã chọn ưu tiên" in services.ids.priority.text_vi
    tap_service(driver, "Hộ tịch")
    ticket = screen(driver, "ticket")
    driver.wait_until(lambda: ticket.ids.number.text == "B001", 10, "the ticket shown")
    assert app.kiosk.tickets.ticket.priority is True
    assert ticket.ids.priority.text == "Ưu tiên"


def test_paper_out_shows_the_ticket_and_its_qr_on_screen(run_kiosk, tmp_path):
    driver = run_kiosk(simulate="paper_out")
    home = screen(driver, "home")
    # Before anyone chooses a service, the home screen says tickets cannot be printed, and
    # what to do instead.
    driver.wait_until(lambda: home.ids.printer_note.text, 5, "the printer note")
    assert "Hiện máy không in được phiếu" in home.ids.printer_note.text
    assert "chụp lại" in home.ids.printer_note.text and "QR" in home.ids.printer_note.text
    shot(driver, tmp_path, "kiosk-home-paper-out")
    driver.tap(home.ids.take_ticket)
    services = screen(driver, "services")
    driver.wait_until(lambda: services.ids.printer_warning.text != "", 5, "the printer warning")
    assert "Máy in đang có sự cố" in services.ids.printer_warning.text
    tap_service(driver, "Kinh doanh")
    ticket = screen(driver, "ticket")
    driver.wait_until(
        lambda: "Máy in không in được" in ticket.ids.print_state.text, 10, "the failure shown"
    )
    assert ticket.ids.number.text == "C001"
    assert ticket.ids.qr.texture is not None and ticket.ids.card.pos_hint["x"] == 0
    driver.wait_until(lambda: not driver.app.kiosk.tickets.can_print, 5, "the paper status")
    driver.pump(2)
    assert ticket.ids.reprint.opacity == 0 and ticket.ids.reprint.disabled  # no "In lại"
    assert ticket.ids.countdown.text.startswith("Trở về trang đầu sau")
    assert driver.app.ticket_left > 15  # longer than a printed one: time to photograph it
    shot(driver, tmp_path, "kiosk-ticket-paper-out")


def test_hub_stopped_and_started_under_a_running_kiosk(run_kiosk, hub_process, tmp_path):
    # A kiosk that issues no tickets offline (test_offline_gui.py has one that does).
    driver = run_kiosk(offline_file="")
    app = driver.app
    home = screen(driver, "home")
    assert not home.ids.take_ticket.disabled
    hub_process.stop()
    driver.wait_until(lambda: app.offline, 15, "the kiosk to notice the hub is gone")
    assert home.ids.take_ticket.disabled and home.ids.lookup.disabled
    shot(driver, tmp_path, "kiosk-offline")
    hub_process.start()
    driver.wait_until(lambda: not app.offline, 15, "the kiosk to recover by itself")
    assert not home.ids.take_ticket.disabled
    driver.tap(home.ids.take_ticket)
    tap_service(driver, "Lao động")
    number = screen(driver, "ticket").ids.number
    driver.wait_until(lambda: number.text == "D001", 10, "the ticket after recovery")


def test_idle_kiosk_goes_home_and_forgets_the_code(run_kiosk, tmp_path):
    # A long timeout while typing (a slow machine must not reset between taps), then a short
    # one from the last touch: the screen goes home once it has passed, however slow the run.
    driver = run_kiosk(idle_timeout_s=60.0)
    app = driver.app
    driver.tap(screen(driver, "home").ids.lookup)
    driver.wait_until(lambda: app.manager.current == "lookup", 5, "lookup")
    for key in ["H", "2", "1"]:
        driver.tap(driver.find(lambda w, k=key: getattr(w, "key", None) == k))
    assert screen(driver, "lookup").ids.code.text == "H21"
    shot(driver, tmp_path, "kiosk-lookup")
    app.kiosk.idle.timeout_s = 1.0
    app.kiosk.idle.touch()
    driver.wait_until(lambda: app.manager.current == "home", 10, "the idle return home")
    assert app.kiosk.lookup.code == ""
    app.kiosk.go("lookup")
    driver.pump(2)
    assert screen(driver, "lookup").ids.code.text != "H21"


def test_language_switch_turns_the_screens_english(run_kiosk, tmp_path):
    driver = run_kiosk()
    app = driver.app
    home = screen(driver, "home")
    assert home.ids.take_ticket.text_vi == "Lấy số thứ tự"
    driver.tap(driver.find_text("English"))
    driver.wait_until(lambda: app.lang == "en", 5, "English")
    assert home.ids.take_ticket.text_vi == "Take a ticket"
    assert home.ids.take_ticket.text_en == "Lấy số thứ tự"  # Vietnamese stays beside it
    shot(driver, tmp_path, "kiosk-home-english")
    app.kiosk.go_home()
    driver.pump(2)
    assert app.lang == "vi"  # the next citizen starts in Vietnamese


def test_malformed_code_gets_a_helpful_screen(run_kiosk, tmp_path):
    driver = run_kiosk()
    app = driver.app
    driver.tap(screen(driver, "home").ids.lookup)
    for key in ["1", "2", "3"]:
        driver.tap(driver.find(lambda w, k=key: getattr(w, "key", None) == k))
    driver.tap(screen(driver, "lookup").ids.submit)
    driver.wait_until(lambda: app.manager.current == "dossier", 5, "the answer screen")
    dossier = screen(driver, "dossier")
    assert dossier.ids.title.text == "Đây không phải mã hồ sơ"
    shot(driver, tmp_path, "kiosk-dossier-malformed")
    driver.tap(dossier.ids.edit)
    driver.wait_until(lambda: app.manager.current == "lookup", 5, "back to the keypad")
    assert screen(driver, "lookup").ids.code.text == "123"  # kept, to correct it


def test_full_and_closed_services_are_shown_as_such(tmp_path):
    import datetime as dt
    import zoneinfo

    from kiosk_support import kiosk_apps

    from hub.testing import start_hub

    now = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
    # Hours that exclude now, without wrapping past midnight.
    start = now + dt.timedelta(hours=2) if now.hour < 20 else now - dt.timedelta(hours=4)
    opens, closes = start.strftime("%H:00"), (start + dt.timedelta(hours=1)).strftime("%H:00")
    office = {
        "services": [
            {"code": "A", "prefix": "A", "name_vi": "A – Đất đai", "name_en": "A – Land",
             "daily_limit": 1},
            {"code": "B", "prefix": "B", "name_vi": "B – Hộ tịch", "name_en": "B – Civil status",
             "opens_at": opens, "closes_at": closes},
            {"code": "C", "prefix": "C", "name_vi": "C – Kinh doanh", "name_en": "C – Business"},
        ],
        "counters": [{"number": 1, "name": "Quầy 1", "services": ["A", "B", "C"]}],
    }  # fmt: skip
    hub = start_hub(tmp_path / "hub", office=office)
    try:
        status, _ = hub.request("POST", "/api/v1/tickets", {"service": "A"}, token=hub.kiosk_token)
        assert status == 201  # the day's only A ticket
        with kiosk_apps(hub, tmp_path) as start_kiosk:
            driver = start_kiosk()
            app = driver.app
            app.kiosk.go("services")
            driver.wait_until(lambda: len(app.kiosk.services.services) == 3, 5, "the services")
            driver.pump(3)
            full, closed, open_ = (driver.find_text(n) for n in ("Đất đai", "Hộ tịch", "Kinh"))
            assert full.disabled and full.text_en == "Hôm nay đã hết số"
            assert closed.disabled and closed.text_en == f"Đang ngoài giờ (mở lúc {opens})"
            assert not open_.disabled and "người đang chờ" in open_.text_en
            shot(driver, tmp_path, "kiosk-services-full-closed")
    finally:
        hub.stop()


def test_waiting_counts_follow_the_hub_live(run_kiosk, hub_process):
    # Polling once an hour: only the event stream can bring the new count in time.
    driver = run_kiosk(refresh_s=3600.0)
    app = driver.app
    driver.tap(screen(driver, "home").ids.take_ticket)
    driver.wait_until(
        lambda: any(getattr(w, "service_code", None) for w in app.root.walk()), 5, "services"
    )
    before = app.kiosk.services.find("A").waiting
    driver.pump(20)  # let the event stream connect
    for _ in range(2):  # two citizens take tickets at another kiosk
        status, _body = hub_process.request(
            "POST", "/api/v1/tickets", {"service": "A"}, token=hub_process.kiosk_token
        )
        assert status == 201
    driver.wait_until(
        lambda: app.kiosk.services.find("A").waiting == before + 2, 5, "the live count"
    )
    driver.wait_until(
        lambda: f"{before + 2} người đang chờ" in driver.find_text("Đất đai, xây dựng").text_en,
        5,
        "the count on screen",
    )


def test_home_shows_the_notice_and_opening_hours_live(tmp_path):
    from kiosk_support import kiosk_apps

    from hub.testing import start_hub

    office = {
        "services": [
            {"code": "A", "prefix": "A", "name_vi": "A – Đất đai", "name_en": "A – Land",
             "opens_at": "00:00", "closes_at": "23:59"},
            {"code": "B", "prefix": "B", "name_vi": "B – Hộ tịch", "name_en": "B – Civil status",
             "opens_at": "00:00", "closes_at": "23:59"},
        ],
        "counters": [{"number": 1, "name": "Quầy 1", "services": ["A", "B"]}],
    }  # fmt: skip
    hub = start_hub(tmp_path / "hub", office=office)
    try:
        with kiosk_apps(hub, tmp_path) as start_kiosk:
            driver = start_kiosk()
            home = screen(driver, "home")
            driver.wait_until(lambda: home.ids.hours.text, 5, "the opening hours")
            assert home.ids.hours.text == "Giờ tiếp nhận hồ sơ: 00:00–23:59"
            assert home.ids.notice.text == ""  # no notice, no empty box
            driver.pump(20)  # the event stream connects
            status, _ = hub.request(
                "PUT", "/api/v1/notice",
                {"text_vi": "Thứ Bảy làm việc đến 11:30 [b]", "text_en": "Saturday: until 11:30"},
                token=hub.admin_token(),
            )  # fmt: skip
            assert status == 200
            driver.wait_until(lambda: "Thứ Bảy" in home.ids.notice.text, 5, "the notice")
            assert "Saturday: until 11:30" in home.ids.notice.text  # English beside it
            assert "&bl;b&br;" in home.ids.notice.text  # an admin's brackets stay text
            shot(driver, tmp_path, "kiosk-home-notice-hours")
    finally:
        hub.stop()
