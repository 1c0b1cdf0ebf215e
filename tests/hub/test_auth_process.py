"""Auth refusals and malformed input against a real hub process: every change needs the right
token, login is rate-limited, enrolment codes work once, revocation and logout take effect."""

from __future__ import annotations

import time
import urllib.request

from hub import cli
from hub.testing import HubProcess


def test_state_changes_need_a_token_with_the_right_role(hub_process: HubProcess) -> None:
    hub = hub_process
    ticket = {"service": "A"}
    status, body = hub.request("POST", "/api/v1/tickets", ticket)
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, body = hub.request("POST", "/api/v1/tickets", ticket, token="d.not-a-real-token")
    assert status == 401
    status, body = hub.request("POST", "/api/v1/tickets", ticket, token=hub.display_token)
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, _ = hub.request("POST", "/api/v1/counters/1/call-next", token=hub.kiosk_token)
    assert status == 403
    status, _ = hub.request("POST", "/api/v1/counters/1/call-next", token=hub.counter_tokens[1])
    assert status == 403  # the device itself is not a clerk
    clerk2 = hub.clerk_token(2)
    status, body = hub.request("POST", "/api/v1/counters/3/call-next", token=clerk2)
    assert status == 403 and "counter 3" in body["error"]["message"]
    status, _ = hub.request("POST", "/api/v1/day/close", token=clerk2)
    assert status == 403
    status, _ = hub.request("PUT", "/api/v1/notice", {"text_vi": "x"}, token=hub.kiosk_token)
    assert status == 403
    # Nothing above changed anything.
    status, services = hub.request("GET", "/api/v1/services")
    assert all(s["issued_today"] == 0 for s in services["services"])


def test_clerk_login_rules(hub_process: HubProcess) -> None:
    hub = hub_process
    clerk = hub.clerks[0]  # lan, counter 1
    body = {"username": clerk["username"], "password": clerk["password"], "counter": 1}
    assert hub.request("POST", "/api/v1/sessions", body)[0] == 401  # no device
    assert hub.request("POST", "/api/v1/sessions", body, token=hub.kiosk_token)[0] == 403
    bound_elsewhere = {**body, "counter": 2}
    assert hub.request("POST", "/api/v1/sessions", bound_elsewhere, hub.counter_tokens[1])[0] == 403
    wrong = {**body, "password": "not-the-password"}
    status, answer = hub.request("POST", "/api/v1/sessions", wrong, hub.counter_tokens[1])
    assert status == 401 and answer["error"]["message"] == "wrong username or password"
    nobody = {**body, "username": "ghost"}
    assert hub.request("POST", "/api/v1/sessions", nobody, hub.counter_tokens[1])[1] == answer
    status, session = hub.request("POST", "/api/v1/sessions", body, hub.counter_tokens[1])
    assert status == 201 and session["user"]["display_name"] == "Nguyễn Thị Lan"
    status, counters = hub.request("GET", "/api/v1/counters")
    assert counters["counters"][0]["state"] == "open"
    assert hub.request("DELETE", "/api/v1/sessions/current", token=session["token"])[0] == 204
    status, _ = hub.request("POST", "/api/v1/counters/1/call-next", token=session["token"])
    assert status == 401
    status, counters = hub.request("GET", "/api/v1/counters")
    assert counters["counters"][0]["state"] == "closed"
    assert counters["counters"][0]["clerk"] is None


def test_login_attempts_are_rate_limited(hub_process: HubProcess) -> None:
    hub = hub_process
    body = {"username": "hoa", "password": "guess-0000", "counter": 3}
    statuses = [
        hub.request("POST", "/api/v1/sessions", body, hub.counter_tokens[3])[0] for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    request = urllib.request.Request(
        f"{hub.url}/api/v1/sessions", method="POST", data=b'{"username": "hoa", "password": "x"}',
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    try:
        urllib.request.urlopen(request, timeout=5)
    except urllib.error.HTTPError as exc:
        assert exc.code == 429
        assert int(exc.headers["Retry-After"]) >= 1
    else:
        raise AssertionError("the 12th attempt was not refused")
    # The right password is refused too while the limit holds: guessing gains nothing.
    right = {"username": "hoa", "password": "demo-clerk", "counter": 3}
    assert hub.request("POST", "/api/v1/sessions", right, hub.counter_tokens[3])[0] == 429


def test_enrolment_code_works_once_and_revocation_takes_effect(hub_process: HubProcess) -> None:
    hub = hub_process
    code = hub.enroll_codes["display"]
    status, body = hub.request("POST", "/api/v1/devices/enroll", {"code": code, "name": "TV sảnh"})
    assert status == 201 and body["role"] == "display" and body["token"].startswith("d.")
    token, device_id = body["token"], body["device_id"]
    assert (
        hub.request("POST", "/api/v1/devices/heartbeat", {"status": {"ok": True}}, token)[0] == 204
    )
    status, again = hub.request("POST", "/api/v1/devices/enroll", {"code": code, "name": "x"})
    assert status == 401 and again["error"]["field"] == "code"
    status, bad = hub.request("POST", "/api/v1/devices/enroll", {"code": "12ab", "name": "x"})
    assert status == 400 and bad["error"]["field"] == "code"
    stored = hub.db_path.read_bytes()
    assert token.encode() not in stored and code.replace("-", "").encode() not in stored
    assert cli.devices_main(["--db", str(hub.db_path), "revoke", str(device_id)]) == 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status, _ = hub.request("POST", "/api/v1/devices/heartbeat", {}, token)
        if status == 401:
            break
        time.sleep(0.1)
    assert status == 401


def test_malformed_input_is_refused_with_the_field_named(hub_process: HubProcess) -> None:
    hub = hub_process
    k = hub.kiosk_token
    cases = [
        ({"priority": True}, "service"),
        ({"service": 7}, "service"),
        ({"service": "A", "priority": "yes"}, "priority"),
        ({"service": "A", "priority_reason": ["x"]}, "priority_reason"),
        ([1, 2], None),
    ]
    for body, field in cases:
        status, answer = hub.request("POST", "/api/v1/tickets", body, token=k)
        assert status == 400, body
        assert answer["error"]["code"] == "invalid"
        assert answer["error"].get("field") == field
    request = urllib.request.Request(
        f"{hub.url}/api/v1/tickets", method="POST", data=b"{not json",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {k}"},
    )  # fmt: skip
    try:
        urllib.request.urlopen(request, timeout=5)
    except urllib.error.HTTPError as exc:
        assert exc.code == 400
    huge = {"service": "A", "priority_reason": "x" * 70000}
    status, answer = hub.request("POST", "/api/v1/tickets", huge, token=k)
    assert status == 413 and answer["error"]["code"] == "too_large"
    status, answer = hub.request("POST", "/api/v1/tickets", {"service": "Z"}, token=k)
    assert status == 404 and answer["error"]["field"] == "service"
    status, answer = hub.request("GET", "/api/v1/tickets/no-such-token")
    assert status == 404
    status, services = hub.request("GET", "/api/v1/services")
    assert all(s["issued_today"] == 0 for s in services["services"])  # nothing got through
