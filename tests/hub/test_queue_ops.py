"""Every queue operation, through the HTTP API of an app on a fake clock.

Demo office: counter 1 serves A then C, 2 serves A, 3 serves B then D, 4 B then A, 5 C, D, B.
"""

from __future__ import annotations

from hub.auth import accounts
from hub.queue import office as office_mod
from tests.hub.conftest import Office


def test_issue_numbers_each_service_from_one_and_reports_the_line(office: Office) -> None:
    a1 = office.issue("A")
    a2 = office.issue("A")
    b1 = office.issue("B")
    assert (a1["number"], a2["number"], b1["number"]) == ("A001", "A002", "B001")
    assert a2["state"] == "waiting"
    assert a2["ahead"] == 1
    assert a2["service_name_vi"] == "A – Đất đai, xây dựng"
    assert a2["status_url"] == f"http://hub.test/t/{a2['token']}"
    assert len(a2["token"]) >= 20
    status, services = office.req("GET", "/services")
    assert status == 200
    a = next(s for s in services["services"] if s["code"] == "A")
    assert (a["waiting"], a["issued_today"], a["state"]) == (2, 2, "open")


def test_call_next_calls_the_oldest_and_finishes_the_previous(office: Office) -> None:
    first = office.issue("A")
    second = office.issue("A")
    status, body = office.act(2, "call-next")
    assert status == 200
    assert body["ticket"]["id"] == first["id"]
    assert body["ticket"]["state"] == "called"
    assert body["counter"]["current"]["number"] == "A001"
    status, body = office.act(2, "call-next")
    assert body["ticket"]["id"] == second["id"]
    _, mine = office.req("GET", f"/tickets/{first['token']}")
    assert mine["state"] == "done"
    assert mine["counter"] == 2 and mine["counter_name"] == "Quầy 2"


def test_call_next_with_nobody_waiting_is_409_queue_empty(office: Office) -> None:
    status, body = office.act(2, "call-next")
    assert status == 409
    assert body["error"]["code"] == "queue_empty"


def test_counter_serves_its_services_in_order_of_preference(office: Office) -> None:
    c1 = office.issue("C")
    office.advance(5)
    a1 = office.issue("A")
    # Counter 1 prefers A over C even though C001 came first.
    assert office.act(1, "call-next")[1]["ticket"]["id"] == a1["id"]
    assert office.act(1, "call-next")[1]["ticket"]["id"] == c1["id"]


def test_priority_goes_first_but_never_starves_the_rest(office: Office) -> None:
    normal = [office.issue("A") for _ in range(2)]
    prio = [office.issue("A", priority=True, priority_reason="elderly") for _ in range(3)]
    called = [office.act(2, "call-next")[1]["ticket"]["id"] for _ in range(5)]
    # Two priority tickets, then an ordinary one, then the last priority one.
    assert called == [prio[0]["id"], prio[1]["id"], normal[0]["id"], prio[2]["id"], normal[1]["id"]]


def test_a_waiting_priority_ticket_knows_it_is_ahead_of_ordinary_ones(office: Office) -> None:
    office.issue("A")
    office.issue("A")
    prio = office.issue("A", priority=True)
    assert prio["ahead"] == 0
    assert prio["priority"] is True


def test_recall_start_finish(office: Office) -> None:
    office.issue("B")
    office.act(3, "call-next")
    status, body = office.act(3, "recall")
    assert status == 200 and body["ticket"]["recalls"] == 1
    status, body = office.act(3, "start")
    assert body["ticket"]["state"] == "serving" and body["ticket"]["started_at"]
    status, body = office.act(3, "recall")
    assert status == 409 and body["error"]["code"] == "conflict"
    status, body = office.act(3, "finish")
    assert body["ticket"]["state"] == "done"
    assert body["counter"]["current"] is None
    status, body = office.act(3, "finish")
    assert status == 409 and "no current ticket" in body["error"]["message"]


def test_no_show_then_requeue_puts_them_at_the_back_keeping_the_number(office: Office) -> None:
    late = office.issue("A")
    office.issue("A")
    office.act(2, "call-next")
    status, body = office.act(2, "no-show")
    assert body["ticket"]["state"] == "no_show"
    status, body = office.req("POST", f"/tickets/{late['id']}/requeue", None, office.clerk(2))
    assert status == 200
    assert body["state"] == "waiting" and body["number"] == "A001" and body["ahead"] == 1
    status, body = office.req("POST", f"/tickets/{late['id']}/requeue", None, office.clerk(2))
    assert status == 409


