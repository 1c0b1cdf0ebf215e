"""The office console through Flask's test client: login, CSRF, roles, what each form changes."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from hub import core
from tests.hub.conftest import Office, make_office

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def office(tmp_path: Path, seeded_db: tuple[Path, dict[str, Any]]) -> Iterator[Office]:
    """The demo office, with its backups in the test's own folder."""
    o = make_office(tmp_path, seeded_db, backup_dir=str(tmp_path / "backups"))
    try:
        yield o
    finally:
        core.shutdown(o.app)


def csrf_of(response: TestResponse) -> str:
    found = CSRF.search(response.get_data(as_text=True))
    assert found, "the page has no form token"
    return found.group(1)


def login(client: FlaskClient, username: str, password: str) -> TestResponse:
    """What a browser does: open the form, send it back with its token."""
    form = client.get("/console/login")
    return client.post(
        "/console/login",
        data={"csrf": csrf_of(form), "username": username, "password": password, "next": ""},
    )


def as_admin(office: Office) -> str:
    """Log the office's client in as the demo admin; the dashboard's form token."""
    answer = login(office.client, **office.creds["admin"])
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return csrf_of(office.client.get("/console/"))


def audit_actions(office: Office) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(office.app.config["MOTCUA"].db_path)
    try:
        return conn.execute("SELECT action, username, target FROM audit ORDER BY id").fetchall()
    finally:
        conn.close()


def test_the_front_page_is_bilingual_and_leads_staff_to_the_login(office: Office) -> None:
    page = office.client.get("/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Đăng nhập cho cán bộ" in text and "Staff log in" in text
    assert 'href="/console/login"' in text
    assert "cdn" not in text.lower() and "https://" not in text


def test_console_pages_send_a_stranger_to_the_login_and_refuse_changes(office: Office) -> None:
    for path in ("/console/", "/console/live", "/console/notice", "/console/devices"):
        answer = office.client.get(path)
        assert answer.status_code == 302, path
        assert answer.headers["Location"].startswith("/console/login?next=")
    changes = ("/console/day/close", "/console/notice", "/console/hours", "/console/devices/code",
               "/console/devices/1/revoke", "/console/logout")  # fmt: skip
    for path in changes:
        assert office.client.post(path, data={"csrf": "x"}).status_code == 403, path


def test_login_sets_a_strict_httponly_session_cookie(office: Office) -> None:
    answer = login(office.client, **office.creds["admin"])
    assert answer.status_code == 303 and answer.headers["Location"] == "/console/"
    cookie = next(
        c for c in answer.headers.getlist("Set-Cookie") if c.startswith("motcua_console=")
    )
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    dashboard = office.client.get("/console/")
    assert dashboard.status_code == 200
    assert "Quản trị viên" in dashboard.get_data(as_text=True)
    assert dashboard.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in dashboard.headers["Content-Security-Policy"]
    assert ("session.login", "admin", "console") in audit_actions(office)


def test_a_wrong_password_is_refused_and_audited(office: Office) -> None:
    answer = login(office.client, "admin", "not-the-password")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in text and "Wrong username or password" in text
    assert not any(c.startswith("motcua_console=") for c in answer.headers.getlist("Set-Cookie"))
    assert office.client.get("/console/").status_code == 302
    assert ("session.login_failed", "admin", "admin") in audit_actions(office)


def test_a_login_without_its_form_token_is_refused(office: Office) -> None:
    office.client.get("/console/login")  # the browser has its login cookie, but no token is sent
    answer = office.client.post("/console/login", data=dict(office.creds["admin"]))
    assert answer.status_code == 403
    assert "Biểu mẫu đã hết hạn" in answer.get_data(as_text=True)
    fresh = office.app.test_client()  # a token from another browser does not fit this one
    token = csrf_of(office.client.get("/console/login"))
    answer = fresh.post("/console/login", data={"csrf": token, **office.creds["admin"]})
    assert answer.status_code == 403
    assert ("session.login", "admin", "console") not in audit_actions(office)


def test_a_clerk_cannot_use_the_console(office: Office) -> None:
    clerk = office.creds["clerks"][0]
    answer = login(office.client, clerk["username"], clerk["password"])
    assert answer.status_code == 403
    assert "Tài khoản này không được dùng bảng điều hành" in answer.get_data(as_text=True)
    assert office.client.get("/console/").status_code == 302
    # Nor with a clerk's API session put in the cookie by hand.
    office.client.set_cookie("motcua_console", office.clerk(clerk["counter"]))
    assert office.client.get("/console/").status_code == 403
    assert office.client.post("/console/day/close", data={"csrf": "x"}).status_code == 403


def test_login_is_rate_limited_like_the_api(office: Office) -> None:
    limit = office.app.config["MOTCUA"].login_attempts_per_minute
    for _ in range(limit):
        assert login(office.client, "admin", "guess-guess").status_code == 401
    answer = login(office.client, **office.creds["admin"])  # even the right password now waits
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) >= 1
    assert "Thử quá nhiều lần" in answer.get_data(as_text=True)
    # The API shares the same buckets: guessing through it is no way around them.
    status, _ = office.req("POST", "/sessions", dict(office.creds["admin"]))
    assert status == 429


