"""Idempotency keys answer a repeat of the same request only, and keep no secret."""

from __future__ import annotations

from tests.hub.conftest import Office


def test_same_key_on_a_different_request_is_refused_and_changes_nothing(office: Office) -> None:
    key = {"Idempotency-Key": "tap-1"}
    first = office.req("POST", "/tickets", {"service": "A"}, office.kiosk, headers=key)
    assert first[0] == 201
    status, body = office.req("POST", "/tickets", {"service": "B"}, office.kiosk, headers=key)
    assert status == 422
    assert body["error"]["code"] == "idempotency_mismatch"
    assert "used for a different request" in body["error"]["message"]
    conn = office.app.extensions["motcua.store"].conn()
    assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
    again = office.req("POST", "/tickets", {"service": "A"}, office.kiosk, headers=key)
    assert again == first  # the true repeat still gets the first answer


def test_wrong_enrolment_code_with_a_used_key_never_gets_the_token(office: Office) -> None:
    key = {"Idempotency-Key": "enrol-1"}
    code = office.creds["enroll_codes"]["kiosk"]
    status, enrolled = office.req(
        "POST", "/devices/enroll", {"code": code, "name": "Kiosk 2"}, headers=key
    )
    assert status == 201 and enrolled["token"]
    status, body = office.req(
        "POST", "/devices/enroll", {"code": "0000-0000", "name": "Kiosk 2"}, headers=key
    )
    assert status == 401 and enrolled["token"] not in str(body)  # checked before any replay
    status, body = office.req(
        "POST", "/devices/enroll", {"code": code, "name": "Kiosk 2"}, headers=key
    )
    assert status == 401 and "used" in body["error"]["message"]
    assert enrolled["token"] not in str(body)


def test_a_repeated_login_is_refused_not_answered_with_the_first_token(office: Office) -> None:
    key = {"Idempotency-Key": "login-9"}
    status, first = office.req("POST", "/sessions", dict(office.creds["admin"]), headers=key)
    assert status == 201
    status, body = office.req("POST", "/sessions", dict(office.creds["admin"]), headers=key)
    assert status == 409 and body["error"]["code"] == "already_done"
    assert first["token"] not in str(body)


def test_the_idempotency_table_keeps_no_device_or_session_token(office: Office) -> None:
    code = office.creds["enroll_codes"]["counter"]
    _, device = office.req(
        "POST", "/devices/enroll", {"code": code, "name": "Quầy 9"},
        headers={"Idempotency-Key": "enrol-2"},
    )  # fmt: skip
    _, session = office.req(
        "POST", "/sessions", dict(office.creds["admin"]), headers={"Idempotency-Key": "login-1"}
    )
    conn = office.app.extensions["motcua.store"].conn()
    kept = " ".join(row[0] for row in conn.execute("SELECT body FROM idempotency"))
    assert conn.execute("SELECT count(*) FROM idempotency").fetchone()[0] == 2
    assert device["token"] not in kept and session["token"] not in kept
