"""Backups in the console (admin): the list with sizes, "back up now", download, and restore.

A backup file exists only if it passed its integrity check when written (:mod:`hub.backup`
writes under a temporary name and renames after the check), so the list is the checked ones.
A restore first names what it would undo (tickets, ratings, audit lines, devices and accounts
added since the backup), then asks the hub to restart and apply it (:mod:`hub.restore`).
A download is the whole database, personal data included: admin only, and audited.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, redirect, request, send_file, url_for

from hub import backup, restore
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
    """The backups on this hub, and how the last restore went."""
    db_path = Path(current_app.config["MOTCUA"].db_path)
    last = restore.last_result(db_path)
    if last is not None:
        last["when"] = (
            current_app.extensions["motcua.clock"].local(last["at"]).strftime("%d/%m/%Y %H:%M")
        )
    return page("console/backups.html", backups=_listing(), last_restore=last,
                pending=restore.pending(db_path), **done_message())  # fmt: skip


def _backup_file(name: str) -> Path:
    """The checked backup called ``name``, or a 404."""
    if not _NAME.match(name):
        abort(404)
    path = Path(current_app.config["MOTCUA"].backup_dir) / name
    if not path.is_file():
        abort(404)
    return path


@bp.get("/backups/<name>/restore")
@staff.staff("admin")
def restore_page(name: str) -> Response:
    """What restoring this backup would undo, and the button that does it."""
    path = _backup_file(name)
    try:
        lost = restore.would_lose(Path(current_app.config["MOTCUA"].db_path), path)
    except backup.BackupError as exc:
        return page("console/backups.html", 409, backups=_listing(), message_kind="error",
                    message=bi("This backup cannot be restored: {reason}",
                               reason=str(exc)[:200]))  # fmt: skip
    return page("console/restore.html", name=name, lost=lost)


@bp.post("/backups/<name>/restore")
@staff.staff("admin")
def restore_now(name: str) -> Response:
    """Ask for the restore and restart the hub to apply it (it comes back in a few seconds)."""
    path = _backup_file(name)
    if request.form.get("confirm") != "1":
        return redirect(url_for("console.restore_page", name=name), 303)
    db_path = Path(current_app.config["MOTCUA"].db_path)
    p = staff.current()
    try:
        restore.request(db_path, path, p.username or "")
    except (backup.BackupError, OSError) as exc:
        return page("console/backups.html", 409, backups=_listing(), message_kind="error",
                    message=bi("This backup cannot be restored: {reason}",
                               reason=str(exc)[:200]))  # fmt: skip
    run(lambda tx: audit(tx, p, "backup.restore_requested", name))
    restart = current_app.extensions.get("motcua.restart")
    answer = page("console/restoring.html", 202, name=name, restarting=restart is not None)
    if restart is not None:
        # Once this answer has been handed to the server: the hub stops (letting answers in
        # flight finish), restores and starts again.
        answer.call_on_close(restart)
    return answer


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
    path = _backup_file(name)
    p = staff.current()
    run(lambda tx: audit(tx, p, "backup.download", name))
    response = send_file(path.resolve(), as_attachment=True, download_name=name,
                         mimetype="application/vnd.sqlite3")  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response
