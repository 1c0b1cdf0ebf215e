"""Revoking a counter device ends the clerk session opened on it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hub.auth import accounts
from tests.hub.conftest import Office


def test_revoking_a_counter_device_ends_its_clerks_session(office: Office, tmp_path: Path) -> None:
    clerk = office.clerk(1)
    assert office.act(1, "pause")[0] == 200
    conn = sqlite3.connect(tmp_path / "hub.sqlite3")  # as `motcua devices revoke` does
    with conn:
        device_id = conn.execute(
            "SELECT id FROM devices WHERE role = 'counter' AND counter = 1 AND revoked_at IS NULL"
        ).fetchone()[0]
        accounts.revoke_device(conn, device_id)
    conn.close()
    office.advance(6)  # past the hub's 5 s token cache
    status, body = office.req("POST", "/counters/1/resume", None, clerk)
    assert status == 401, body
    status, _ = office.req("GET", "/sessions/current", None, clerk)
    assert status == 401