def test_every_change_needs_the_form_token(office: Office) -> None:
    as_admin(office)
    office.issue("A")
    before = audit_actions(office)
    for path, data in (
        ("/console/day/close", {}),
        ("/console/notice", {"text_vi": "Nghỉ", "text_en": "Closed"}),
        ("/console/hours", {"opens_at-A": "08:00"}),
        ("/console/devices/code", {"role": "kiosk"}),
        ("/console/devices/1/revoke", {}),
        ("/console/logout", {}),
    ):
        for token in (None, "0" * 64):
            form = dict(data) if token is None else {**data, "csrf": token}
            assert office.client.post(path, data=form).status_code == 403, (path, token)
    assert audit_actions(office) == before
    assert office.client.get("/console/").status_code == 200  # still logged in
    assert office.req("GET", "/notice")[1]["text_vi"] == ""


def test_closing_the_day_cancels_the_waiting_and_says_how_many(office: Office) -> None:
    token = as_admin(office)
    office.issue("A")
    office.issue("B")
    page = office.client.get("/console/").get_data(as_text=True)
    assert "Đóng ngày sẽ hủy 2 phiếu đang chờ." in page
    asked = office.client.post("/console/day/close", data={"csrf": token})
    assert asked.status_code == 200  # one more step: the page says what closing will do
    assert "Phiếu của 2 người đang chờ sẽ bị hủy" in asked.get_data(as_text=True)
    assert office.issue("A")["number"] == "A002"  # nothing closed yet
    answer = office.client.post(
        "/console/day/close", data={"csrf": token, "confirm": "1"}, follow_redirects=True
    )
    text = answer.get_data(as_text=True)
    assert "3 phiếu đang chờ đã bị hủy" in text and "3 waiting tickets were cancelled" in text
    assert "Ngày làm việc đã đóng" in text
    status, _ = office.req("POST", "/tickets", {"service": "A"}, office.kiosk)
    assert status == 409  # the kiosk cannot issue on a closed day
    answer = office.client.post("/console/day/open", data={"csrf": token}, follow_redirects=True)
    assert "Đã mở ngày làm việc" in answer.get_data(as_text=True)
    office.issue("A")
    assert [a[:2] for a in audit_actions(office) if a[0].startswith("day.")] == [
        ("day.close", "admin"),
        ("day.open", "admin"),
    ]


