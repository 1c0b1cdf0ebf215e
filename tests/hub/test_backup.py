"""Backups of a running hub, checked and pruned; restore with one command."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub import backup, cli
from hub.testing import HubProcess


def test_backup_while_running_then_restore(
    hub_process: HubProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = hub_process
    folder = tmp_path / "backups"
    before = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)[1]
    db = ["--db", str(hub.db_path)]
    assert cli.backup_main([*db, "--dir", str(folder), "--keep", "2"]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.parent == folder and written.exists()
    backup.check(written)
    after = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)[1]
    assert after["number"] == "A002"
    hub.stop()
    assert cli.restore_main([str(written), *db]) == 0
    assert "previous file is kept" in capsys.readouterr().out
    hub.start()
    assert hub.request("GET", f"/api/v1/tickets/{before['token']}")[0] == 200
    assert hub.request("GET", f"/api/v1/tickets/{after['token']}")[0] == 404
    again = hub.request("POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)[1]
    assert again["number"] == "A002"  # numbering follows the restored file


def test_backups_are_pruned_and_a_broken_one_is_refused(
    hub_process: HubProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "backups"
    made = []
    for i in range(3):
        made.append(backup.backup(hub_process.db_path, folder, keep=2, now=time.time() + i))
    assert sorted(folder.glob("motcua-*.sqlite3")) == made[1:]
    # Nothing else is left beside them (a copy in WAL mode left -wal and -shm files each time).
    assert sorted(folder.iterdir()) == made[1:]
    assert all(sqlite3.connect(m).execute("PRAGMA journal_mode").fetchone()[0] == "delete"
               for m in made[1:])  # fmt: skip
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    assert cli.restore_main([str(broken), "--db", str(hub_process.db_path)]) == 1
    err = capsys.readouterr().err
    assert "not a usable database" in err or "failed its integrity check" in err
    assert hub_process.request("GET", "/api/v1/services")[0] == 200


@pytest.mark.slow
def test_a_power_cut_during_a_backup_leaves_the_previous_one_valid(tmp_path: Path) -> None:
    """``motcua backup`` killed (-9) in the middle of its copy, as a power cut would stop it."""
    db, folder = tmp_path / "hub.sqlite3", tmp_path / "backups"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("CREATE TABLE filler (data BLOB)")  # big enough that a copy takes a while
        conn.executemany("INSERT INTO filler VALUES (randomblob(65536))", [()] * 1200)
    conn.close()
    first = backup.backup(db, folder, keep=3)
    command = [sys.executable, "-m", "motcua.cli", "backup", "--db", str(db), "--dir", str(folder)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not list(folder.glob(".*.partial")) and proc.poll() is None:
            assert time.monotonic() < deadline, "the backup never started writing"
            time.sleep(0.001)
        assert proc.poll() is None, "the copy finished before the cut: use a bigger database"
        proc.kill()
    finally:
        proc.wait(10)
    assert sorted(folder.glob("motcua-*.sqlite3")) == [first]
    backup.check(first)
    assert list(folder.glob(".*.partial"))  # the cut copy is left under its temporary name
    second = backup.backup(db, folder, keep=3, now=time.time() + 1)
    backup.check(second)
    assert not list(folder.glob(".*.partial"))  # and cleared by the next backup
