"""Requests an attacker (or a broken client) sends without any token: each gets a 4xx that names
the problem, never a server error, and nothing reaches the store."""

from __future__ import annotations

import pytest

from hub.upstream.mapping import BadRecord, Mapping
from hub.upstream.push import SignatureError, verify
from tests.hub.conftest import Office

SUPERSCRIPT_TWO = "\u00b2"  # '²'.isdigit() is True, int('²') raises
HUGE = "9" * 5000  # more digits than int() converts by default


@pytest.mark.parametrize(
    "path",
    [
        f"/events?after={SUPERSCRIPT_TWO}",
        f"/events?after={HUGE}",
        f"/procedures?limit={SUPERSCRIPT_TWO}",
        f"/procedures?offset={HUGE}",
    ],
)
def test_query_numbers_that_are_not_ascii_digits_are_refused(office: Office, path: str) -> None:
    answer = office.client.get(f"/api/v1{path}")
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "invalid" and error["field"] in ("after", "limit", "offset")


@pytest.mark.parametrize("poll", [SUPERSCRIPT_TWO, HUGE, "-5", "abc"])
def test_ticket_page_poll_falls_back_to_its_default(office: Office, poll: str) -> None:
    token = office.issue("A")["token"]
    answer = office.client.get(f"/t/{token}?poll={poll}")
    assert answer.status_code == 200
    assert "5000" in answer.get_data(as_text=True)


def test_deeply_nested_body_is_bad_json_not_a_crash(office: Office) -> None:
    status, body = office.req("POST", "/tickets", raw=b"[" * 5000, token=office.kiosk)
    assert status == 400
    assert "not valid JSON" in body["error"]["message"]


@pytest.mark.parametrize("ticket_id", [2**63, 10**30])
def test_ids_beyond_sqlite_integers_are_not_found(office: Office, ticket_id: int) -> None:
    status, body = office.req(
        "POST", f"/tickets/{ticket_id}/print", {"ok": True}, token=office.kiosk
    )
    assert status == 404, body


def test_dossier_link_that_is_no_address_is_refused(office: Office) -> None:
    status, body = office.req("GET", "/dossiers/%5B?ma=1")
    assert status == 400
    assert "link" in body["error"]["message"]


def test_lone_surrogate_is_refused_and_other_tickets_still_issue(office: Office) -> None:
    ticket = office.issue("A")
    raw = b'{"ok": false, "detail": "\\ud800 paper"}'
    status, body = office.req("POST", f"/tickets/{ticket['id']}/print", raw=raw, token=office.kiosk)
    assert status == 400
    assert "invalid text" in body["error"]["message"]
    assert office.issue("A")["number"] == "A002"
    conn = office.app.extensions["motcua.store"].conn()
    assert conn.execute("SELECT count(*) FROM print_reports").fetchone()[0] == 0


@pytest.mark.parametrize("status", [SUPERSCRIPT_TWO, "\u0664", HUGE])
def test_back_end_status_that_is_no_number_is_a_bad_record(status: str) -> None:
    record = {"MaHoSo": "H21.22-261019-0004", "TrangThaiHoSo": status}
    with pytest.raises(BadRecord, match="TrangThaiHoSo must be a number from 1 to 10"):
        Mapping().clean_dossier(record)


@pytest.mark.parametrize("stamp", [SUPERSCRIPT_TWO * 10, HUGE])
def test_webhook_timestamp_of_unicode_digits_is_a_signature_error(stamp: str) -> None:
    headers = {"X-Motcua-Timestamp": stamp, "X-Motcua-Delivery": "d1", "X-Motcua-Signature": "x"}
    with pytest.raises(SignatureError, match="unix seconds"):
        verify("secret", headers, b"{}", now=1_700_000_000)


def test_priority_reason_is_a_code_kept_off_public_views(office: Office) -> None:
    status, body = office.req(
        "POST", "/tickets", {"service": "A", "priority": True, "priority_reason": "bệnh\x07"},
        office.kiosk,
    )  # fmt: skip
    assert status == 400 and body["error"]["field"] == "priority_reason"
    issued = office.issue("A", priority=True, priority_reason="pregnant")
    assert issued["priority_reason"] == "pregnant"  # the kiosk that asked gets it back
    status, state = office.req("GET", "/state")
    # The reasons a kiosk may offer are the office's settings; no ticket carries its own.
    assert status == 200 and "pregnant" in state.pop("office")["priority_reasons"]
    assert "pregnant" not in str(state) and "priority_reason" not in str(state)
    status, own = office.req("GET", f"/tickets/{issued['token']}")
    assert status == 200 and "priority_reason" not in own
    assert "pregnant" not in str(office.events())
    page = office.client.get(f"/t/{issued['token']}").get_data(as_text=True)
    assert "pregnant" not in page
