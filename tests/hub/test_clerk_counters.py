"""Which counters a clerk may work at: set in the console (admin or supervisor), enforced when
the clerk logs in at a counter panel."""

from __future__ import annotations

from typing import Any

from tests.hub.conftest import Office
from tests.hub.test_console import as_admin, audit_actions
from tests.hub.test_console import office as office  # backups in the test's folder


def clerk_login(office: Office, username: str, counter: int) -> tuple[int, Any]:
    """A clerk's login from the panel of ``counter``."""
    password = next(c["password"] for c in office.creds["clerks"] if c["username"] == username)
    return office.req(
        "POST", "/sessions", {"username": username, "password": password, "counter": counter},
        office.creds["counters"][str(counter)]["token"],
    )  # fmt: skip


def set_counters(office: Office, token: str, username: str, counters: str) -> Any:
    return office.client.post(
        f"/console/office/clerks/{username}", data={"csrf": token, "counters": counters}
    )


def test_a_clerk_given_counters_logs_in_only_there(office: Office) -> None:
    token = as_admin(office)
    assert clerk_login(office, "minh", 3)[0] == 201  # any counter until one is set
    assert set_counters(office, token, "minh", "2, 4").status_code == 303
    status, body = clerk_login(office, "minh", 3)
    assert status == 403 and "2, 4" in body["error"]["message"]
    assert clerk_login(office, "minh", 2)[0] == 201
    assert clerk_login(office, "minh", 4)[0] == 201
    page = office.client.get("/console/office").get_data(as_text=True)
    assert 'id="counters-minh" name="counters" maxlength="60" value="2, 4"' in page
    assert ("user.counters", "admin", "minh") in audit_actions(office)
    # Emptied: any counter again.
    assert set_counters(office, token, "minh", "").status_code == 303
    assert clerk_login(office, "minh", 3)[0] == 201


def test_wrong_counters_are_refused_by_name_and_change_nothing(office: Office) -> None:
    token = as_admin(office)
    assert set_counters(office, token, "minh", "2").status_code == 303
    for typed, said in (("hai", "Quầy"), ("2, 99", "99"), ("0", "Quầy")):
        answer = set_counters(office, token, "minh", typed)
        assert answer.status_code == 400
        assert said in answer.get_data(as_text=True)
    assert clerk_login(office, "minh", 3)[0] == 403  # still counter 2 only
    # Only clerks have counters; an unknown name is not found.
    assert set_counters(office, token, "admin", "2").status_code == 404
    assert set_counters(office, token, "nobody", "2").status_code == 404