def test_the_notice_reaches_the_api_and_bad_hours_change_nothing(office: Office) -> None:
    token = as_admin(office)
    answer = office.client.post(
        "/console/notice",
        data={"csrf": token, "text_vi": "Chiều nay nghỉ", "text_en": "Closed this afternoon"},
    )
    assert answer.status_code == 303
    _status, notice = office.req("GET", "/notice")
    assert (notice["text_vi"], notice["text_en"]) == ("Chiều nay nghỉ", "Closed this afternoon")
    assert office.events()[-1]["type"] == "notice.updated"
    too_long = office.client.post("/console/notice", data={"csrf": token, "text_vi": "x" * 501})
    assert too_long.status_code == 400
    assert "Thông báo (tiếng Việt): tối đa 500 ký tự" in too_long.get_data(as_text=True)
    bad = office.client.post(
        "/console/hours", data={"csrf": token, "opens_at-A": "07:30", "closes_at-B": "25:00"}
    )
    assert bad.status_code == 400
    assert "Giờ đóng (B): ghi theo dạng GG:PP" in bad.get_data(as_text=True)
    backwards = office.client.post(
        "/console/hours", data={"csrf": token, "opens_at-A": "17:00", "closes_at-A": "07:00"}
    )
    assert backwards.status_code == 400
    body = office.req("GET", "/services")[1]
    assert all(s["opens_at"] is None for s in body["services"]), "a refused form changed hours"
    assert office.events()[-1]["type"] == "notice.updated"  # nothing told for refused forms
    ok = office.client.post(
        "/console/hours", data={"csrf": token, "opens_at-A": "07:30", "closes_at-A": "08:30"}
    )
    assert ok.status_code == 303
    # The apps hear of it on the event stream and load the office again.
    assert office.events()[-1]["type"] == "office.updated"
    body = office.req("GET", "/services")[1]
    service_a = next(s for s in body["services"] if s["code"] == "A")
    assert (service_a["opens_at"], service_a["closes_at"], service_a["state"]) == (
        "07:30",
        "08:30",
        "closed",
    )  # fmt: skip  (the fake clock says 09:00)


def test_an_enrolment_code_is_shown_once_and_enrols_a_device(office: Office) -> None:
    token = as_admin(office)
    bad = office.client.post("/console/devices/code", data={"csrf": token, "role": "printer"})
    assert bad.status_code == 400 and "Vai trò: lựa chọn không hợp lệ" in bad.get_data(as_text=True)
    made = office.client.post("/console/devices/code", data={"csrf": token, "role": "kiosk"})
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    code = re.search(r'id="enrol-code">(\d{4}-\d{4})<', made.get_data(as_text=True)).group(1)
    assert '<svg aria-hidden="true" class="qr"' in made.get_data(as_text=True)
    assert code not in office.client.get("/console/devices").get_data(as_text=True)
    status, enrolled = office.req("POST", "/devices/enroll", {"code": code, "name": "Kiosk tầng 2"})
    assert status == 201
    listing = office.client.get("/console/devices").get_data(as_text=True)
    assert "Kiosk tầng 2" in listing and "chưa bao giờ" in listing
    device = enrolled["device_id"]
    revoked = office.client.post(f"/console/devices/{device}/revoke", data={"csrf": token})
    assert revoked.status_code == 200
    assert f"Đã thu hồi thiết bị {device}" in revoked.get_data(as_text=True)
    status, _ = office.req("GET", "/sessions/current", token=enrolled["token"])
    assert status == 401
    again = office.client.post(f"/console/devices/{device}/revoke", data={"csrf": token})
    assert again.status_code == 404


def test_a_kiosk_out_of_paper_is_an_alert_on_the_dashboard(office: Office) -> None:
    as_admin(office)
    assert "Không có cảnh báo" in office.client.get("/console/live").get_data(as_text=True)
    printer = {"kind": "FakePrinter", "online": True, "paper": "out", "detail": ""}
    status = {"app": "kiosk", "version": "1.0", "printer": printer}
    assert office.req("POST", "/devices/heartbeat", {"status": status}, office.kiosk)[0] == 204
    live = office.client.get("/console/live").get_data(as_text=True)
    assert 'class="alert danger"' in live
    assert "Máy in ở Kiosk sảnh (demo) hết giấy" in live
    assert "Printer at Kiosk sảnh (demo) is out of paper" in live
    office.advance(6 * 60)  # and a kiosk that falls silent is a warning
    assert "Kiosk sảnh (demo) mất liên lạc 6 phút" in office.client.get("/console/live").get_data(
        as_text=True
    )


def test_logout_ends_the_session_everywhere(office: Office) -> None:
    token = as_admin(office)
    cookie = office.client.get_cookie("motcua_console")
    assert cookie is not None
    answer = office.client.post("/console/logout", data={"csrf": token})
    assert answer.status_code == 303
    assert office.client.get("/console/").status_code == 302
    assert office.req("GET", "/sessions/current", token=cookie.value)[0] == 401


def test_after_login_only_a_console_path_is_followed(office: Office) -> None:
    form = office.client.get("/console/login")
    answer = office.client.post(
        "/console/login",
        data={"csrf": csrf_of(form), **office.creds["admin"], "next": "https://evil.example/"},
    )
    assert answer.headers["Location"] == "/console/"


