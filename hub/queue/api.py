"""HTTP endpoints of the queue: services, counters, state snapshot, tickets, counter actions, day,
notice. Thin: parse and check input, check the role, hand the change to the engine via the writer.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g

from hub.api_util import get_bool, get_int, get_str, json_body, json_response, perform
from hub.auth.access import Principal, require, require_counter
from hub.auth.audit import audit
from hub.errors import ApiError, bad_request
from hub.queue import priority as priority_rules
from hub.queue.counter_ops import CounterOps
from hub.queue.engine import PRIORITY_REASONS, QueueEngine, conflict, new_ticket_token
from hub.queue.state import QueueState
from hub.queue.writer import Tx

bp = Blueprint("queue", __name__, url_prefix="/api/v1")
RECENT_CALLS = 10
NOTICE_DEFAULT = {"text_vi": "", "text_en": "", "updated_at": None}


def _engine() -> QueueEngine:
    return current_app.extensions["motcua.engine"]


def _ops() -> CounterOps:
    return current_app.extensions["motcua.counter_ops"]


@contextlib.contextmanager
def live() -> Iterator[QueueState]:
    """The live state, locked, brought up to date first if the day turned or it is stale."""
    state: QueueState = current_app.extensions["motcua.state"]
    clock = current_app.extensions["motcua.clock"]
    if state.dirty or state.day != state.business_day(clock.now()):
        current_app.extensions["motcua.writer"].run(lambda tx: None)  # the writer refreshes it
    with state.lock:
        yield state


def _conn():
    return current_app.extensions["motcua.store"].conn()


def _principal() -> Principal:
    return g.principal


# --- reads -----------------------------------------------------------------------------------


@bp.get("/services")
def list_services() -> Response:
    """Every service with waiting counts and estimated waits."""
    now = current_app.extensions["motcua.clock"].now()
    with live() as state:
        return json_response({"day": state.day, "services": state.services_view(now)})


@bp.get("/counters")
def list_counters() -> Response:
    """Every counter with its clerk and current ticket."""
    with live() as state:
        return json_response({"counters": state.counters_view()})


def read_notice(conn: Any) -> dict[str, Any]:
    """The notice shown on displays and kiosks."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'notice'").fetchone()
    return json.loads(row[0]) if row else dict(NOTICE_DEFAULT)


def office_settings(conn: Any) -> dict[str, Any]:
    """What appliances need of the office's settings: its time zone and who has priority."""
    settings = current_app.config["MOTCUA"]
    rules = priority_rules.read(conn, settings)
    return {
        "timezone": settings.timezone,
        "priority_reasons": list(rules.reasons),
        "priority_elderly_age": rules.elderly_age,
    }


@bp.get("/state")
def state() -> Response:
    """A consistent snapshot to start from, and the event id to follow on from."""
    conn = _conn()
    # Before the snapshot: a change of alerts is committed as an event first, so this list and
    # the events after last_event_id agree.
    alerts = current_app.extensions["motcua.alert_watch"].check()
    now = current_app.extensions["motcua.clock"].now()
    with live() as state:  # the writer is between batches: views, log and event id agree
        rows = conn.execute(
            "SELECT * FROM tickets WHERE day = ? AND called_at IS NOT NULL"
            " ORDER BY called_at DESC, id DESC LIMIT ?",
            (state.day, RECENT_CALLS),
        ).fetchall()
        body = {
            "day": state.day,
            "services": state.services_view(now),
            "counters": state.counters_view(),
            "last_event_id": current_app.extensions["motcua.bus"].last_id,
            "notice": read_notice(conn),
            "office": office_settings(conn),
            "recent_calls": [state.ticket_view(state.active.get(r["id"]) or dict(r)) for r in rows],
            "alerts": alerts,
        }
    return json_response(body)


@bp.get("/notice")
def get_notice() -> Response:
    """The current notice."""
    return json_response(read_notice(_conn()))


@bp.get("/tickets/<token>")
def ticket_status(token: str) -> Response:
    """A ticket's own status, by its secret token."""
    if len(token) > 100:
        raise bad_request("not a ticket token", "token")
    with live():
        found = _engine().ticket_by_token(_conn(), token)
    if found is None:
        raise ApiError(404, "not_found", "no ticket with this token")
    return json_response(found)


