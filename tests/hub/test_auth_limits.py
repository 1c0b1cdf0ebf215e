"""Guessing limits on login and enrolment that an attacker cannot turn against a clerk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.hub.conftest import Office, make_office


def post(office: Office, path: str, body: dict[str, Any], address: str) -> tuple[int, Any]:
    answer = office.client.post(f"/api/v1{path}", json=body, environ_base={"REMOTE_ADDR": address})
    return answer.status_code, answer.get_json(silent=True)


def test_failed_logins_elsewhere_do_not_lock_the_clerk_out(office: Office) -> None:
    clerk = office.creds["clerks"][0]
    wrong = {"username": clerk["username"], "password": "not-the-password"}
    codes = [post(office, "/sessions", wrong, "10.0.0.66")[0] for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    device = office.creds["counters"][str(clerk["counter"])]["token"]
    right = {k: clerk[k] for k in ("username", "password", "counter")}
    answer = office.client.post(
        "/api/v1/sessions",
        json=right,
        headers={"Authorization": f"Bearer {device}"},
        environ_base={"REMOTE_ADDR": "10.0.0.5"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.get_json()


def test_logins_sprayed_from_many_addresses_meet_the_hubs_limit(
    tmp_path: Path, seeded_db: tuple[Path, dict[str, Any]]
) -> None:
    office = make_office(tmp_path, seeded_db, login_attempts_per_minute=2)  # the hub: 12 a minute
    wrong = {"username": "admin", "password": "guess"}
    codes = [post(office, "/sessions", wrong, f"10.0.1.{n}")[0] for n in range(13)]
    assert codes[:12] == [401] * 12
    assert codes[12] == 429


def test_enrolment_guesses_are_audited_and_limited_for_the_whole_hub(office: Office) -> None:
    codes = [
        post(office, "/devices/enroll", {"code": f"{n:04d}-0000", "name": "x"}, f"10.0.2.{n}")
        for n in range(21)
    ]
    assert [status for status, _ in codes[:20]] == [401] * 20
    assert codes[20][0] == 429 and "enrolment attempts" in codes[20][1]["error"]["message"]
    conn = office.app.extensions["motcua.store"].conn()
    failures = conn.execute(
        "SELECT address FROM audit WHERE action = 'device.enroll_failed' ORDER BY id"
    ).fetchall()
    assert [row[0] for row in failures] == [f"10.0.2.{n}" for n in range(20)]


def test_codes_are_kept_keyed_not_as_a_bare_hash(office: Office, tmp_path: Path) -> None:
    import hashlib

    code = office.creds["enroll_codes"]["kiosk"].replace("-", "")
    conn = office.app.extensions["motcua.store"].conn()
    kept = {row[0] for row in conn.execute("SELECT code_hash FROM enroll_codes")}
    assert hashlib.sha256(code.encode()).hexdigest() not in kept
    assert all(value.startswith("h1:") for value in kept)
    key = tmp_path / "hub.sqlite3.key"
    assert key.stat().st_mode & 0o777 == 0o600
