"""The console's Outbox page in headless Chromium: a back end that is down and an item it
refused, as an admin sees them, at desk and phone widths.

Screenshots land in the test's folder, and in ``$MOTCUA_SHOTS`` when set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.testing import HubProcess, start_hub
from hub.upstream.testing import SimProcess
from tests.hub.browser_support import (
    CHROMIUM_ARGS,
    check,
    console_login,
    shoot,
    shots,
    watch_errors,
)
from tests.hub.test_outbox_process import issue, outbox_settings, pending, post, rows, wait_for


@pytest.fixture
def troubled(tmp_path: Path) -> Iterator[tuple[HubProcess, SimProcess]]:
    sim = SimProcess(dossiers=5, seed=8)
    hub = None
    try:
        post(sim, "/sim/outbox/refuse", {"types": ["day.opened"]})
        hub = start_hub(tmp_path / "hub", settings=outbox_settings(sim))
        yield hub, sim
    finally:
        if hub is not None:
            hub.stop()
        sim.stop()


@pytest.mark.browser
@pytest.mark.slow
def test_the_outbox_page_shows_a_backlog_the_error_and_a_refused_item(
    troubled: tuple[HubProcess, SimProcess], tmp_path: Path
) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    hub, sim = troubled
    issue(hub)  # day.opened (refused) and the ticket (delivered) go in one batch, then apart
    wait_for(lambda: rows(hub, "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL")[0][0])
    wait_for(lambda: not pending(hub) or None)
    sim.set_mode("down")
    for _ in range(4):
        issue(hub)
    folder = shots(tmp_path)
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            watch_errors(page, errors)
            console_login(page, hub)
            page.wait_for_selector("nav")
            page.click("nav >> text=Hộp thư đi")
            page.wait_for_selector("#outbox-pending")

            def shows_the_error() -> bool:  # the page is a snapshot: reload until it tells
                page.reload()
                return "HTTP 503" in page.inner_text("main")

            wait_for(shows_the_error)
            text = page.inner_text("main")
            assert "Hệ thống một cửa hiện chưa nhận được dữ liệu" in text
            assert page.inner_text("#outbox-pending") == "4"
            assert page.inner_text("#outbox-failed") == "1"
            assert "day.opened" in page.inner_text("#outbox-refused")
            assert page.is_visible("#outbox-requeue")
            check(page)
            shoot(page, folder, "console-outbox-1366.png")
            page.set_viewport_size({"width": 390, "height": 844})
            page.reload()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            shoot(page, folder, "console-outbox-390.png")
        finally:
            browser.close()
    assert errors == []
    assert (folder / "console-outbox-1366.png").stat().st_size > 10_000
