"""The outbox in the console (admin and supervisor): what waits to reach the back end, whether
the back end takes deliveries now, and the items it refused, which an admin can put back in line
once the back end is fixed. See :mod:`hub.outbox`."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import Response, current_app, redirect, url_for

from hub.auth.audit import audit
from hub.outbox import store
from hub.queue.writer import Tx
from hub.web import staff
from hub.web.console import bp, done_message, page, run


def _when(ts: float | None) -> str:
    if ts is None:
        return ""
    return current_app.extensions["motcua.clock"].local(ts).strftime("%d/%m/%Y %H:%M:%S")


def _view() -> dict[str, Any]:
    """What the page shows; ``enabled`` False when no endpoint is configured."""
    config = current_app.config["MOTCUA"].outbox
    delivery = current_app.extensions.get("motcua.outbox")
    if delivery is None:
        return {"enabled": False}
    conn = current_app.extensions["motcua.store"].conn()
    backlog = store.backlog(conn)
    status = delivery.status()
    parts = urlsplit(config.url)  # shown without any user:password in it
    return {
        "enabled": True,
        "endpoint": f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"
        f"{parts.path}",
        "site": config.site,
        "pending": backlog["pending"],
        "oldest": _when(backlog["oldest_at"]),
        "age_min": int((time.time() - backlog["oldest_at"]) // 60) if backlog["oldest_at"] else 0,
        "failed": backlog["failed"],
        "failed_items": [
            {**item, "created": _when(item["created_at"]), "refused": _when(item["failed_at"])}
            for item in store.failed_items(conn)
        ],
        "down": status["failures"] > 0,
        "next_try": _when(status["next_attempt_at"]),
        "last_error": status["last_error"],
        "last_success": _when(status["last_success"]),
        "delivered": status["delivered"],
    }


@bp.get("/outbox")
@staff.staff("admin", "supervisor")
def outbox_page() -> Response:
    """The outbox's backlog and state."""
    return page("console/outbox.html", outbox=_view(), **done_message())


@bp.post("/outbox/requeue")
@staff.staff("admin")
def outbox_requeue() -> Response:
    """Put every refused item back in line, for the next delivery."""
    p = staff.current()

    def op(tx: Tx) -> int:
        count = store.requeue_failed(tx)
        audit(tx, p, "outbox.requeue", None, {"items": count})
        return count

    count = run(op)
    delivery = current_app.extensions.get("motcua.outbox")
    if delivery is not None:
        delivery.wake()
    return redirect(url_for("console.outbox_page", done="outbox_requeued", n=count), 303)
