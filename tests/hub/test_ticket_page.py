"""The public ticket page in headless Chromium: bilingual, live, and small-screen friendly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from hub.testing import HubProcess
from tests.hub.browser_support import CHROMIUM_ARGS


@pytest.mark.browser
def test_ticket_page_follows_the_ticket_live(hub_process: HubProcess, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    hub = hub_process
    k = hub.kiosk_token
    hub.request("POST", "/api/v1/tickets", {"service": "A"}, token=k)
    status, mine = hub.request(
        "POST", "/api/v1/tickets", {"service": "A", "priority": False}, token=k
    )
    assert status == 201
    clerk = hub.clerk_token(2)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 760}, device_scale_factor=2)
            page.goto(f"{mine['status_url']}?poll=1000")
            page.wait_for_selector("#number")
            assert page.inner_text("#number") == "A002"
            assert "A – Đất đai, xây dựng" in page.inner_text("#service")
            assert "Land and construction" in page.inner_text("#service")
            assert "Còn 1 người trước bạn" in page.inner_text("#ahead")
            assert "1 ahead of you" in page.inner_text("#ahead")
            assert "Thời gian chờ dự kiến" in page.inner_text("#wait")
            page.screenshot(path=str(tmp_path / "ticket-waiting.png"), full_page=True)
            hub.request("POST", "/api/v1/counters/2/call-next", token=clerk)  # A001
            page.wait_for_function(
                "document.querySelector('#ahead').innerText.includes('Bạn là người tiếp theo')",
                timeout=8000,
            )
            hub.request("POST", "/api/v1/counters/2/call-next", token=clerk)  # A002: mine
            page.wait_for_function(
                "document.querySelector('#status').innerText.includes('Mời bạn đến Quầy 2')",
                timeout=8000,
            )
            assert "Please go to Quầy 2" in page.inner_text("#status")
            assert page.inner_text("#ahead") == ""
            page.screenshot(path=str(tmp_path / "ticket-called.png"), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390  # nothing spills sideways on a phone
            missing = page.goto(f"{hub.url}/t/not-a-ticket")
            assert missing is not None and missing.status == 404
        finally:
            browser.close()
    keep = os.environ.get("MOTCUA_SCREENSHOTS")
    if keep:  # for a person to look at
        for name in ("ticket-waiting.png", "ticket-called.png"):
            shutil.copy(tmp_path / name, Path(keep) / name)
