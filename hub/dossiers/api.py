"""HTTP: the public dossier lookup and the back end's signed webhook."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from hub.auth.access import optional_principal
from hub.dossiers.codes import InvalidCode, normalize_code
from hub.dossiers.lookup import DossierNotFound, LookupService, UpstreamUnavailable
from hub.errors import ApiError
from hub.reports.lookups import tally
from hub.upstream import push
from hub.upstream.base import UpstreamBadData
from hub.upstream.http import parse_json
from hub.upstream.mapping import BadRecord

log = logging.getLogger(__name__)
bp = Blueprint("dossiers", __name__)


def _parts() -> dict[str, Any]:
    return current_app.extensions["motcua.dossiers"]


def _callers() -> list[str]:
    """Rate-limit keys of this request: the client address, and the device when one signed in."""
    keys = [f"a:{request.remote_addr}"]
    principal = optional_principal()
    if principal is not None and principal.device_id is not None:
        keys.append(f"d:{principal.device_id}")
    return keys


@bp.get("/api/v1/dossiers/<path:dossier_code>")
def lookup(dossier_code: str):
    """A dossier's status, from what the citizen typed or scanned."""
    raw = dossier_code
    parts = _parts()
    keys = _callers()
    for key in keys:
        parts["limiter"].check(key, "lookups")
        wait = parts["guard"].blocked_for(key)
        if wait > 0:
            raise ApiError(
                429,
                "rate_limited",
                f"too many codes that do not exist; try again in {int(wait) + 1} s",
                retry_after=int(wait) + 1,
            )
    if request.query_string:  # a scanned URL's own query arrives as ours; put it back
        raw = f"{raw}?{request.query_string.decode('utf-8', 'replace')}"
    try:
        code = normalize_code(raw)
    except InvalidCode as exc:
        for key in keys:
            parts["guard"].miss(key)
        raise ApiError(400, "invalid_code", str(exc), "code") from None
    service: LookupService = parts["lookup"]
    caller = optional_principal()
    channel = "kiosk" if caller is not None and caller.role == "kiosk" else "web"
    try:
        answer = service.lookup(code)
        tally(channel, answer["freshness"]["source"])
        return jsonify(answer)
    except DossierNotFound as exc:
        tally(channel, "not_found")
        for key in keys:
            parts["guard"].miss(key)
        raise ApiError(404, "dossier_not_found", str(exc), "code", code_normalized=code) from None
    except UpstreamUnavailable as exc:
        tally(channel, "unavailable")
        raise ApiError(503, "upstream_unavailable", str(exc), code_normalized=code) from None


@bp.post("/api/v1/upstream/webhook")
def webhook():
    """Changed dossiers pushed by the back end, HMAC-signed and replay-safe."""
    parts = _parts()
    secret = parts["webhook_secret"]
    if not secret:
        raise ApiError(404, "not_found", "the webhook is not enabled on this hub")
    request.max_content_length = push.MAX_BODY  # batches are bigger than appliance requests
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise ApiError(
            413, "too_large", f"a delivery may be at most {push.MAX_BODY} bytes"
        ) from None
    now = time.time()
    try:
        delivery = push.verify(secret, request.headers, body, now)
    except push.SignatureError as exc:
        raise ApiError(401, "unauthorized", str(exc)) from None
    try:
        payload = parse_json(body)
    except UpstreamBadData as exc:
        raise ApiError(400, "invalid", str(exc)) from None
    mapping = parts["mapping"]
    items = payload.get(mapping.data_key) if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise ApiError(400, "invalid", f"the body must be {{{mapping.data_key!r}: [...]}}", "data")
    if len(items) > push.MAX_RECORDS:
        raise ApiError(413, "too_large", f"at most {push.MAX_RECORDS} dossiers per delivery")
    clean, errors = [], []
    for index, item in enumerate(items):
        try:
            clean.append(mapping.clean_dossier(item))
        except BadRecord as exc:
            errors.append(f"[{index}] {exc}")
    store = parts["cache"].store
    with store.write() as conn:
        # The delivery id is recorded in the same transaction as the dossiers it carried.
        conn.execute(
            "DELETE FROM webhook_deliveries WHERE received_at < ?", (now - 2 * push.TOLERANCE_S,)
        )
        seen = conn.execute(
            "SELECT 1 FROM webhook_deliveries WHERE delivery_id = ?", (delivery,)
        ).fetchone()
        if seen:
            raise ApiError(409, "replayed", f"delivery {delivery} was already received")
        conn.execute(
            "INSERT INTO webhook_deliveries (delivery_id, received_at) VALUES (?, ?)",
            (delivery, now),
        )
        parts["cache"].put_many(clean, source="webhook")
    if errors:
        log.warning("webhook %s: %d records refused, first: %s", delivery, len(errors), errors[0])
    return jsonify({"accepted": len(clean), "rejected": len(errors), "errors": errors[:20]})


def init_app(app: Flask, parts: dict[str, Any]) -> None:
    """Register the routes; ``parts`` holds lookup, cache, limiter, guard, mapping, secret."""
    app.extensions["motcua.dossiers"] = parts
    app.register_blueprint(bp)
