"""The office's priority rules, set in the console (admin): which reasons it accepts, the age
from which the elderly have priority, and how many priority calls a counter makes in a row."""

from __future__ import annotations

from typing import Any

from tests.hub.conftest import Office
from tests.hub.test_console import as_admin, audit_actions
from tests.hub.test_console import office as office  # backups in the test's folder

REASONS = ("elderly", "disabled", "pregnant", "small_child", "merit")


def save(office: Office, token: str, reasons: tuple[str, ...], age: str, burst: str) -> Any:
    form = {"csrf": token, "elderly_age": age, "burst": burst,
            **{f"reason-{r}": "1" for r in reasons}}  # fmt: skip
    return office.client.post("/console/office/priority", data=form)


def test_the_rules_reach_the_kiosk_and_the_counters(office: Office) -> None:
    before = office.req("GET", "/state")[1]["office"]
    assert before["priority_reasons"] == list(REASONS) and before["priority_elderly_age"] == 60
    token = as_admin(office)
    answer = save(office, token, ("elderly", "disabled", "pregnant"), "65", "1")
    assert answer.status_code == 303
    after = office.req("GET", "/state")[1]["office"]
    assert after["priority_reasons"] == ["elderly", "disabled", "pregnant"]
    assert after["priority_elderly_age"] == 65
    assert office.events()[-1]["type"] == "office.updated"  # kiosks load the office again
    assert ("priority.update", "admin", None) in audit_actions(office)
    # A reason this office does not accept is refused, by name.
    asked = {"service": "A", "priority": True, "priority_reason": "merit"}
    status, body = office.req("POST", "/tickets", asked, office.kiosk)
    assert status == 400 and body["error"]["field"] == "priority_reason"
    assert "merit" in body["error"]["message"]
    # One priority call in a row now, then someone who was waiting.
    normal = [office.issue("A") for _ in range(2)]
    prio = [office.issue("A", priority=True, priority_reason="elderly") for _ in range(2)]
    called = [office.act(2, "call-next")[1]["ticket"]["id"] for _ in range(4)]
    assert called == [prio[0]["id"], normal[0]["id"], prio[1]["id"], normal[1]["id"]]


def test_rules_out_of_range_are_refused_by_name_and_change_nothing(office: Office) -> None:
    token = as_admin(office)
    for age, burst, named in (("45", "2", "Ưu tiên người cao tuổi từ"), ("sáu mươi", "2",
                              "Ưu tiên người cao tuổi từ"), ("60", "0",
                              "Số lần gọi ưu tiên liên tiếp"), ("60", "11",
                              "Số lần gọi ưu tiên liên tiếp")):  # fmt: skip
        answer = save(office, token, REASONS, age, burst)
        assert answer.status_code == 400 and named in answer.get_data(as_text=True)
    assert office.req("GET", "/state")[1]["office"]["priority_elderly_age"] == 60
    assert "priority.update" not in {a[0] for a in audit_actions(office)}


def test_a_supervisor_may_not_change_them(office: Office) -> None:
    from hub.auth import accounts
    from tests.hub.test_console import csrf_of, login

    with office.app.extensions["motcua.store"].write() as conn:
        accounts.add_user(conn, "ha", "mật-khẩu-dài", "supervisor", "Lê Thu Hà")
    assert login(office.client, "ha", "mật-khẩu-dài").status_code == 303
    page = office.client.get("/console/office")
    assert 'id="priority"' not in page.get_data(as_text=True)
    answer = save(office, csrf_of(page), ("elderly",), "70", "3")
    assert answer.status_code == 403
