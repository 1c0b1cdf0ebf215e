"""The public pages in headless Chromium against a real hub process, at 390 px (a phone) and
1920 px (a TV or a desk): dossier lookup by form and by the receipt's QR link, procedures,
the waiting-room board following calls live, and the lookup widget framed by a portal page
served from another origin (which may frame the widget and nothing else).

Screenshots land in the test's folder, in ``$MOTCUA_SHOTS`` when set, and are copied to
``$MOTCUA_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub import db
from hub.dossiers.cache import DossierCache
from hub.testing import HubProcess, free_port
from hub.upstream.mapping import Mapping
from tests.hub.browser_support import CHROMIUM_ARGS, check, shots
from tests.hub.test_dossier_lookup import CODE, portal

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1920, "height": 1080}


@pytest.fixture
def portal_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A stand-in for the agency's portal: static files from another origin (localhost)."""
    root = tmp_path / "portal"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def public_hub(
    tmp_path: Path, bundled_catalogue: Path, portal_site: tuple[str, Path]
) -> Iterator[HubProcess]:
    """A hub with the bundled procedures, a dossier in its cache, and the portal allowed to
    frame its widget."""
    hub = HubProcess(tmp_path / "hub", {"embed_origins": [portal_site[0]]})
    conn = sqlite3.connect(hub.db_path)
    conn.execute("ATTACH DATABASE ? AS bundled", (str(bundled_catalogue),))
    conn.execute("INSERT INTO procedures SELECT * FROM bundled.procedures")  # indexed at start
    conn.commit()
    conn.close()
    store = db.Store(hub.db_path)
    steps = [
        {"TenBuocXuLy": "Tiếp nhận hồ sơ", "DonViXuLy": "Bộ phận Một cửa",
         "NgayBatDau": "20261105083000", "NgayKetThuc": "20261105100000"},
        {"TenBuocXuLy": "Thẩm định hồ sơ", "DonViXuLy": "Phòng Quản lý đô thị",
         "NgayBatDau": "20261105100000"},
    ]  # fmt: skip
    record = portal(NgayTiepNhan="20261105083000", NgayHenTra="20261220170000",
                    QuaTrinhXuLy=steps)  # fmt: skip
    DossierCache(store).put_many([Mapping().clean_dossier(record)], source="sync")
    store.close()
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


