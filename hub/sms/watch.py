"""``POST /api/v1/tickets/{token}/sms``: leave a phone number to get one SMS when few people are
ahead of a ticket (``[sms] notify_ahead``; the route exists only when that is on).

The ticket's secret token (printed in its QR code) is the permission: the kiosk, or the citizen's
phone on the ticket page, sends it with the number. One number per ticket; the number is kept,
hashed and plain, only until the notice is queued or the ticket leaves the line.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app

from hub.api_util import get_str, json_body, json_response
from hub.errors import ApiError, bad_request
from hub.sms.outbox import SmsStore, can_reply, normalize_phone

bp = Blueprint("sms_watch", __name__)

PATH = "/api/v1/tickets/{token}/sms"
OPENAPI = {
    "post": {
        "summary": "send one SMS to this number when few people are ahead of the ticket",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["phone"],
            "properties": {"phone": {"type": "string", "example": "0912345678"}}}}}},
        "responses": {
            "201": {"description": "the number is kept until the notice is queued"},
            "400": {"description": "not a mobile number (field phone)"},
            "404": {"description": "no ticket with this token"},
            "409": {"description": "the ticket is not waiting, or has a number already"},
        },
    }
}  # fmt: skip


@bp.post("/api/v1/tickets/<token>/sms")
def watch(token: str) -> Response:
    """Keep the number to tell about this ticket."""
    from hub.queue.api import live

    settings = current_app.config["MOTCUA"].sms
    raw = get_str(json_body(), "phone", max_len=24) or ""
    phone = normalize_phone(raw, settings.country_code)
    if not can_reply(phone) or not 10 <= len(phone) - 1 <= 15:
        raise bad_request("the phone must be a mobile number such as 0912345678", "phone")
    if len(token) > 100:
        raise bad_request("not a ticket token", "token")
    with live():
        conn = current_app.extensions["motcua.store"].conn()
        found = current_app.extensions["motcua.engine"].ticket_by_token(conn, token)
    if found is None:
        raise ApiError(404, "not_found", "no ticket with this token")
    if found["state"] != "waiting":
        raise ApiError(409, "not_waiting", "the ticket is not waiting any more")
    outbox: SmsStore = current_app.extensions["motcua.sms"].outbox
    if not outbox.watch(found["id"], phone):
        raise ApiError(409, "already_watched", "this ticket has a phone number already")
    body = {"ticket": found["number"], "notify_ahead": settings.notify_ahead}
    return json_response(body, 201)


def init_app(app: Flask) -> None:
    """Register the route and its OpenAPI description."""
    app.register_blueprint(bp)
    app.extensions.setdefault("motcua.openapi_paths", {})[PATH] = OPENAPI
