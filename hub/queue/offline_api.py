"""HTTP endpoints for work done while the hub was down (see :mod:`hub.queue.offline`):

- ``POST /api/v1/kiosk/blocks`` (kiosk): today's number blocks of this kiosk, reserved on first
  asking;
- ``POST /api/v1/kiosk/offline-tickets`` (kiosk): one ticket the kiosk issued offline, taken into
  the queue (201), or the same ticket again for a repeat (200);
- ``POST /api/v1/backfill`` (clerk, admin): a service done on paper, entered afterwards.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g

from hub.api_util import (
    get_bool,
    get_int,
    get_str,
    idempotency_key,
    json_body,
    json_response,
    perform,
)
from hub.auth.access import require
from hub.errors import bad_request
from hub.queue.engine import PRIORITY_REASONS
from hub.queue.offline import OfflineWork, parse_time
from hub.queue.writer import Tx

bp = Blueprint("offline", __name__, url_prefix="/api/v1")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # what new_ticket_token draws (22 characters)
_NUMBER = re.compile(r"^[A-Z0-9-]{1,20}$")


def _work() -> OfflineWork:
    return current_app.extensions["motcua.offline"]


def _tz() -> Any:
    return current_app.extensions["motcua.clock"].tz


@bp.post("/kiosk/blocks")
@require("kiosk")
def kiosk_blocks() -> Response:
    """This kiosk's blocks for today (asking again answers the same blocks)."""
    json_body(required=False)
    p = g.principal
    work = _work()
    return perform(lambda tx: work.blocks(tx, p))


@bp.post("/kiosk/offline-tickets")
@require("kiosk")
def offline_ticket() -> Response:
    """A ticket this kiosk issued from its block while it could not reach the hub."""
    data = json_body()
    service = get_str(data, "service", max_len=20) or ""
    seq = get_int(data, "seq", lo=1, hi=10**9) or 0
    issued_at = parse_time(data.get("issued_at"), "issued_at", _tz())
    priority = get_bool(data, "priority")
    reason = get_str(data, "priority_reason", required=False, max_len=60)
    if reason is not None and reason not in PRIORITY_REASONS:
        raise bad_request(
            f"'priority_reason' must be one of {', '.join(PRIORITY_REASONS)}", "priority_reason"
        )
    token = get_str(data, "token", required=False, max_len=64)
    if token is not None and not _TOKEN.match(token):
        raise bad_request("'token' must be 16-64 letters, digits, '-' or '_'", "token")
    idempotency_key()  # checked like everywhere, though the ticket's number is the key here
    p = g.principal
    work = _work()

    def op(tx: Tx) -> tuple[dict[str, Any], bool]:
        return work.take_in(tx, p, service, seq, issued_at, priority, reason, token)

    # Keyed by (device, service, number) itself: a repeat answers the same ticket, with or
    # without an Idempotency-Key.
    view, new = current_app.extensions["motcua.writer"].run(op)
    return json_response(view, 201 if new else 200)


@bp.post("/backfill")
@require("clerk", "admin")
def backfill() -> Response:
    """A service done on paper while the hub was down, entered afterwards."""
    data = json_body()
    service = get_str(data, "service", max_len=20) or ""
    number = (get_str(data, "number", max_len=20) or "").upper()
    if not _NUMBER.match(number):
        raise bad_request("'number' must be the ticket's number, such as A045", "number")
    tz = _tz()
    times: dict[str, float | None] = {
        "issued_at": parse_time(data.get("issued_at"), "issued_at", tz),
        "called_at": None,
        "finished_at": parse_time(data.get("finished_at"), "finished_at", tz),
    }
    if data.get("called_at") is not None:
        times["called_at"] = parse_time(data.get("called_at"), "called_at", tz)
    outcome = get_str(data, "state", required=False, max_len=10, default="done")
    if outcome not in ("done", "no_show"):
        raise bad_request("'state' must be done or no_show", "state")
    p = g.principal
    counter = get_int(data, "counter", required=False, lo=1)
    if counter is None:
        counter = p.counter  # a clerk's own counter
    priority = get_bool(data, "priority")
    work = _work()
    return perform(
        lambda tx: work.backfill(tx, p, service, number, times, counter, outcome, priority), 201
    )


def init_app(app: Flask) -> None:
    """Register the endpoints and the work they hand to the writer."""
    block_size = app.config["MOTCUA"].offline_block_size
    app.extensions["motcua.offline"] = OfflineWork(app.extensions["motcua.engine"], block_size)
    app.register_blueprint(bp)