def test_call_a_given_number_including_a_returning_no_show(office: Office) -> None:
    office.issue("A")
    b = office.issue("A")
    status, body = office.act(2, "call", {"number": "a002"})
    assert status == 200 and body["ticket"]["id"] == b["id"]
    office.act(2, "no-show")
    status, body = office.act(2, "call", {"number": "A002"})
    assert status == 200 and body["ticket"]["state"] == "called"
    status, body = office.act(2, "call", {"number": "A999"})
    assert status == 404 and body["error"]["field"] == "number"


def test_transfer_to_a_service_goes_to_the_head_of_its_line(office: Office) -> None:
    office.issue("B")
    office.issue("B")
    mover = office.issue("A")
    office.act(2, "call-next")
    status, body = office.act(2, "transfer", {"service": "B"})
    assert status == 200
    assert body["ticket"]["state"] == "waiting"
    assert body["ticket"]["service"] == "B" and body["ticket"]["number"] == "A001"
    assert body["ticket"]["ahead"] == 0
    assert office.act(3, "call-next")[1]["ticket"]["id"] == mover["id"]


def test_transfer_to_a_counter_is_called_there_first(office: Office) -> None:
    office.issue("B")
    mover = office.issue("A")
    office.act(2, "call-next")
    status, body = office.act(2, "transfer", {"counter": 3})
    assert status == 200 and body["ticket"]["counter"] == 3
    assert office.act(3, "call-next")[1]["ticket"]["id"] == mover["id"]


def test_transfer_needs_exactly_one_target(office: Office) -> None:
    office.issue("A")
    office.act(2, "call-next")
    assert office.act(2, "transfer", {})[0] == 400
    assert office.act(2, "transfer", {"service": "B", "counter": 3})[0] == 400
    assert office.act(2, "transfer", {"counter": 2})[0] == 400
    status, body = office.act(2, "transfer", {"service": "Z"})
    assert status == 404 and body["error"]["field"] == "service"


def test_cancel_by_clerk_and_by_the_issuing_kiosk_within_two_minutes(office: Office) -> None:
    t1 = office.issue("A")
    t2 = office.issue("A")
    status, body = office.req("POST", f"/tickets/{t1['id']}/cancel", None, office.kiosk)
    assert status == 200 and body["state"] == "cancelled"
    office.advance(121)
    status, body = office.req("POST", f"/tickets/{t2['id']}/cancel", None, office.kiosk)
    assert status == 403
    status, body = office.req("POST", f"/tickets/{t2['id']}/cancel", None, office.clerk(2))
    assert status == 200
    assert office.act(2, "call-next")[0] == 409  # nobody left


def test_pause_and_resume(office: Office) -> None:
    office.issue("A")
    status, body = office.act(2, "pause")
    assert status == 200 and body["counter"]["state"] == "paused"
    status, body = office.act(2, "call-next")
    assert status == 409 and "paused" in body["error"]["message"]
    assert office.act(2, "pause")[0] == 409
    status, body = office.act(2, "resume")
    assert body["counter"]["state"] == "open"
    assert office.act(2, "call-next")[0] == 200


def test_estimated_wait_follows_recent_service_times_and_open_counters(office: Office) -> None:
    for _ in range(4):
        office.issue("A")
    for _ in range(3):  # three services of 10 minutes each at counter 2
        office.act(2, "call-next")
        office.advance(600)
        office.act(2, "finish")
    office.issue("A")
    office.issue("A")
    last = office.issue("A")
    # Counters 1, 2 and 4 serve A; only 2 is open (its clerk logged in): 3 ahead x 600 s.
    assert last["ahead"] == 3
    assert last["estimated_wait_s"] == 1800
    office.clerk(1)
    _, services = office.req("GET", "/services")
    a = next(s for s in services["services"] if s["code"] == "A")
    assert a["waiting"] == 4
    assert a["estimated_wait_s"] == 4 * 600 // 2


def test_numbering_restarts_at_the_configured_hour_and_history_is_kept(office: Office) -> None:
    old = office.issue("A")
    office.issue("A")
    office.advance(20 * 3600)  # Tuesday 05:00: still Monday's business day (starts 06:00)
    assert office.issue("A")["number"] == "A003"
    office.advance(3600)  # 06:00
    fresh = office.issue("A")
    assert fresh["number"] == "A001" and fresh["day"] == "2026-12-01"
    assert fresh["ahead"] == 0  # yesterday's line is not today's
    _, kept = office.req("GET", f"/tickets/{old['token']}")
    assert kept["day"] == "2026-11-30" and kept["number"] == "A001"


