"""Backups in the console (admin): the list with sizes, "back up now", and download.

A backup file exists only if it passed its integrity check when written (:mod:`hub.backup`
writes under a temporary name and renames after the check), so the list is the checked ones.
Restoring needs the hub stopped, so it stays on the command line (``motcua restore FILE``).
A download is the whole database, personal data included: admin only, and audited.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, redirect, send_file, url_for

from hub import backup
from hub.auth.audit import audit
from hub.queue.writer import Tx
from hub.web import staff
from hub.web.console import bp, done_message, page, run
from hub.web.texts import bi

_NAME = re.compile(r"^motcua-\d{8}-\d{6}\.sqlite3$")


def backups(folder: Path) -> list[Path]:
    """The checked backups in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.glob(backup.PATTERN) if _NAME.match(p.name)), reverse=True)


def _listing() -> list[dict[str, Any]]:
    clock = current_app.extensions["motcua.clock"]
    found = []
    for path in backups(current_app.config["MOTCUA"].backup_dir):
        stat = path.stat()
        found.append({"name": path.name, "mb": f"{stat.st_size / 1e6:.1f}",
                      "when": clock.local(stat.st_mtime).strftime("%d/%m/%Y %H:%M")})  # fmt: skip
    return found


@bp.get("/backups")
@staff.staff("admin")
def backups_page() -> Response:
    """The backups on this hub."""
    return page("console/backups.html", backups=_listing(), **done_message())


@bp.post("/backups")
@staff.staff("admin")
def backup_now() -> Response:
    """Write and check a backup now (the online backup copies while the hub keeps serving)."""
    settings = current_app.config["MOTCUA"]
    p = staff.current()
    try:
        made = backup.backup(settings.db_path, settings.backup_dir, settings.backup_keep)
    except (backup.BackupError, OSError, sqlite3.Error) as exc:
        message = bi("The backup failed: {reason}", reason=str(exc)[:200])
        return page("console/backups.html", 500, backups=_listing(), message=message,
                    message_kind="error")  # fmt: skip

    def op(tx: Tx) -> None:
        audit(tx, p, "backup.create", made.name, {"via": "console"})

    run(op)
    return redirect(url_for("console.backups_page", done="backup"), 303)


@bp.get("/backups/<name>")
@staff.staff("admin")
def download(name: str) -> Response:
    """One backup file, as a download."""
    if not _NAME.match(name):
        abort(404)
    path = Path(current_app.config["MOTCUA"].backup_dir) / name
    if not path.is_file():
        abort(404)
    p = staff.current()
    run(lambda tx: audit(tx, p, "backup.download", name))
    response = send_file(path.resolve(), as_attachment=True, download_name=name,
                         mimetype="application/vnd.sqlite3")  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response
