"""The audit log in the console: who did what, when, from which device and address; filtered by
action, person and day, newest first, 50 lines a page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, current_app, request

from hub.digits import parse_digits
from hub.web import staff
from hub.web.console import bp, page

PAGE = 50


def _filters() -> tuple[str, list[Any], dict[str, str]]:
    """SQL conditions from the query string; a value that is not well formed is ignored."""
    clock = current_app.extensions["motcua.clock"]
    where, params, shown = [], [], {}
    action = request.args.get("action", "").strip()[:40]
    if action:
        where.append("action = ?")
        params.append(action)
        shown["action"] = action
    who = request.args.get("who", "").strip()[:60]
    if who:
        where.append("username = ?")
        params.append(who)
        shown["who"] = who
    day = request.args.get("day", "").strip()
    try:
        start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), clock.tz).timestamp()
    except ValueError:
        start = None
    if start is not None:
        where.append("at >= ? AND at < ?")
        params += [start, start + 86400]
        shown["day"] = day
    return (" WHERE " + " AND ".join(where)) if where else "", params, shown


@bp.get("/audit")
@staff.staff(*staff.CONSOLE_ROLES)
def audit_log() -> Response:
    """One page of the audit log."""
    clock = current_app.extensions["motcua.clock"]
    number = parse_digits(request.args.get("page", ""), max_len=5) or 1
    where, params, shown = _filters()
    with current_app.extensions["motcua.store"].borrow() as conn:
        rows = conn.execute(
            "SELECT at, username, role, device_id, address, action, target, detail FROM audit"
            f"{where} ORDER BY id DESC LIMIT ? OFFSET ?",
            (*params, PAGE + 1, (number - 1) * PAGE),
        ).fetchall()
        actions = [r[0] for r in conn.execute("SELECT DISTINCT action FROM audit ORDER BY 1")]
    lines = [
        {**dict(r), "when": clock.local(r["at"]).strftime("%d/%m/%Y %H:%M:%S")} for r in rows[:PAGE]
    ]
    return page(
        "console/audit.html", lines=lines, actions=actions, shown=shown, page_number=number,
        more=len(rows) > PAGE,
    )  # fmt: skip
