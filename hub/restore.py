"""Restoring a backup from the console: what it would undo, the request, and its application
while the hub is stopped.

A running hub keeps its live queue, event log position and caches in memory, so a backup is
never copied under it. The console writes a request beside the database
(``<db>.restore-request``) and asks the hub to restart; the server applies the request between
stopping and starting again (:func:`apply_pending`, also run at every start, so a request
survives a power cut or a hub that was stopped by other means), records the result in the
audit log of the restored database and in ``<db>.restore-result`` for the console to show,
and the appliances find the event log gone back and reload their state.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from hub import backup
from hub.auth.audit import audit

log = logging.getLogger(__name__)

# What a restore undoes, by table: rows added since the backup was taken.
LOST_TABLES = ("tickets", "ratings", "audit", "devices", "users")


def request_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}.restore-request")


def result_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}.restore-result")


def _max_ids(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        found = {}
        for table in LOST_TABLES:
            try:
                found[table] = conn.execute(
                    f"SELECT coalesce(max(rowid), 0) FROM {table}"
                ).fetchone()[0]
            except sqlite3.OperationalError:  # a table the backup's schema did not have yet
                found[table] = 0
        return found


def would_lose(db_path: Path, backup_path: Path) -> dict[str, int]:
    """Per table in :data:`LOST_TABLES`, how many rows the database holds that the backup does
    not (added after the backup was taken)."""
    backup.check(backup_path)
    now, then = _max_ids(db_path), _max_ids(backup_path)
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        return {
            table: conn.execute(
                f"SELECT count(*) FROM {table} WHERE rowid > ?", (then[table],)
            ).fetchone()[0]
            if now[table] > then[table]
            else 0
            for table in LOST_TABLES
        }


def request(db_path: Path, backup_path: Path, username: str) -> None:
    """Ask for ``backup_path`` to be restored at the hub's next start (written atomically)."""
    backup.check(backup_path)
    target = request_path(db_path)
    partial = target.with_name(target.name + ".partial")
    body = {"backup": str(backup_path.resolve()), "username": username, "at": time.time()}
    partial.write_text(json.dumps(body), encoding="utf-8")
    partial.replace(target)


def pending(db_path: Path) -> dict[str, Any] | None:
    """The restore asked for and not yet applied, or None."""
    path = request_path(db_path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.error("unreadable restore request %s: ignored", path)
        path.unlink(missing_ok=True)
        return None


def apply_pending(db_path: Path) -> dict[str, Any] | None:
    """With the hub stopped: restore the backup a request names, once; the outcome, or None
    when nothing was asked. A failed restore leaves the database as it was."""
    asked = pending(db_path)
    if asked is None:
        return None
    source = Path(asked.get("backup", ""))
    outcome: dict[str, Any] = {"backup": source.name, "username": asked.get("username"),
                               "at": time.time()}  # fmt: skip
    try:
        kept = backup.restore(source, db_path)
    except (backup.BackupError, OSError, sqlite3.Error) as exc:
        log.error("restore of %s failed: %s", source, exc)
        outcome.update(ok=False, error=str(exc)[:300])
    else:
        log.warning("restored %s from %s; the previous file is kept as %s", db_path, source, kept)
        outcome.update(ok=True, kept=kept.name)
        with closing(sqlite3.connect(db_path)) as conn, conn:
            audit(conn, None, "backup.restore", source.name, {"kept": kept.name},
                  username=asked.get("username"))  # fmt: skip
    result = result_path(db_path)
    result.write_text(json.dumps(outcome), encoding="utf-8")
    request_path(db_path).unlink(missing_ok=True)  # applied (or refused) once, not at each start
    return outcome


def last_result(db_path: Path) -> dict[str, Any] | None:
    """The outcome of the last restore, for the console (None if there was none)."""
    try:
        return json.loads(result_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
