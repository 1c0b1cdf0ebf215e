"""The reports in headless Chromium against a real hub process: the report page with its SVG
charts and tables, then the printable monthly report as a PDF, turned into PNG pages.

The screenshot and the pages land in the test's folder, and in ``$MOTCUA_SHOTS`` when set.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hub.testing import HubProcess
from tests.hub.browser_support import CHROMIUM_ARGS, check, console_login, shots, watch_errors


def _serve_some(hub: HubProcess) -> None:
    """Three tickets at counter 1: two served and rated, one still waiting."""
    clerk = hub.clerk_token(1)
    for level in (1, 4):
        status, ticket = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)
        assert status == 201, ticket
        for action in ("call-next", "start", "finish"):
            status, body = hub.request("POST", f"/api/v1/counters/1/{action}", None, clerk)
            assert status == 200, (action, body)
        status, body = hub.request(
            "POST", f"/api/v1/tickets/{ticket['id']}/rating", {"level": level}, clerk
        )
        assert status == 201, body
    assert hub.request("POST", "/api/v1/tickets", {"service": "B"}, hub.kiosk_token)[0] == 201


@pytest.mark.browser
def test_report_page_and_its_pdf(hub_process: HubProcess, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    hub = hub_process
    _serve_some(hub)
    folder = shots(tmp_path)
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            watch_errors(page, errors)
            console_login(page, hub, "/console/reports/")
            page.wait_for_selector("#table-by_service")
            page.click("#today")  # today's report, live from the tickets
            page.wait_for_url("**period=day**")
            # the form again, grouped by clerk
            page.select_option("#group", "clerk")
            page.click("#report-form button[type=submit]")
            page.wait_for_url("**group=clerk**")
            assert "Nguyễn Thị Lan" in page.inner_text("#table-by_clerk")
            assert page.inner_text("#total-issued") == "3"
            assert page.inner_text("#total-satisfaction") == "50,0 %"  # one of two unhappy
            # the charts are SVG drawn by the hub, each with a bar per service
            assert page.locator("#queue svg.chart").count() == 2
            assert page.locator("#queue svg.chart").first.locator("rect").count() == 2
            check(page)
            page.screenshot(path=str(folder / "reports-1366.png"), full_page=True)

            pdf_url = page.get_attribute("a[href*='print.pdf']", "href")
            assert pdf_url
            answer = page.request.get(hub.url + pdf_url)  # the browser's own session
            assert answer.status == 200
            assert answer.headers["content-type"] == "application/pdf"
            pdf = folder / "report.pdf"
            pdf.write_bytes(answer.body())
        finally:
            browser.close()
    assert errors == []
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in ("BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ TRẢ KẾT QUẢ", "Người lập biểu",
                  "Thủ trưởng đơn vị", "Tổng cộng", "50,0 %", "Theo cán bộ"):  # fmt: skip
        assert words in text, words
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "(A4)" in info.stdout
    pages = str(folder / "report-page")
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), pages], check=True)
    assert sorted(p.name for p in folder.glob("report-page-*.png"))[:1] == ["report-page-1.png"]