def test_close_day_cancels_the_waiting_and_stops_issuing_until_reopened(office: Office) -> None:
    office.issue("A")
    admin = office.admin()
    status, body = office.req("POST", "/day/close", None, admin)
    assert status == 200 and body["cancelled"] == 1
    status, body = office.req("POST", "/tickets", {"service": "A"}, office.kiosk)
    assert status == 409 and body["error"]["code"] == "service_closed"
    assert office.req("POST", "/day/close", None, admin)[0] == 409
    assert office.req("POST", "/day/open", None, admin)[0] == 200
    assert office.issue("A")["number"] == "A002"  # numbering continues within the day


def test_opening_hours_and_daily_limit(office: Office) -> None:
    hours = {"opens_at": "10:00", "closes_at": "17:00"}
    with office.app.extensions["motcua.store"].write() as w:
        office_mod.load(w, {"services": [
            {"code": "A", "name_vi": "A", "name_en": "A", **hours},
            {"code": "B", "name_vi": "B", "name_en": "B", "daily_limit": 1},
        ]})  # fmt: skip
    status, body = office.req("POST", "/tickets", {"service": "A"}, office.kiosk)
    assert status == 409 and body["error"]["code"] == "service_closed"  # 09:00, opens at 10:00
    office.advance(3600)
    assert office.issue("A")["number"] == "A001"
    assert office.issue("B")["number"] == "B001"
    status, body = office.req("POST", "/tickets", {"service": "B"}, office.kiosk)
    assert status == 409 and body["error"]["code"] == "service_full"
    _, services = office.req("GET", "/services")
    assert next(s for s in services["services"] if s["code"] == "B")["state"] == "full"


def test_idempotency_key_makes_a_double_tap_harmless(office: Office) -> None:
    headers = {"Idempotency-Key": "3f1c7a7e-tap"}
    s1, t1 = office.req("POST", "/tickets", {"service": "A"}, office.kiosk, headers)
    s2, t2 = office.req("POST", "/tickets", {"service": "A"}, office.kiosk, headers)
    assert (s1, s2) == (201, 201)
    assert t1 == t2
    assert office.issue("A")["number"] == "A002"  # the repeat did not take a number
    office.act(2, "call-next")
    h = {"Idempotency-Key": "call-1"}
    first = office.req("POST", "/counters/2/call-next", None, office.clerk(2), h)
    again = office.req("POST", "/counters/2/call-next", None, office.clerk(2), h)
    assert first == again
    _, counters = office.req("GET", "/counters")
    assert next(c for c in counters["counters"] if c["number"] == 2)["current"]["number"] == "A002"


def test_every_change_is_an_event_with_who_and_the_fresh_services(office: Office) -> None:
    start = office.events()[-1]["id"] if office.events() else 0
    office.issue("A")
    office.act(2, "call-next")
    events = office.events(start)
    types = [e["type"] for e in events]
    assert "ticket.issued" in types and "ticket.called" in types
    called = next(e for e in events if e["type"] == "ticket.called")
    assert called["counter"]["number"] == 2
    assert called["by"]["counter"] == 2 and called["by"]["name"]
    assert "minh" not in str(called)  # the clerk's username is half a login: never public
    assert called["services"][0]["code"] == "A" and called["services"][0]["waiting"] == 0
    assert "token" not in called["ticket"]
    ids = [e["id"] for e in office.events()]
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # dense ids, no gaps


def test_rating_once_per_served_ticket(office: Office) -> None:
    t = office.issue("A")
    office.act(2, "call-next")
    status, body = office.req("POST", f"/tickets/{t['id']}/rating", {"level": 1}, office.clerk(2))
    assert status == 409  # called, not yet served
    office.act(2, "finish")
    status, body = office.req("POST", f"/tickets/{t['id']}/rating", {"level": 1}, office.clerk(2))
    assert status == 201 and body["rating"]["clerk"] == "minh"
    assert office.req("POST", f"/tickets/{t['id']}/rating", {"level": 2}, office.clerk(2))[0] == 409
    status, body = office.req("POST", f"/tickets/{t['id']}/rating", {"level": 6}, office.clerk(2))
    assert status == 400 and body["error"]["field"] == "level"


def test_only_the_counter_that_served_a_ticket_rates_it(office: Office) -> None:
    t = office.issue("A")
    office.act(2, "call-next")
    office.act(2, "finish")
    rate = f"/tickets/{t['id']}/rating"
    other_device = office.creds["counters"]["1"]["token"]
    for token in (office.clerk(1), other_device):
        status, body = office.req("POST", rate, {"level": 5}, token)
        assert status == 403 and "served at another counter" in body["error"]["message"]
    start = office.events()[-1]["id"]
    serving_device = office.creds["counters"]["2"]["token"]
    assert office.req("POST", rate, {"level": 4}, serving_device)[0] == 201
    (rated,) = office.events(start)
    assert rated["type"] == "rating.created"
    assert rated["rating"] == {"ticket_id": t["id"], "counter": 2}  # not the level, not the clerk


