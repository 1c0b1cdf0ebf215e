"""Restoring a backup from the console, on a real hub process: the page names what is lost, the
hub restarts as the same process with the backup's data, and the console says how it went."""

from __future__ import annotations

import http.cookiejar
import re
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from hub import backup
from hub.testing import HubProcess

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """Just enough of a browser for the console's forms: cookies, redirects, CSRF tokens."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = None if form is None else urllib.parse.urlencode(form).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=10) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def submit(self, page: str, path: str, form: dict[str, str]) -> tuple[int, str]:
        """Send ``form`` to ``path`` with the CSRF token of the form at ``page``."""
        status, html = self.open(page)
        assert status == 200, html
        token = CSRF.search(html)
        assert token, "no form token"
        return self.open(path, {"csrf": token.group(1), **form})


def wait_for_restart(hub: HubProcess, below: int, timeout: float = 30.0) -> int:
    """Wait until the hub answers again with an event log that went back below ``below``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert hub.proc is not None and hub.proc.poll() is None, hub.log()
        try:
            status, body = hub.request("GET", "/healthz", timeout=1.0)
        except OSError:
            status, body = 0, None
        if status == 200 and body["last_event_id"] < below:
            return body["last_event_id"]
        time.sleep(0.05)
    raise AssertionError(f"the hub did not come back restored:\n{hub.log()}")


@pytest.mark.slow
def test_a_restore_from_the_console_brings_the_backup_back(hub_process: HubProcess) -> None:
    hub = hub_process
    kept = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)[1]
    written = backup.backup(hub.db_path, hub.workdir / "backups", 3)
    later = [hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)[1]
             for _ in range(2)]  # fmt: skip
    newest = hub.request("GET", "/healthz")[1]["last_event_id"]
    supervisor = hub.proc.pid if hub.proc else 0

    browser = Browser(hub.url)
    status, _ = browser.submit("/console/login", "/console/login", dict(hub.admin, next=""))
    assert status == 200  # the dashboard, after the login's redirect
    page = f"/console/backups/{written.name}/restore"
    status, html = browser.open(page)
    assert status == 200 and "2 phiếu số thứ tự" in html  # the two tickets issued since
    # Without the box ticked nothing happens.
    status, html = browser.submit(page, page, {})
    assert status == 200 and "Tôi đã hiểu" in html
    assert hub.request("GET", f"/api/v1/tickets/{later[0]['token']}")[0] == 200

    status, html = browser.submit(page, page, {"confirm": "1"})
    assert status == 202 and "Hub đang khởi động lại" in html
    wait_for_restart(hub, below=newest)
    assert hub.proc is not None and hub.proc.pid == supervisor  # the same process, started again

    assert hub.request("GET", f"/api/v1/tickets/{kept['token']}")[0] == 200
    assert hub.request("GET", f"/api/v1/tickets/{later[0]['token']}")[0] == 404
    again = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)[1]
    assert again["number"] == "A002"  # numbering follows the restored data
    # The session was made after the backup: logged out, and the login shows the result.
    assert browser.open("/console/backups")[0] == 200  # (the login form, after the redirect)
    browser.submit("/console/login", "/console/login", dict(hub.admin, next=""))
    status, html = browser.open("/console/backups")
    assert status == 200 and f"Đã khôi phục từ {written.name}" in html
    with sqlite3.connect(hub.db_path) as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY id")]
    assert actions[-3:] == ["backup.restore", "ticket.issue", "session.login"]
    assert list(Path(hub.db_path).parent.glob("hub.sqlite3.before-restore-*"))


def test_a_restore_request_waits_for_the_next_start(tmp_path: Path) -> None:
    """A hub stopped by other means (a power cut) applies the request when it starts again."""
    from hub import restore

    hub = HubProcess(tmp_path / "hub")
    hub.start()
    try:
        kept = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)[1]
        written = backup.backup(hub.db_path, tmp_path / "backups", 3)
        lost = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)[1]
        assert restore.would_lose(hub.db_path, written)["tickets"] == 1
        restore.request(hub.db_path, written, "admin")
        hub.kill()
        hub.start()
        assert hub.request("GET", f"/api/v1/tickets/{kept['token']}")[0] == 200
        assert hub.request("GET", f"/api/v1/tickets/{lost['token']}")[0] == 404
        assert restore.pending(hub.db_path) is None
        assert restore.last_result(hub.db_path)["ok"] is True
    finally:
        hub.stop()