def test_every_console_text_has_its_vietnamese_in_the_hub_catalog(office: Office) -> None:
    from hub.web.texts import TEXTS

    translator = office.app.extensions["motcua.translator"]
    # A msgid the extractor files under another package's catalog would come out in English.
    same = [m for m in TEXTS if translator.gettext(m, "vi") == m]
    assert same == []


def test_the_dashboard_gives_the_days_figures_and_waits(office: Office) -> None:
    from hub.web import stats

    as_admin(office)
    for _ in range(3):
        office.issue("A")
    office.advance(120)
    assert office.act(2, "call-next")[0] == 200  # A001 after two minutes
    office.advance(240)
    live = office.client.get("/console/live").get_data(as_text=True)
    assert "6 phút" in live and "6 min" in live  # the oldest still waiting: issued 6 minutes ago
    assert "4 phút" in live  # counter 2 has been at A001 for four minutes
    conn = office.app.extensions["motcua.store"].conn()
    figures = stats.day_figures(conn, office.app.extensions["motcua.clock"].today())
    assert (figures["issued"], figures["served"], figures["no_show"]) == (3, 0, 0)
    assert (figures["mean_wait_min"], figures["p90_wait_min"]) == (2, 2)


def test_accounts_are_made_checked_reset_and_disabled(office: Office) -> None:
    token = as_admin(office)
    new = {"csrf": token, "username": "ha", "display_name": "Lê Thu Hà", "role": "supervisor",
           "password": "mật-khẩu-dài"}  # fmt: skip
    for bad, shown in (
        ({"username": "có dấu cách"}, "Tên đăng nhập: từ 1 đến 60 ký tự, không có dấu cách"),
        ({"display_name": ""}, "Họ và tên: từ 1 đến 80 ký tự"),
        ({"role": "boss"}, "Vai trò: lựa chọn không hợp lệ"),
        ({"password": "ngắn"}, "Mật khẩu: ít nhất 8 ký tự"),
        ({"username": "admin"}, "Tên đăng nhập: tên này đã có người dùng"),
    ):
        answer = office.client.post("/console/accounts", data={**new, **bad})
        assert answer.status_code == 400, bad
        assert shown in answer.get_data(as_text=True)
    assert office.client.post("/console/accounts", data=new).status_code == 303
    listing = office.client.get("/console/accounts").get_data(as_text=True)
    assert "Lê Thu Hà" in listing and "tổ trưởng" in listing and "pbkdf2" not in listing
    supervisor = office.app.test_client()
    assert login(supervisor, "ha", "mật-khẩu-dài").status_code == 303
    assert supervisor.get("/console/").status_code == 200
    reset = {"csrf": token, "password": "mật-khẩu-mới-1"}
    assert office.client.post("/console/accounts/ha/password", data=reset).status_code == 303
    assert supervisor.get("/console/").status_code == 302  # the reset ended Hà's session
    assert login(supervisor, "ha", "mật-khẩu-mới-1").status_code == 303
    off = {"csrf": token, "active": "0"}
    assert office.client.post("/console/accounts/ha/active", data=off).status_code == 303
    assert supervisor.get("/console/").status_code == 302
    assert login(supervisor, "ha", "mật-khẩu-mới-1").status_code == 401
    own = office.client.post("/console/accounts/admin/active", data=off)
    assert own.status_code == 400
    assert "Bạn không thể tự khóa tài khoản của mình" in own.get_data(as_text=True)
    by_admin = [a for a in audit_actions(office) if a[0].startswith("user.") and a[1] == "admin"]
    assert by_admin == [
        ("user.add", "admin", "ha"),
        ("user.password", "admin", "ha"),
        ("user.disable", "admin", "ha"),
    ]