def test_notice_and_print_reports(office: Office) -> None:
    admin = office.admin()
    status, _ = office.req(
        "PUT", "/notice", {"text_vi": "Nghỉ trưa 11:30–13:30", "text_en": "Lunch"}, admin
    )
    assert status == 200
    assert office.req("GET", "/notice")[1]["text_vi"] == "Nghỉ trưa 11:30–13:30"
    t = office.issue("A")
    status, _ = office.req(
        "POST", f"/tickets/{t['id']}/print", {"ok": False, "detail": "hết giấy"}, office.kiosk
    )
    assert status == 204
    conn = office.app.extensions["motcua.store"].conn()
    assert conn.execute("SELECT detail FROM print_reports").fetchone()[0] == "hết giấy"


def test_state_snapshot_agrees_with_the_event_log(office: Office) -> None:
    office.issue("A")
    office.act(2, "call-next")
    status, state = office.req("GET", "/state")
    assert status == 200
    assert state["last_event_id"] == office.events()[-1]["id"]
    assert state["recent_calls"][0]["number"] == "A001"
    assert {c["number"] for c in state["counters"]} == {1, 2, 3, 4, 5}


def test_audit_trail_says_who_did_what_when_from_which_device(office: Office) -> None:
    office.issue("A")
    office.act(2, "call-next")
    conn = office.app.extensions["motcua.store"].conn()
    rows = conn.execute(
        "SELECT at, username, device_id, role, action, target FROM audit"
        " WHERE action IN ('ticket.issue', 'ticket.called', 'session.login') ORDER BY id"
    ).fetchall()
    kiosk_id = office.creds["kiosk"]["device_id"]
    panel_id = office.creds["counters"]["2"]["device_id"]
    assert [tuple(r)[1:] for r in rows] == [
        (None, kiosk_id, "kiosk", "ticket.issue", "A001"),
        ("minh", panel_id, "clerk", "session.login", "2"),
        ("minh", panel_id, "clerk", "ticket.called", "A001"),
    ]
    assert all(r[0] == office.now for r in rows)


def test_a_clock_jump_across_the_day_boundary_never_reopens_or_repeats(office: Office) -> None:
    first = office.issue("A")
    office.advance(24 * 3600)  # the clock jumps to the next morning
    tomorrow = office.issue("A")
    assert (tomorrow["day"], tomorrow["number"]) == ("2026-12-01", "A001")
    office.advance(-24 * 3600 - 60)  # and is set back across midnight again
    again = office.issue("A")
    assert (again["day"], again["number"]) == ("2026-12-01", "A002")  # the later day stays
    assert office.act(1, "call-next")[1]["ticket"]["number"] == "A001"
    assert office.act(1, "call-next")[1]["ticket"]["number"] == "A002"
    conn = office.app.extensions["motcua.store"].conn()
    numbers = conn.execute("SELECT day, number FROM tickets ORDER BY id").fetchall()
    assert [tuple(row) for row in numbers] == [
        ("2026-11-30", first["number"]), ("2026-12-01", "A001"), ("2026-12-01", "A002"),
    ]  # fmt: skip


def test_a_supervisor_runs_the_day_and_the_notice_but_not_the_office(office: Office) -> None:
    with office.app.extensions["motcua.store"].write() as conn:
        accounts.add_user(conn, "ha", "mật-khẩu-dài", "supervisor", "Lê Thu Hà")
    status, body = office.req("POST", "/sessions", {"username": "ha", "password": "mật-khẩu-dài"})
    assert status == 201, body
    ha = body["token"]
    assert office.req("PUT", "/notice", {"text_vi": "Nghỉ trưa", "text_en": "Lunch"}, ha)[0] == 200
    assert office.req("GET", "/notice")[1]["text_vi"] == "Nghỉ trưa"
    office.issue("A")
    status, body = office.req("POST", "/day/close", None, ha)
    assert status == 200, body
    assert office.req("POST", "/tickets", {"service": "A"}, office.kiosk)[0] == 409
    assert office.req("POST", "/day/open", None, ha)[0] == 200
    office.issue("A")
    # Serving at a counter stays the clerks' (and the admin's).
    assert office.req("POST", "/counters/2/call-next", None, ha)[0] == 403
