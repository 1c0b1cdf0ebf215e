"""The office console: login, the live dashboard and the day (``/console``), and the front page.

Server-rendered: every form posts and redirects, so the pages work without JavaScript; with it,
htmx (vendored in ``static/vendor``) refreshes the dashboard's live part when the event stream
says something changed, and every few seconds for what has no event (device heartbeats).
Changes go through the hub's writer, audited under the staff member's session like the API's.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from hub.auth import accounts
from hub.auth.access import SESSION_HOURS, Principal, hash_token, new_token
from hub.auth.api import check_login_limits, verify_credentials
from hub.auth.audit import audit
from hub.digits import parse_digits
from hub.errors import ApiError
from hub.queue.writer import Tx
from hub.web import alerts, staff, stats, texts
from hub.web.texts import bi

bp = Blueprint("console", __name__, url_prefix="/console")
front_bp = Blueprint("front", __name__)
# Event types after which the dashboard's live part is fetched again.
LIVE_EVENTS = (
    "ticket.issued", "ticket.called", "ticket.recalled", "ticket.started", "ticket.finished",
    "ticket.no_show", "ticket.cancelled", "ticket.requeued", "ticket.transferred",
    "counter.updated", "day.opened", "day.closed", "office.updated",
)  # fmt: skip
POLL_S = 5  # heartbeats (printer paper) have no event: the live part is also fetched this often
# Scripts only from the hub's own files (no inline script anywhere); htmx adds one small inline
# style of its own, hence 'unsafe-inline' for styles only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
    " frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
MESSAGES = {  # what a redirect's ?done= says, so a reload shows no stale form
    "day_opened": ("The day is now open", "ok"),
    "day_closed": ("The day is closed; {n} waiting tickets were cancelled", "ok"),
    "notice": ("The notice is saved", "ok"),
    "hours": ("The opening hours are saved", "ok"),
    "office": ("The office setup is saved", "ok"),
    "procedures": ("The office's procedures are saved", "ok"),
    "backup": ("The backup is written and checked", "ok"),
    "account_added": ("The account is created", "ok"),
    "password_reset": ("The password is reset; the account's sessions have ended", "ok"),
    "enabled": ("The account is enabled", "ok"),
    "disabled": ("The account is disabled and logged out", "ok"),
    "password_changed": ("Your password is changed; please log in again", "ok"),
    "outbox_requeued": ("{n} refused items are back in line", "ok"),
}


def page(template: str, status: int = 200, **context: Any) -> Response:
    """Render a console page with what the layout needs; never cached."""
    me = staff.current()
    html = render_template(
        template,
        me=me if me is not None and me.role in staff.CONSOLE_ROLES else None,
        csrf=staff.csrf_token(),
        agency=current_app.config["MOTCUA"].agency_name,
        **context,
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = CSP
    return response


def done_message() -> dict[str, Any]:
    """The message a redirect asked for with ``?done=…&n=…``, if it is one we know."""
    known = MESSAGES.get(request.args.get("done", ""))
    if known is None:
        return {}
    n = parse_digits(request.args.get("n", ""), max_len=6) or 0
    return {"message": bi(known[0], n=n), "message_kind": known[1]}


def run(op: Any) -> Any:
    """Run ``op`` in the writer; the engine's refusals become a 409 page."""
    try:
        return current_app.extensions["motcua.writer"].run(op)
    except ApiError as exc:
        if exc.status == 409:
            abort(409, description=exc.message)
        raise


# --- the front page ------------------------------------------------------------------------


@front_bp.get("/")
def front() -> Response:
    """The hub's front page: what a citizen can do here, and the staff login."""
    return page("front.html")


