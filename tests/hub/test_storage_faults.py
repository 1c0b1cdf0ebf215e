"""A full disk or a database held by another program: a clear 503, nothing half-written, and
numbering carries on without a gap or a repeat once the cause is gone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.hub.conftest import Office


def test_a_full_disk_answers_503_and_loses_no_number(office: Office) -> None:
    writer = office.app.extensions["motcua.writer"]
    first = office.issue("A")
    pages = writer.run(lambda tx: tx.conn.execute("PRAGMA page_count").fetchone()[0])
    # SQLite's own limit stands in for the disk: the same SQLITE_FULL the hub would meet.
    writer.run(lambda tx: tx.conn.execute(f"PRAGMA max_page_count = {pages}"))
    answers = [office.req("POST", "/tickets", {"service": "A"}, office.kiosk) for _ in range(40)]
    refused = [body for status, body in answers if status == 503]
    assert refused, "the database never filled"
    assert refused[0]["error"]["code"] == "storage_full"
    assert "disk is full" in refused[0]["error"]["message"]
    issued = [body["number"] for status, body in answers if status == 201]
    writer.run(lambda tx: tx.conn.execute("PRAGMA max_page_count = 1073741823"))
    after = office.issue("A")
    numbers = [first["number"], *issued, after["number"]]
    assert numbers == [f"A{n:03d}" for n in range(1, len(numbers) + 1)]  # no gap, no repeat
    conn = office.app.extensions["motcua.store"].conn()
    saved = [r[0] for r in conn.execute("SELECT number FROM tickets ORDER BY id")]
    assert saved == numbers


def test_a_database_held_by_another_program_answers_503_busy(
    office: Office, tmp_path: Path
) -> None:
    writer = office.app.extensions["motcua.writer"]
    writer.run(lambda tx: tx.conn.execute("PRAGMA busy_timeout = 100"))  # not 20 s in a test
    other = sqlite3.connect(tmp_path / "hub.sqlite3")
    other.execute("BEGIN EXCLUSIVE")  # e.g. a badly written script beside the hub
    try:
        status, body = office.req("POST", "/tickets", {"service": "A"}, office.kiosk)
        assert status == 503 and body["error"]["code"] == "storage_busy"
    finally:
        other.rollback()
        other.close()
    assert office.issue("A")["number"] == "A001"