# --- tickets ---------------------------------------------------------------------------------


@bp.post("/tickets")
@require("kiosk", "admin")
def issue_ticket() -> Response:
    """Issue a ticket for a service."""
    data = json_body()
    service = get_str(data, "service", max_len=20)
    priority = get_bool(data, "priority")
    reason = get_str(data, "priority_reason", required=False, max_len=60)
    if reason is not None and reason not in PRIORITY_REASONS:
        raise bad_request(
            f"'priority_reason' must be one of {', '.join(PRIORITY_REASONS)}", "priority_reason"
        )
    if reason is not None:
        accepted = priority_rules.read(_conn(), current_app.config["MOTCUA"]).reasons
        if reason not in accepted:
            raise bad_request(
                f"this office gives no priority for {reason!r} (it does for: "
                f"{', '.join(accepted) or 'nothing'})", "priority_reason",
            )  # fmt: skip
    p = _principal()
    engine = _engine()
    token = new_ticket_token()
    return perform(lambda tx: engine.issue(tx, p, service or "", priority, reason, token), 201)


@bp.post("/tickets/<int:ticket_id>/cancel")
@require("clerk", "admin", "kiosk")
def cancel_ticket(ticket_id: int) -> Response:
    """Cancel a ticket."""
    json_body(required=False)
    p = _principal()
    engine = _engine()
    return perform(lambda tx: engine.cancel(tx, p, ticket_id))


@bp.post("/tickets/<int:ticket_id>/requeue")
@require("clerk", "admin")
def requeue_ticket(ticket_id: int) -> Response:
    """Put a returning no-show back in line."""
    json_body(required=False)
    p = _principal()
    engine = _engine()
    return perform(lambda tx: engine.requeue(tx, p, ticket_id))


@bp.post("/tickets/<int:ticket_id>/print")
@require("kiosk")
def report_print(ticket_id: int) -> Response:
    """The kiosk reports whether printing worked; failures are kept for the administrator."""
    data = json_body()
    ok = data.get("ok")
    if not isinstance(ok, bool):
        raise bad_request("'ok' must be true or false", "ok")
    detail = get_str(data, "detail", required=False, max_len=200)
    p = _principal()
    engine = _engine()

    def op(tx: Tx) -> None:
        engine.find(tx.read, ticket_id)  # 404 if there is no such ticket
        tx.defer(
            "INSERT INTO print_reports (ticket_id, device_id, ok, detail, at)"
            " VALUES (?, ?, ?, ?, ?)",
            (ticket_id, p.device_id, int(ok), detail, tx.now),
        )
        if not ok:
            audit(tx, p, "ticket.print_failed", str(ticket_id), {"detail": detail})

    return perform(op, 204)


@bp.post("/tickets/<int:ticket_id>/rating")
@require("clerk", "counter", "admin")
def rate_ticket(ticket_id: int) -> Response:
    """The citizen's satisfaction with the service of a ticket (1 best … 5 worst)."""
    level = get_int(json_body(), "level", lo=1, hi=5)
    p = _principal()
    engine = _engine()

    def op(tx: Tx) -> dict[str, Any]:
        row = engine.find(tx.conn, ticket_id)
        if p.role != "admin" and p.counter != row["counter"]:
            raise ApiError(
                403, "forbidden", f"ticket {row['number']} was served at another counter"
            )
        if row["state"] not in ("serving", "done"):
            raise conflict(f"ticket {row['number']} is {row['state']}; rate it once served")
        if tx.conn.execute("SELECT 1 FROM ratings WHERE ticket_id = ?", (ticket_id,)).fetchone():
            raise conflict(f"ticket {row['number']} is already rated")
        clerk = tx.conn.execute(
            "SELECT u.username FROM counters c JOIN users u ON u.id = c.clerk_user_id"
            " WHERE c.number = ?",
            (row["counter"],),
        ).fetchone()
        rating = {
            "ticket_id": ticket_id,
            "level": level,
            "counter": row["counter"],
            "clerk": clerk[0] if clerk else p.username,
        }
        tx.conn.execute(
            "INSERT INTO ratings (ticket_id, level, counter, clerk, at) VALUES (?, ?, ?, ?, ?)",
            (ticket_id, level, rating["counter"], rating["clerk"], tx.now),
        )
        # The stream is public: it says a ticket was rated, not how or whom.
        tx.emit("rating.created", {"rating": {"ticket_id": ticket_id, "counter": row["counter"]}})
        return {"rating": rating}

    return perform(op, 201)