# --- login and logout ----------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    """Only a console path: never send a browser elsewhere after login."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/console"):
        return url_for("console.dashboard")
    return parts.path


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """The login form; on success a session cookie and the dashboard."""
    staff.new_login_nonce()
    if request.method == "GET":
        if staff.current() is not None and staff.current().role in staff.CONSOLE_ROLES:
            return redirect(_safe_next(request.args.get("next")))
        response = page("console/login.html", next=request.args.get("next", ""), **done_message())
        staff.login_nonce(response)
        return response
    staff.check_csrf()
    username = request.form.get("username", "").strip()[:60]
    password = request.form.get("password", "")[:200]
    address = request.remote_addr or "?"
    try:  # the API's limits and buckets
        check_login_limits(username, address)
    except ApiError as exc:
        wait = int(exc.extra.get("retry_after", 60))
        response = _login_refused(bi("Too many attempts; try again in {s} s", s=wait), 429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = verify_credentials(username, password)
    if user is None:
        current_app.extensions["motcua.writer"].run(
            lambda tx: audit(tx, None, "session.login_failed", username, {"via": "console"},
                             username=username, address=address)
        )  # fmt: skip
        return _login_refused(bi("Wrong username or password"), 401)
    if user["role"] not in staff.CONSOLE_ROLES:
        return _login_refused(bi("This account may not use the console"), 403)
    token = new_token("s")
    run(_session_op(dict(user), token, address))
    response = redirect(_safe_next(request.form.get("next")), 303)
    staff.set_session_cookie(response, token, SESSION_HOURS * 3600)
    response.delete_cookie(staff.LOGIN_COOKIE, path="/console")
    return response


def _login_refused(message: Markup, status: int) -> Response:
    response = page(
        "console/login.html", status, message=message, message_kind="error",
        next=request.form.get("next", ""), username=request.form.get("username", "")[:60],
    )  # fmt: skip
    staff.login_nonce(response)
    return response


def _session_op(user: dict[str, Any], token: str, address: str) -> Any:
    def op(tx: Tx) -> None:
        cur = tx.conn.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            (hash_token(token), user["id"], tx.now, tx.now + SESSION_HOURS * 3600),
        )
        p = Principal(
            role=user["role"], username=user["username"], user_id=user["id"], address=address,
            session_id=int(cur.lastrowid or 0), display_name=user["display_name"],
        )  # fmt: skip
        audit(tx, p, "session.login", "console")

    return op


@bp.post("/logout")
@staff.staff(*staff.CONSOLE_ROLES)
def logout() -> Response:
    """End the session (the cookie's token stops working everywhere at once)."""
    p = staff.current()
    assert p is not None
    tokens = current_app.extensions["motcua.tokens"]

    def op(tx: Tx) -> None:
        tx.after_commit.append(tokens.clear)
        tx.conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (tx.now, p.session_id))
        audit(tx, p, "session.logout", "console")

    run(op)
    response = redirect(url_for("console.login"), 303)
    response.delete_cookie(staff.COOKIE, path="/")
    return response


# --- the dashboard -------------------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """What the dashboard shows: the day, services, counters, devices and alerts, now."""
    from hub.queue.api import live

    clock = current_app.extensions["motcua.clock"]
    now = clock.now()
    with live() as state:
        services = state.services_view(now)
        counters = state.counters_view()
        day = {"day": state.day, "known": state.day_known, "closed": state.day_closed}
        oldest = stats.oldest_waits(state, now)
        at_counter = stats.minutes_at_counters(state, now)
    for s in services:
        s["oldest_min"] = oldest.get(s["code"])
    for c in counters:
        c["minutes"] = at_counter.get(c["number"])
    with current_app.extensions["motcua.store"].borrow() as conn:
        devices = [d for d in accounts.list_devices(conn) if not d["revoked"]]
        figures = current_app.extensions["motcua.console_figures"].get(conn, day["day"])
    for d in devices:
        d["printer"] = alerts.printer_of(d)
        d["version"] = alerts.status_of(d).get("version")
        d["seen"] = clock.hhmm(d["last_seen_at"]) if d["last_seen_at"] else None
    settings = current_app.config["MOTCUA"]
    from hub.web.console_backups import backups

    newest = next(iter(backups(Path(settings.backup_dir))), None)
    last_backup = newest.stat().st_mtime if newest is not None else None
    try:
        usage = shutil.disk_usage(Path(settings.db_path).parent)
        disk: tuple[int, int] | None = (usage.free, usage.total)
    except OSError:
        disk = None
    return {
        "day": day,
        "figures": figures,
        "last_backup": clock.local(last_backup).strftime("%d/%m %H:%M") if last_backup else None,
        "waiting": sum(s["waiting"] for s in services),
        "services": services,
        "counters": counters,
        "devices": devices,
        "alerts": alerts.system_alerts(last_backup, disk, now)
        + _upstream_alerts()
        + alerts.device_alerts(devices, now),
        "updated": clock.hhmm(now) + clock.local(now).strftime(":%S"),
    }