def test_changing_ones_own_password(office: Office) -> None:
    token = as_admin(office)
    old = office.creds["admin"]["password"]
    for form, shown in (
        ({"current": "sai-mật-khẩu", "new": "mới-mới-mới", "again": "mới-mới-mới"},
         "Mật khẩu hiện tại: sai mật khẩu"),
        ({"current": old, "new": "ngắn", "again": "ngắn"}, "Mật khẩu mới: ít nhất 8 ký tự"),
        ({"current": old, "new": "mới-mới-mới", "again": "mới-mới-khác"},
         "Nhập lại mật khẩu mới: hai lần nhập không khớp"),
    ):  # fmt: skip
        answer = office.client.post("/console/password", data={"csrf": token, **form})
        assert answer.status_code == 400 and shown in answer.get_data(as_text=True)
    other = office.app.test_client()  # the same admin in another browser
    assert login(other, "admin", old).status_code == 303
    done = office.client.post(
        "/console/password",
        data={"csrf": token, "current": old, "new": "mới-mới-mới", "again": "mới-mới-mới"},
        follow_redirects=True,
    )
    assert "Đã đổi mật khẩu; vui lòng đăng nhập lại" in done.get_data(as_text=True)
    assert other.get("/console/").status_code == 302  # every session of the account ended
    assert login(office.app.test_client(), "admin", old).status_code == 401
    assert login(office.app.test_client(), "admin", "mới-mới-mới").status_code == 303


def test_the_audit_log_filters_and_pages(office: Office) -> None:
    token = as_admin(office)
    office.client.post("/console/day/close", data={"csrf": token, "confirm": "1"})
    for i in range(55):  # more than a page of notices
        office.client.post("/console/notice", data={"csrf": token, "text_vi": f"Thông báo {i}"})
    page = office.client.get("/console/audit?action=day.close").get_data(as_text=True)
    assert "<code>day.close</code>" in page and "<code>notice.update</code>" not in page
    assert "admin" in page and "Trang 1" in page
    first = office.client.get("/console/audit?action=notice.update").get_data(as_text=True)
    assert first.count("<code>notice.update</code>") == 50
    assert "page=2" in first and "Cũ hơn" in first
    second = office.client.get("/console/audit?action=notice.update&page=2").get_data(as_text=True)
    assert second.count("<code>notice.update</code>") == 5 and "Mới hơn" in second
    day = office.app.extensions["motcua.clock"].today()
    assert "day.close" in office.client.get(f"/console/audit?day={day}&who=admin").get_data(
        as_text=True
    )
    nobody = office.client.get("/console/audit?who=ai-đó&day=không-phải-ngày")
    assert nobody.status_code == 200 and "Không tìm thấy gì" in nobody.get_data(as_text=True)
    assert "pbkdf2" not in first and "token_hash" not in first


def test_office_setup_checks_each_field_and_the_queue_follows(office: Office) -> None:
    token = as_admin(office)
    counter = {"csrf": token, "number": "2", "name": "Quầy 2", "services": "C, A", "active": "1"}
    for bad, shown in (
        ({"number": "0"}, "Quầy: một số nguyên từ 1 đến 999"),
        ({"name": ""}, "Tên: từ 1 đến 40 ký tự"),
        ({"services": "A, Z"}, "Dịch vụ: các mã dịch vụ cách nhau bằng dấu phẩy"),
        ({"services": "A, A"}, "Dịch vụ: các mã dịch vụ cách nhau bằng dấu phẩy"),
    ):
        answer = office.client.post("/console/office/counters", data={**counter, **bad})
        assert answer.status_code == 400 and shown in answer.get_data(as_text=True), bad
    before = office.req("GET", "/counters")[1]["counters"][1]["services"]
    assert office.client.post("/console/office/counters", data=counter).status_code == 303
    after = office.req("GET", "/counters")[1]["counters"][1]["services"]
    assert (before, after) == (["A"], ["C", "A"])  # the live queue took the new order
    assert office.events()[-1]["type"] == "office.updated"  # and the apps are told
    service = {"csrf": token, "code": "E", "name_vi": "E – Thuế", "name_en": "E – Tax",
               "prefix": "E", "daily_limit": "50", "active": "1"}  # fmt: skip
    for bad, shown in (
        ({"code": "e-1"}, "Mã: từ 1 đến 10 chữ in hoa hoặc chữ số"),
        ({"daily_limit": "0"}, "Giới hạn số phiếu mỗi ngày: để trống"),
        ({"prefix": "QUÁ DÀI"}, "Tiền tố số phiếu: từ 1 đến 4 ký tự"),
    ):
        answer = office.client.post("/console/office/services", data={**service, **bad})
        assert answer.status_code == 400 and shown in answer.get_data(as_text=True), bad
    assert office.client.post("/console/office/services", data=service).status_code == 303
    listed = {s["code"]: s for s in office.req("GET", "/services")[1]["services"]}
    assert listed["E"]["name_vi"] == "E – Thuế" and listed["E"]["daily_limit"] == 50
    assert list(listed)[-1] == "E"  # a new service goes last, not first
    retire = {**service, "active": ""}
    del retire["active"]
    assert office.client.post("/console/office/services", data=retire).status_code == 303
    assert "E" not in {s["code"] for s in office.req("GET", "/services")[1]["services"]}
    assert ("service.update", "admin", "E") in audit_actions(office)