# --- counters --------------------------------------------------------------------------------


def _counter_action(number: int, action: str) -> Response:
    p = _principal()
    require_counter(p, number)
    ops = _ops()
    if action in ("call-next", "recall", "start", "finish", "no-show", "pause", "resume"):
        json_body(required=False)
    handlers = {
        "call-next": lambda tx: ops.call_next(tx, p, number),
        "recall": lambda tx: ops.recall(tx, p, number),
        "start": lambda tx: ops.start(tx, p, number),
        "finish": lambda tx: ops.finish(tx, p, number),
        "no-show": lambda tx: ops.no_show(tx, p, number),
        "pause": lambda tx: ops.set_paused(tx, p, number, True),
        "resume": lambda tx: ops.set_paused(tx, p, number, False),
    }
    if action == "call":
        ticket_number = get_str(json_body(), "number", max_len=20) or ""
        handlers["call"] = lambda tx: ops.call_number(tx, p, number, ticket_number.upper())
    if action == "transfer":
        data = json_body()
        service = get_str(data, "service", required=False, max_len=20)
        to_counter = get_int(data, "counter", required=False, lo=1)
        if (service is None) == (to_counter is None):
            raise bad_request("give either 'service' or 'counter'", "service")
        handlers["transfer"] = lambda tx: ops.transfer(tx, p, number, service, to_counter)
    return perform(handlers[action])


def _make_counter_view(action: str):
    @require("clerk", "admin")
    def view(number: int) -> Response:
        return _counter_action(number, action)

    view.__name__ = f"counter_{action.replace('-', '_')}"
    view.__doc__ = f"Counter action: {action}."
    return view


COUNTER_ACTIONS = ("call-next", "call", "recall", "start", "finish", "no-show", "transfer",
                   "pause", "resume")  # fmt: skip
for _action in COUNTER_ACTIONS:
    bp.add_url_rule(
        f"/counters/<int:number>/{_action}", view_func=_make_counter_view(_action), methods=["POST"]
    )


# --- day and notice --------------------------------------------------------------------------


@bp.post("/day/open")
@require("supervisor", "admin")  # a tổ trưởng runs the day, as in the console
def open_day() -> Response:
    """Open today (or reopen it)."""
    json_body(required=False)
    p = _principal()
    engine = _engine()
    return perform(lambda tx: engine.open_day(tx, p))


@bp.post("/day/close")
@require("supervisor", "admin")  # a tổ trưởng runs the day, as in the console
def close_day() -> Response:
    """Close today."""
    json_body(required=False)
    p = _principal()
    engine = _engine()
    return perform(lambda tx: engine.close_day(tx, p))


@bp.put("/notice")
@require("supervisor", "admin")  # a tổ trưởng runs the day, as in the console
def put_notice() -> Response:
    """Set the notice shown on displays and kiosks."""
    data = json_body()
    text_vi = get_str(data, "text_vi", required=False, max_len=500, default="")
    text_en = get_str(data, "text_en", required=False, max_len=500, default="")
    p = _principal()

    def op(tx: Tx) -> dict[str, Any]:
        notice = {"text_vi": text_vi, "text_en": text_en, "updated_at": tx.clock.iso(tx.now)}
        tx.conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES ('notice', ?)",
            (json.dumps(notice, ensure_ascii=False),),
        )
        tx.emit("notice.updated", {"notice": notice, "by": p.by()})
        audit(tx, p, "notice.update")
        return notice

    return perform(op)


def init_app(app: Flask) -> None:
    """Register the queue endpoints."""
    app.register_blueprint(bp)
