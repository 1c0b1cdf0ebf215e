"""The office console in headless Chromium against a real hub process: login, the day, the
notice, and a kiosk's paper-out alert arriving on the dashboard without a reload.

Screenshots (1366×768 and 390×844) land in the test's folder, and in ``$MOTCUA_SHOTS`` when set.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from hub.testing import HubProcess
from tests.hub.browser_support import CHROMIUM_ARGS, check, shoot, shots


@pytest.mark.browser
def test_login_day_notice_and_a_live_paper_alert(hub_process: HubProcess, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    hub = hub_process
    folder = shots(tmp_path)
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on(  # a script or style the page's policy refused shows here too
                "console", lambda m: errors.append(m.text) if m.type == "error" else None
            )
            page.goto(hub.url + "/")
            assert "Đăng nhập cho cán bộ" in page.inner_text("main")
            page.click("text=Đăng nhập cho cán bộ")
            page.wait_for_selector("#username")
            check(page)
            shoot(page, folder, "console-login-1366.png")
            # By keyboard, as a person would: the name field has focus; Tab, then Enter.
            page.keyboard.type(hub.admin["username"])
            page.keyboard.press("Tab")
            page.keyboard.type(hub.admin["password"])
            page.keyboard.press("Enter")
            page.wait_for_selector("#live")
            assert "Ngày làm việc" in page.inner_text("#day-state")

            # Live from the event stream: with refreshes a minute apart, a ticket issued at the
            # kiosk shows in the waiting count within seconds, without a reload.
            page.add_init_script(
                "document.addEventListener('htmx:sseOpen', () => { window.sseOpen = true; })"
            )
            page.goto(hub.url + "/console/?poll=60")
            page.wait_for_function(
                "() => window.sseOpen === true"
            )  # the dashboard follows the stream
            status, _ = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)
            assert status == 201
            page.wait_for_function(
                "() => document.querySelector('[data-service=A]').innerText.trim() === '1'",
                timeout=6000,
            )
            # By keyboard again: Tab reaches the close button (focus visible), Enter presses it.
            for _ in range(40):
                page.keyboard.press("Tab")
                if "Đóng ngày" in page.evaluate("document.activeElement.innerText || ''"):
                    break
            else:
                pytest.fail("Tab never reached the close-the-day button")
            page.keyboard.press("Enter")
            page.wait_for_selector("#close-warning")
            assert "Phiếu của 1 người đang chờ sẽ bị hủy" in page.inner_text("#close-warning")
            check(page)
            page.click("#confirm-close")
            page.wait_for_selector("text=1 phiếu đang chờ đã bị hủy")
            assert "Ngày làm việc đã đóng" in page.inner_text("#day-state")
            status, _ = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)
            assert status == 409
            page.click("text=Mở ngày làm việc")
            page.wait_for_selector("text=Đã mở ngày làm việc")
            assert "Không có cảnh báo" in page.inner_text(".alerts")

            page.click("nav >> text=Thông báo và giờ làm việc")
            page.fill("#text_vi", "Chiều nay bộ phận một cửa nghỉ họp từ 15:00")
            page.fill("#text_en", "Closed for a meeting from 15:00 this afternoon")
            page.click("#save-notice")
            page.wait_for_selector("text=Đã lưu thông báo")
            check(page)
            shoot(page, folder, "console-notice-1366.png")
            status, notice = hub.request("GET", "/api/v1/notice")
            assert notice["text_vi"] == "Chiều nay bộ phận một cửa nghỉ họp từ 15:00"

            page.click("nav >> text=Tổng quan")
            page.wait_for_selector("#live")
            printer = {"kind": "FakePrinter", "online": True, "paper": "out", "detail": ""}
            status, _ = hub.request(
                "POST", "/api/v1/devices/heartbeat",
                {"status": {"app": "kiosk", "version": "0.1", "printer": printer}},
                hub.kiosk_token,
            )  # fmt: skip
            assert status == 204
            alert = page.wait_for_selector(".alert.danger", timeout=12000)  # no reload
            assert "Máy in ở Kiosk sảnh (demo) hết giấy" in alert.inner_text()
            assert "Printer at Kiosk sảnh (demo) is out of paper" in alert.inner_text()
            check(page)
            shoot(page, folder, "console-dashboard-1366.png")

            page.set_viewport_size({"width": 390, "height": 844})
            page.reload()
            page.wait_for_selector(".alert.danger")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, "the dashboard spills sideways on a phone"
            shoot(page, folder, "console-dashboard-390.png")

            page.set_viewport_size({"width": 1366, "height": 768})
            page.click("nav >> text=Thiết bị")
            page.select_option("#role", "kiosk")
            page.click("button:has-text('Tạo mã đăng ký thiết bị')")
            code = page.inner_text("#enrol-code")
            assert len(code) == 9 and code[4] == "-"
            check(page)
            shoot(page, folder, "console-devices-1366.png")
            page.click("nav >> text=Tài khoản cán bộ")
            page.wait_for_selector("#accounts")
            check(page)
            shoot(page, folder, "console-accounts-1366.png")
            page.click("nav >> text=Thiết lập bộ phận")
            page.wait_for_selector("text=Dịch vụ, theo thứ tự ưu tiên")
            check(page)
            shoot(page, folder, "console-office-1366.png")
            page.goto(hub.url + "/console/backups")
            check(page)
            page.click("#backup-now")
            page.click("a:has-text('Khôi phục') >> nth=0")
            page.wait_for_selector("#lost")  # what a restore would undo, before any button
            check(page)
            shoot(page, folder, "console-restore-1366.png")
            page.goto(hub.url + "/console/procedures")
            page.wait_for_selector("#save-procedures")
            check(page)
            shoot(page, folder, "console-procedures-1366.png")
            page.goto(hub.url + "/console/audit")
            check(page)
            shoot(page, folder, "console-audit-1366.png")
            page.set_viewport_size({"width": 390, "height": 844})
            for path in ("/", "/console/notice", "/console/devices", "/console/accounts",
                         "/console/office", "/console/audit", "/console/backups",
                         "/console/procedures"):  # fmt: skip
                page.goto(hub.url + path)
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
                name = path.strip("/").replace("console/", "") or "front"
                shoot(page, folder, f"console-{name.replace('console', 'dashboard')}-390.png")
            page.set_viewport_size({"width": 1366, "height": 768})

            page.click("nav button:has-text('Đăng xuất')")
            page.wait_for_selector("#username")
            page.goto(hub.url + "/console/")
            page.wait_for_selector("#username")  # the session is gone
        finally:
            browser.close()
    assert errors == []
    if folder != tmp_path:
        return
    for name in ("console-login-1366.png", "console-dashboard-1366.png"):
        assert (tmp_path / name).stat().st_size > 10_000
    keep = os.environ.get("MOTCUA_SCREENSHOTS")
    if keep:
        for png in tmp_path.glob("console-*.png"):
            shutil.copy(png, Path(keep) / png.name)
