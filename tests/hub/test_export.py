"""``motcua export``: a day's tickets, ratings and events as CSV or JSON lines, run as the
administrator would, beside the hub's database."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from motcua import cli
from tests.hub.conftest import Office

DAY = "2026-11-30"  # the office fixture's Monday


def export_process(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``motcua export`` command against ``db``, as a process."""
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", "export", *args, "--db", str(db)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def export(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The same command's entry point, called in this process (a process costs a second)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(["export", *args, "--db", str(db)])
        except SystemExit as exc:  # argparse refusing the arguments
            code = int(exc.code or 0)
    return subprocess.CompletedProcess([], code, out.getvalue(), err.getvalue())


def served_day(office: Office) -> None:
    """Two tickets: one served and rated, one still waiting."""
    first = office.issue("A")
    office.issue("A")
    assert office.act(1, "call-next")[0] == 200
    office.advance(60)
    assert office.act(1, "start")[0] == 200
    office.advance(300)
    assert office.act(1, "finish")[0] == 200
    status, _ = office.req("POST", f"/tickets/{first['id']}/rating", {"level": 1}, office.clerk(1))
    assert status == 201


def test_tickets_csv_has_the_days_tickets_in_local_time_and_no_secrets(
    office: Office, tmp_path: Path
) -> None:
    served_day(office)
    db = tmp_path / "hub.sqlite3"
    done = export_process(db, "tickets", "--from", DAY)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["number"], r["state"]) for r in rows] == [("A001", "done"), ("A002", "waiting")]
    assert rows[0]["issued_at"] == "2026-11-30T09:00:00+07:00"
    assert rows[0]["finished_at"] == "2026-11-30T09:06:00+07:00"
    assert "token_hash" not in rows[0] and "token" not in done.stdout
    assert "2 tickets rows, 2026-11-30..2026-11-30" in done.stderr


def test_ratings_and_events_as_json_lines(office: Office, tmp_path: Path) -> None:
    served_day(office)
    db = tmp_path / "hub.sqlite3"
    out = tmp_path / "ratings.jsonl"
    done = export(db, "ratings", "--from", DAY, "--format", "json", "-o", str(out))
    assert done.returncode == 0, done.stderr
    ratings = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["number"], r["level"], r["counter"]) for r in ratings] == [("A001", 1, 1)]
    events = export(db, "events", "--from", DAY, "--format", "json")
    types = [json.loads(line)["type"] for line in events.stdout.splitlines()]
    assert types.count("ticket.issued") == 2 and "rating.created" in types


def test_another_day_is_empty(office: Office, tmp_path: Path) -> None:
    served_day(office)
    done = export(tmp_path / "hub.sqlite3", "tickets", "--from", "2026-12-01")
    assert done.returncode == 0 and done.stdout == ""
    assert "0 tickets rows" in done.stderr


def test_bad_requests_are_refused_with_a_reason_and_create_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    bad_date = export(missing, "tickets", "--from", "30/11/2026")
    assert bad_date.returncode == 2
    assert "--from must be a date like 2026-12-01, not '30/11/2026'" in bad_date.stderr
    backwards = export(missing, "tickets", "--from", "2026-12-02", "--to", "2026-12-01")
    assert "--from 2026-12-02 is after --to 2026-12-01" in backwards.stderr
    no_db = export(missing, "tickets", "--from", DAY)
    assert no_db.returncode == 1 and f"no database at {missing}" in no_db.stderr
    assert not missing.exists()
    unknown = export(missing, "passwords")
    assert unknown.returncode == 2 and "invalid choice: 'passwords'" in unknown.stderr