def _narrow(page: Any, path: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path


@pytest.mark.browser
def test_public_pages_on_a_phone_and_a_wide_screen(
    public_hub: HubProcess, portal_site: tuple[str, Path], tmp_path: Path
) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    hub = public_hub
    folder = shots(tmp_path)
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE, device_scale_factor=2)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            refused = "the server responded with a status of 400"  # the bad code, on purpose

            # The front page leads to the lookup; the code typed as people type it.
            page.goto(hub.url + "/")
            page.click("text=Tra cứu hồ sơ")
            page.wait_for_selector("#ma")
            page.fill("#ma", "h21.22 - 241105 - 0012")
            page.keyboard.press("Enter")
            page.wait_for_selector("#status")
            assert page.url.endswith("/tra-cuu?ma=h21.22+-+241105+-+0012")
            assert "Đang xử lý" in page.inner_text("#status")
            assert "Being processed" in page.inner_text("#status")
            assert "Việc cần làm tiếp" in page.inner_text("#next")
            assert "20/12/2026" in page.inner_text("#due")
            assert "Cập nhật vừa xong" in page.inner_text("#fresh")
            assert "Nguyễn V** A*" in page.inner_text("main")
            check(page)
            _narrow(page, "/tra-cuu")
            page.screenshot(path=str(folder / "public-lookup-390.png"), full_page=True)

            # What the receipt's QR code opens; then a code that cannot be one.
            page.goto(f"{hub.url}/tra-cuu/{CODE}")
            assert "Đang xử lý" in page.inner_text("#status")
            answer = page.goto(f"{hub.url}/tra-cuu/H21.22-241305-0012")
            assert answer is not None and answer.status == 400
            assert "Đây không phải mã hồ sơ" in page.inner_text("#problem")
            assert "yyMMdd" in page.inner_text("#reason")
            check(page)
            _narrow(page, "/tra-cuu bad")
            page.screenshot(path=str(folder / "public-lookup-bad-390.png"), full_page=True)

            # Procedures: search without diacritics, open one.
            page.click("nav >> text=Thủ tục hành chính")
            page.fill("#q", "giay phep xay dung")
            page.keyboard.press("Enter")
            page.wait_for_selector("#results")
            first = page.locator("#results a").first
            assert "giấy phép xây dựng" in first.inner_text().lower()
            check(page)
            _narrow(page, "/thu-tuc?q=")
            page.screenshot(path=str(folder / "public-procedures-390.png"), full_page=True)
            first.click()
            page.wait_for_selector("#documents")
            assert page.inner_text("#time").strip() and page.inner_text("#agency").strip()
            check(page)
            _narrow(page, "procedure")
            page.screenshot(path=str(folder / "public-procedure-390.png"), full_page=True)
            page.goto(hub.url + "/nhung")
            _narrow(page, "/nhung")

            # The same pages wide.
            page.set_viewport_size(WIDE)
            page.goto(f"{hub.url}/tra-cuu/{CODE}")
            page.screenshot(path=str(folder / "public-lookup-1920.png"), full_page=True)
            page.goto(hub.url + "/thu-tuc")
            page.wait_for_selector("#fields")
            check(page)
            page.screenshot(path=str(folder / "public-procedures-1920.png"), full_page=True)
            page.goto(hub.url + "/nhung")
            snippet = page.inner_text("#snippet")
            frame = page.frame_locator("iframe.preview")
            frame.locator("#ma").fill(CODE)
            frame.locator("#ma").press("Enter")
            frame.locator("#status").wait_for()
            page.screenshot(path=str(folder / "public-embed-1920.png"), full_page=True)

            # The waiting-room board on a 1920x1080 TV, following calls live.
            clerk = hub.clerk_token(1)
            page.goto(hub.url + "/bang?highlight=30")
            page.wait_for_function("() => document.querySelector('#counters').children.length >= 2")
            assert "Chưa gọi số nào" in page.inner_text("#call-counter")
            status, _ = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)
            assert status == 201
            page.wait_for_function(
                "() => document.querySelector('#waiting').innerText.includes('1')", timeout=8000
            )
            hub.request("POST", "/api/v1/tickets", {"service": "C"}, hub.kiosk_token)
            status, _ = hub.request("POST", "/api/v1/counters/1/call-next", token=clerk)
            assert status == 200
            page.wait_for_function(
                "() => document.querySelector('#call-number').innerText === 'A001'", timeout=8000
            )
            assert "Quầy 1" in page.inner_text("#call-counter")
            assert "lit" in page.get_attribute("#call", "class")  # a fresh call lights the board
            hub.request("POST", "/api/v1/counters/1/call-next", token=clerk)
            page.wait_for_function(
                "() => document.querySelector('#call-number').innerText === 'C001'", timeout=8000
            )
            assert "A001" in page.inner_text("#recent")
            status, _ = hub.request(
                "PUT", "/api/v1/notice",
                {"text_vi": "Chiều nay nghỉ họp từ 15:00", "text_en": "Closed from 15:00"},
                hub.admin_token(),
            )  # fmt: skip
            assert status == 200
            page.wait_for_selector("#ticker:not([hidden])", timeout=8000)
            assert "Chiều nay nghỉ họp" in page.inner_text("#notice")
            assert page.evaluate("document.documentElement.scrollHeight") <= WIDE["height"]
            check(page)
            page.screenshot(path=str(folder / "public-board-1920.png"))
            assert "Nguyễn Thị Lan" not in page.content()  # the clerk at counter 1
            page.set_viewport_size(PHONE)
            page.wait_for_timeout(100)  # one frame for the resize to be drawn
            page.screenshot(path=str(folder / "public-board-390.png"))

            # The hub goes away: the board says so and keeps what it had; back, it follows on.
            page.set_viewport_size(WIDE)
            outage = len(errors)
            hub.stop()
            page.wait_for_selector("#offline:not([hidden])", timeout=8000)
            assert page.inner_text("#call-number") == "C001"
            page.screenshot(path=str(folder / "public-board-offline-1920.png"))
            hub.start()
            page.wait_for_selector("#offline", state="hidden", timeout=15000)
            # The browser logs each refused reconnection while the hub was away: expected.
            assert all("ERR_CONNECTION_REFUSED" in e for e in errors[outage:]), errors[outage:]
            del errors[outage:]
            clerk = hub.clerk_token(1)  # the restart kept the session; log in again anyway
            hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)
            hub.request("POST", "/api/v1/counters/1/call-next", token=clerk)
            page.wait_for_function(
                "() => document.querySelector('#call-number').innerText === 'A002'", timeout=8000
            )
            assert "C001" in page.inner_text("#recent")

            # A zone: counters 3 to 5 do not show counter 1's calls.
            page.set_viewport_size(WIDE)
            page.goto(hub.url + "/bang?counters=3,4,5")
            page.wait_for_function("() => document.querySelector('#waiting').children.length > 0")
            assert page.inner_text("#call-number") == ""
            assert "Quầy 1" not in page.inner_text("#counters")
            page.close()

            # The portal frames the widget (the snippet as copied) and nothing else.
            origin, root = portal_site
            (root / "index.html").write_text(
                "<!doctype html><meta charset=utf-8><h1>Cổng thông tin</h1>\n"
                + snippet
                + f'\n<iframe id="other" src="{hub.url}/tra-cuu"></iframe>',
                encoding="utf-8",
            )
            portal_page = browser.new_page(viewport=PHONE)
            portal_page.goto(origin + "/index.html")
            widget = portal_page.frame_locator("iframe[title]").first
            widget.locator("#ma").fill(CODE)
            widget.locator("#ma").press("Enter")
            widget.locator("#status").wait_for()
            assert "Đang xử lý" in widget.locator("#status").inner_text()
            handle = portal_page.query_selector("#other")
            other = handle.content_frame() if handle is not None else None
            assert other is None or other.query_selector("#ma") is None  # refused to be framed
            portal_page.screenshot(path=str(folder / "public-widget-on-portal-390.png"))
        finally:
            browser.close()
    assert [e for e in errors if refused not in e] == []
    assert snippet.startswith(f'<iframe src="{hub.url}/nhung/tra-cuu"')
    keep = os.environ.get("MOTCUA_SCREENSHOTS")
    if keep:
        for png in folder.glob("public-*.png"):
            shutil.copy(png, Path(keep) / png.name)