def test_backups_are_made_listed_and_downloaded_by_the_admin(office: Office) -> None:
    token = as_admin(office)
    listing = office.client.get("/console/backups").get_data(as_text=True)
    assert "Chưa có bản sao lưu nào" in listing
    assert office.client.post("/console/backups", data={"csrf": token}).status_code == 303
    listing = office.client.get("/console/backups?done=backup").get_data(as_text=True)
    name = re.search(r"motcua-\d{8}-\d{6}\.sqlite3", listing).group(0)
    assert "Đã sao lưu và kiểm tra bản sao" in listing
    with office.client.get(f"/console/backups/{name}") as got:  # (closes the file it sends)
        assert got.status_code == 200 and got.data[:16] == b"SQLite format 3\x00"
        assert "attachment" in got.headers["Content-Disposition"]
    assert office.client.get("/console/backups/..%2Fhub.sqlite3").status_code == 404
    assert office.client.get("/console/backups/motcua-20990101-000000.sqlite3").status_code == 404
    live = office.client.get("/console/live").get_data(as_text=True)
    assert "Lần sao lưu gần nhất" in live and "Không có cảnh báo" in live
    actions = [a[0] for a in audit_actions(office) if a[0].startswith("backup.")]
    assert actions == ["backup.create", "backup.download"]


def test_the_hubs_own_alerts() -> None:
    from hub.web.alerts import system_alerts

    now = 1_800_000_000.0
    assert system_alerts(None, (50, 100), now) == []  # no backup yet: nothing to compare with
    alerts = system_alerts(now - 30 * 3600, (5, 100), now)
    assert [(a.level, a.msgid, a.values) for a in alerts] == [
        ("danger", "The hub's disk is nearly full ({pct}% free)", {"pct": 5}),
        ("warning", "The last backup is {h} hours old", {"h": 30}),
    ]


def test_back_end_alerts() -> None:
    from hub.web.alerts import upstream_alerts

    now = 1_800_000_000.0
    healthy = {"failures": 0, "last_error": None, "last_success": now - 60}
    assert upstream_alerts(None, 300, now) == [] and upstream_alerts(healthy, 300, now) == []
    failing = {"failures": 3, "last_error": "timed out", "last_success": now - 600}
    assert [(a.level, a.values) for a in upstream_alerts(failing, 300, now)] == [
        ("danger", {"error": "timed out"})
    ]
    stale = {"failures": 1, "last_error": "timed out", "last_success": now - 900}
    assert [(a.level, a.values) for a in upstream_alerts(stale, 300, now)] == [
        ("warning", {"m": 15})
    ]


def test_hostile_numbers_are_refused_not_crashed_on(office: Office) -> None:
    token = as_admin(office)
    huge = "9" * 5000  # int() refuses more than 4,300 digits
    for path, form in (
        ("/console/office/counters", {"number": huge, "name": "X", "services": "A"}),
        ("/console/office/counters", {"number": "²", "name": "X", "services": "A"}),
        ("/console/office/services", {"code": "E", "name_vi": "E", "name_en": "E", "prefix": "E",
                                      "daily_limit": huge}),
        ("/console/devices/code", {"role": "counter", "counter": huge}),
    ):  # fmt: skip
        assert office.client.post(path, data={"csrf": token, **form}).status_code == 400, form
    assert office.client.get(f"/console/?done=day_closed&n={huge}").status_code == 200
    assert office.client.get(f"/console/audit?page={huge}").status_code == 200
    assert office.client.get("/console/?poll=" + huge).status_code == 200
