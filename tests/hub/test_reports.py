"""Reports in the console: today's figures live from the tickets, past days from the summaries
(rebuilt when a day changes), the Decision 766 indicators, lookups by channel, exports, the
public statistics page, and who may see them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3

import pytest
from openpyxl import load_workbook

from hub.reports import sample
from hub.reports.periods import BadPeriod, parse, period
from hub.reports.queue_report import quantile
from tests.hub.conftest import TZ, Office
from tests.hub.test_console import csrf_of, login

DAY = "2026-11-30"  # the fixture's Monday
ROUTES = [
    "/console/reports/",
    "/console/reports/export/by_service.csv",
    "/console/reports/export/all.xlsx",
    "/console/reports/print",
    "/console/reports/print.pdf",
]


def as_admin(office: Office) -> None:
    assert login(office.client, **office.creds["admin"]).status_code == 303


def serve(office: Office, service: str, counter: int, wait_s: int, desk_s: int, level: int | None):
    """Issue a ticket, call it after ``wait_s`` at ``counter``, serve it ``desk_s``, rate it."""
    ticket = office.issue(service)
    office.advance(wait_s)
    assert office.act(counter, "call-next")[0] == 200
    assert office.act(counter, "start")[0] == 200
    office.advance(desk_s)
    assert office.act(counter, "finish")[0] == 200
    if level is not None:
        status, body = office.req(
            "POST", f"/tickets/{ticket['id']}/rating", {"level": level}, office.clerk(counter)
        )
        assert status == 201, body
    return ticket


def cell(html: str, table: str, row: str, column: int) -> str:
    """The text of a body cell: ``row`` is the row header's text, ``column`` counts from 1."""
    body = re.search(rf'<table id="table-{table}".*?</table>', html, re.S)
    assert body, f"no table {table}"
    for tr in re.findall(r"<tr>(.*?)</tr>", body.group(0), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        if cells and re.sub("<[^>]+>", "", cells[0]).strip().startswith(row):
            return re.sub("<[^>]+>", "", cells[column]).strip()
    raise AssertionError(f"no row {row!r} in {table}")


def test_clerks_and_strangers_are_refused(office: Office) -> None:
    for path in [*ROUTES, "/console/reports/?period=year"]:
        answer = office.client.get(path)
        assert answer.status_code == 302, path  # to the login page
        assert "/console/login" in answer.headers["Location"]
    office.client.set_cookie("motcua_console", office.clerk(1))  # a clerk's real session
    for path in ROUTES:
        assert office.client.get(path).status_code == 403, path


@pytest.mark.parametrize("who", ["admin", "supervisor"])
def test_admin_and_supervisor_see_the_report(office: Office, who: str) -> None:
    assert login(office.client, **office.creds[who]).status_code == 303
    page = office.client.get("/console/reports/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Báo cáo" in html and "Tháng 11/2026" in html
    assert 'href="/console/reports/"' in html  # the console's menu leads here


def test_today_is_live_and_a_closed_day_comes_from_its_summary(office: Office) -> None:
    as_admin(office)
    serve(office, "A", 1, 240, 600, 1)  # 4 min wait, 10 min at the desk, very satisfied
    serve(office, "A", 1, 600, 300, 5)  # 10 + 4 (the first one's desk time) = 14 min wait
    office.issue("B")  # still waiting
    html = office.client.get(f"/console/reports/?period=day&date={DAY}").get_data(as_text=True)
    assert cell(html, "by_service", "A –", 1) == "2"  # issued
    assert cell(html, "by_service", "A –", 2) == "2"  # served
    assert cell(html, "by_service", "B –", 1) == "1"
    assert cell(html, "by_service", "A –", 7) == "10"  # the longest service, minutes
    assert cell(html, "by_service", "A –", 12) == "50,0 %"  # one of two unhappy
    assert 'id="total-issued">3<' in html
    by_clerk = office.client.get(f"/console/reports/?period=day&date={DAY}&group=clerk")
    assert cell(by_clerk.get_data(as_text=True), "by_clerk", "Nguyễn Thị Lan", 2) == "2"
    conn = sqlite3.connect(office.app.config["MOTCUA"].db_path)
    assert conn.execute("SELECT count(*) FROM report_days").fetchone()[0] == 0  # today: live

    office.advance(86400)  # Tuesday: Monday is read from its summary, built on first use
    as_admin(office)  # (the session of yesterday has expired)
    again = office.client.get(f"/console/reports/?period=day&date={DAY}").get_data(as_text=True)
    assert conn.execute("SELECT day FROM report_days").fetchall() == [(DAY,)]
    assert cell(again, "by_service", "A –", 1) == "2"
    assert cell(again, "by_service", "A –", 12) == "50,0 %"
    # A change to Monday's tickets (here a late cancel, as a backfill would) drops its summary,
    # and the next report counts it.
    with office.app.extensions["motcua.store"].write() as w:
        w.execute("UPDATE tickets SET state = 'cancelled' WHERE day = ? AND service = 'B'", (DAY,))
    assert conn.execute("SELECT count(*) FROM report_days").fetchone()[0] == 0
    later = office.client.get(f"/console/reports/?period=day&date={DAY}").get_data(as_text=True)
    assert cell(later, "by_service", "B –", 4) == "1"  # cancelled
    conn.close()


def raw_waits(conn: sqlite3.Connection, first: str, last: str) -> dict[str, list[int]]:
    """Per service, the wait of every called ticket in whole minutes, from the tickets."""
    waits: dict[str, list[int]] = {}
    for service, w in conn.execute(
        "SELECT service, called_at - issued_at FROM tickets WHERE called_at IS NOT NULL"
        " AND day BETWEEN ? AND ?",
        (first, last),
    ):
        waits.setdefault(service, []).append(max(0, round(w / 60)))
    return waits


def check_waits(html: str, waits: dict[str, list[int]]) -> None:
    for service, values in waits.items():
        minutes = sorted(values)
        median = minutes[-(-len(minutes) // 2) - 1]  # nearest rank
        p90 = minutes[-(-len(minutes) * 9 // 10) - 1]
        assert cell(html, "by_service", f"{service} –", 5) == str(median), service
        assert cell(html, "by_service", f"{service} –", 6) == str(p90), service
        assert cell(html, "by_service", f"{service} –", 7) == str(minutes[-1]), service


def test_summaries_and_month_rollups_give_the_medians_of_the_raw_tickets(office: Office) -> None:
    path = office.app.config["MOTCUA"].db_path
    conn = sqlite3.connect(path, isolation_level=None)
    days = sample.working_days(dt.date(2026, 11, 27), 50)  # from mid-September
    conn.execute("BEGIN")
    counters = {1: (["A", "C"], "lan"), 2: (["A"], "minh"), 3: (["B", "D"], "hoa")}
    sample.tickets(conn, days, 60, ["A", "B", "C", "D"], counters, "Asia/Ho_Chi_Minh")
    conn.execute("COMMIT")
    as_admin(office)
    url = "/console/reports/?period=range&date=2026-09-25&to=2026-11-27"
    check_waits(office.client.get(url).get_data(as_text=True),
                raw_waits(conn, "2026-09-25", "2026-11-27"))  # fmt: skip
    # October is read from its rollup; a change to one of its days is seen all the same
    assert conn.execute("SELECT 1 FROM report_days WHERE day = 'M2026-10'").fetchone()
    with office.app.extensions["motcua.store"].write() as w:
        w.execute(
            "UPDATE tickets SET called_at = issued_at + 9000 WHERE id = (SELECT min(id)"
            " FROM tickets WHERE day = '2026-10-14' AND called_at IS NOT NULL)"
        )
    assert not conn.execute("SELECT 1 FROM report_days WHERE day = 'M2026-10'").fetchone()
    html = office.client.get(url).get_data(as_text=True)
    check_waits(html, raw_waits(conn, "2026-09-25", "2026-11-27"))
    assert "150" in [cell(html, "by_service", f"{s} –", 7) for s in "ABCD"]  # the longest wait
    conn.close()


def test_quantiles_and_periods() -> None:
    assert quantile({}, 0.5) is None
    assert quantile({3: 1, 5: 1, 9: 2}, 0.5) == 5
    assert quantile({3: 1, 5: 1, 9: 2}, 0.9) == 9
    assert period("week", dt.date(2026, 12, 2)).first == dt.date(2026, 11, 30)
    q = period("quarter", dt.date(2026, 11, 15))
    assert (q.first, q.last) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert q.shifted(1).first == dt.date(2027, 1, 1)
    assert period("month", dt.date(2026, 2, 10)).last == dt.date(2026, 2, 28)
    with pytest.raises(BadPeriod, match="ends before it starts"):
        parse("range", "2026-11-30", "2026-11-01", dt.date(2026, 12, 1))
    with pytest.raises(BadPeriod, match="not a day"):
        parse("month", "30/11/2026", "", dt.date(2026, 12, 1))


def test_a_bad_period_is_refused_with_its_reason(office: Office) -> None:
    as_admin(office)
    answer = office.client.get("/console/reports/?period=range&date=2026-11-30&to=2026-11-01")
    assert answer.status_code == 400
    assert "the range ends before it starts" in answer.get_data(as_text=True)
    assert office.client.get("/console/reports/?period=year").status_code == 400
    assert office.client.get("/console/reports/?group=mood").status_code == 400


def put_dossiers(office: Office) -> None:
    rows = [  # code, procedure, received, due, finished, status, channel
        ("H21.22-261102-0001", "1.001", "2026-11-02T08:00:00+07:00", "2026-11-09T17:00:00+07:00",
         "2026-11-05T10:00:00+07:00", 10, "online"),  # early
        ("H21.22-261102-0002", "1.001", "2026-11-02T08:00:00+07:00", "2026-11-09T17:00:00+07:00",
         "2026-11-09T16:00:00+07:00", 9, "in_person"),  # on time
        ("H21.22-261102-0003", "1.002", "2026-11-02T08:00:00+07:00", "2026-11-09T17:00:00+07:00",
         "2026-11-12T09:00:00+07:00", 10, "in_person"),  # late
        ("H21.22-261102-0004", "1.002", "2026-11-03T08:00:00+07:00", "2026-11-20T17:00:00+07:00",
         None, 4, "online"),  # still being processed
        ("H21.22-261001-0005", "9.999", "2026-10-01T08:00:00+07:00", "2026-10-10T17:00:00+07:00",
         "2026-11-03T09:00:00+07:00", 10, "post"),  # received in October, settled late
    ]  # fmt: skip
    with office.app.extensions["motcua.store"].write() as w:
        w.executemany(
            "INSERT INTO procedures (code, name_key, name, field, updated_at)"
            " VALUES (?, ?, ?, ?, 0)",
            [("1.001", "khai sinh", "Đăng ký khai sinh", "Hộ tịch"),
             ("1.002", "cap phep", "Cấp giấy phép xây dựng", "Xây dựng")],
        )  # fmt: skip
        w.executemany(
            "INSERT INTO dossiers (code, procedure_code, received_at, due_at, finished_at, status,"
            " channel, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
            rows,
        )


def test_decision_766_indicators_per_field(office: Office) -> None:
    put_dossiers(office)
    as_admin(office)
    html = office.client.get("/console/reports/?period=month&date=2026-11-01").get_data(
        as_text=True
    )
    assert cell(html, "dossiers", "Hộ tịch", 1) == "2"  # settled
    assert cell(html, "dossiers", "Hộ tịch", 5) == "100,0 %"  # before or on time
    assert cell(html, "dossiers", "Xây dựng", 3) == "0"
    assert cell(html, "dossiers", "Xây dựng", 4) == "1"  # late
    assert cell(html, "dossiers", "chưa rõ lĩnh vực", 4) == "1"  # unknown procedure, late
    assert cell(html, "dossiers", "Xây dựng", 11) == "50,0 %"  # received online
    assert 'id="in-time-rate">50,0 %<' in html  # 2 of 4 settled in November
    assert "Tỷ lệ hồ sơ trực tuyến: số hồ sơ tiếp nhận trực tuyến" in html  # the definition
    # The back end reports the open one settled on its appointment day: the cache replaces the
    # row (INSERT OR REPLACE, as hub.dossiers.cache writes) and the daily counts follow.
    with office.app.extensions["motcua.store"].write() as w:
        w.execute(
            "INSERT OR REPLACE INTO dossiers (code, procedure_code, received_at, due_at,"
            " finished_at, status, channel, fetched_at) VALUES ('H21.22-261102-0004', '1.002',"
            " '2026-11-03T08:00:00+07:00', '2026-11-20T17:00:00+07:00',"
            " '2026-11-20T11:00:00+07:00', 10, 'online', 1)"
        )
    html = office.client.get("/console/reports/?period=month&date=2026-11-01").get_data(
        as_text=True
    )
    assert 'id="in-time-rate">60,0 %<' in html  # 3 of 5
    assert cell(html, "dossiers", "Xây dựng", 11) == "50,0 %"  # received once, not twice


def test_lookups_are_counted_by_channel_and_cache(office: Office) -> None:
    put_dossiers(office)
    for token in (office.kiosk, office.kiosk, None):
        status, _ = office.req("GET", "/dossiers/H21.22-261102-0001", token=token)
        assert status == 200
    status, _ = office.req("GET", "/dossiers/H21.22-261102-0099")
    assert status == 404
    as_admin(office)
    html = office.client.get(f"/console/reports/?period=day&date={DAY}").get_data(as_text=True)
    assert cell(html, "lookups", "Ki-ốt", 1) == "2"
    assert cell(html, "lookups", "Ki-ốt", 2) == "2"  # from the cache
    assert cell(html, "lookups", "Trang web", 1) == "2"
    assert cell(html, "lookups", "Trang web", 4) == "1"  # not found


def test_csv_and_xlsx_hold_every_table(office: Office) -> None:
    serve(office, "A", 1, 120, 300, 2)
    put_dossiers(office)
    as_admin(office)
    query = "period=month&date=2026-11-01"
    answer = office.client.get(f"/console/reports/export/by_service.csv?{query}")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "bao-cao-by_service-2026-11-01-2026-11-30.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Dịch vụ · Service", "Đã cấp · Issued", "Đã phục vụ · Served"]
    assert rows[1][:3] == ["A – Đất đai, xây dựng", "1", "1"]
    assert rows[-1][0] == "Tổng cộng · Total"
    dossiers = office.client.get(f"/console/reports/export/dossiers.csv?{query}")
    last = list(csv.reader(io.StringIO(dossiers.data.decode("utf-8-sig"))))[-1]
    assert last[5] == "50.0"  # shares in per cent, machine-readable
    book = office.client.get(f"/console/reports/export/all.xlsx?{query}")
    assert book.status_code == 200
    wb = load_workbook(io.BytesIO(book.data))
    assert wb.sheetnames == ["by_service", "hours", "ratings", "dossiers", "lookups"]
    sheet = wb["by_service"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == office.app.config["MOTCUA"].agency_name
    assert values[4][:3] == ["A – Đất đai, xây dựng", 1, 1]
    assert office.client.get(f"/console/reports/export/nope.csv?{query}").status_code == 404
    assert office.client.get(f"/console/reports/export/all.csv?{query}").status_code == 404


def test_without_chromium_the_pdf_says_so_and_the_print_view_works(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_CHROMIUM", "/nonexistent/chromium")
    serve(office, "A", 1, 120, 300, 1)
    as_admin(office)
    answer = office.client.get("/console/reports/print.pdf")
    assert answer.status_code == 503
    assert "Không tạo được tệp PDF" in answer.get_data(as_text=True)
    assert "Chromium is not installed" in answer.get_data(as_text=True)
    page = office.client.get("/console/reports/print").get_data(as_text=True)
    assert "BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ TRẢ KẾT QUẢ" in page
    assert "Người lập biểu" in page and "Thủ trưởng đơn vị" in page
    assert "Tháng 11/2026" in page
    html = office.client.get("/console/reports/").get_data(as_text=True)
    assert "print.pdf" not in html  # no link to what cannot work


def test_public_statistics_without_login_and_rate_limited(office: Office) -> None:
    put_dossiers(office)
    serve(office, "A", 1, 120, 300, 1)
    answer = office.client.get("/thong-ke")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "Thống kê phục vụ" in html
    assert "50,0 %" in html and "2 trên 4 hồ sơ" in html  # on time, this month
    assert "100,0 %" in html  # satisfaction
    assert "Nguyễn" not in html and "H21.22" not in html  # no person, no dossier
    statuses = [office.client.get("/thong-ke").status_code for _ in range(40)]
    assert 429 in statuses
    refused = office.client.get("/thong-ke")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_the_clerk_of_each_ticket_is_kept(office: Office) -> None:
    serve(office, "B", 3, 60, 60, None)
    conn = sqlite3.connect(office.app.config["MOTCUA"].db_path)
    assert conn.execute("SELECT clerk FROM tickets").fetchall() == [("hoa",)]
    conn.close()
    assert TZ is not None and csrf_of  # (shared helpers stay imported for the browser test)