def _poll_s() -> int:
    """Seconds between refreshes without an event: 5, or ``?poll=`` within 2-60 (a test that
    must see an update come from the event stream sets it long)."""
    value = parse_digits(request.args.get("poll", ""), max_len=3)
    return POLL_S if value is None else min(max(value, 2), 60)


def _live_context() -> dict[str, Any]:
    return {"live": snapshot(), "poll_s": _poll_s(),
            "live_events": ", ".join(f"sse:{t}" for t in LIVE_EVENTS)}  # fmt: skip


def _upstream_alerts() -> list[alerts.Alert]:
    worker = current_app.extensions.get("motcua.dossiers", {}).get("sync")
    stale_after_s = current_app.config["MOTCUA"].upstream.stale_after_s
    # the worker keeps wall-clock times, whatever clock the queue runs on
    return alerts.upstream_alerts(worker.status() if worker else None, stale_after_s, time.time())


@bp.get("/")
@staff.staff(*staff.CONSOLE_ROLES)
def dashboard() -> Response:
    """The live dashboard."""
    return page("console/dashboard.html", **_live_context(), **done_message())


@bp.get("/live")
@staff.staff(*staff.CONSOLE_ROLES)
def live_part() -> Response:
    """The dashboard's live part alone (what htmx swaps in)."""
    return page("console/_live.html", **_live_context())


@bp.post("/day/<action>")
@staff.staff(*staff.CONSOLE_ROLES)
def day(action: str) -> Response:
    """Open or close today (closing cancels the tickets still waiting)."""
    p = staff.current()
    assert p is not None
    engine = current_app.extensions["motcua.engine"]
    if action == "open":
        run(lambda tx: engine.open_day(tx, p))
        return redirect(url_for("console.dashboard", done="day_opened"), 303)
    if action == "close":
        if request.form.get("confirm") != "1":  # one more step: it cancels people's tickets
            return page("console/close_day.html", live=snapshot())
        closed = run(lambda tx: engine.close_day(tx, p))
        current_app.extensions["motcua.console_figures"].forget()  # the cancelled count
        n = closed.get("cancelled", 0) if isinstance(closed, dict) else 0
        return redirect(url_for("console.dashboard", done="day_closed", n=n), 303)
    abort(404)


# --- errors --------------------------------------------------------------------------------


@bp.errorhandler(403)
@bp.errorhandler(404)
@bp.errorhandler(409)
def _error_page(exc: Any) -> Response:
    code = getattr(exc, "code", 500)
    description = getattr(exc, "description", "")
    if code == 403 and description == "csrf":
        message = bi("This form has expired; please try again")
    elif code == 403:
        message = bi("You may not do this")
    else:
        message = Markup("{}").format(description)
    return page("console/error.html", code, message=message, message_kind="error")


def init_app(app: Flask) -> None:
    """Register the front page, the console and their texts."""
    from hub.web import (  # noqa: F401  (their pages join the blueprint before it is registered)
        console_accounts,
        console_audit,
        console_backups,
        console_office,
        console_outbox,
        console_procedures,
        console_setup,
    )

    staff.init_app(app)
    texts.init_app(app)
    app.extensions["motcua.console_figures"] = stats.FiguresCache()
    app.register_blueprint(front_bp)
    app.register_blueprint(bp)
