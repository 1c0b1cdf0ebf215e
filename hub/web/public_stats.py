"""The public statistics page ``/thong-ke`` (no login): this month's share of dossiers settled on
time and the satisfaction rate at the counters, as the agency may publish them.

Only totals are shown, never a name or a dossier. Rate-limited per address like the public
lookup, and computed at most once a minute (a crowd reloading it costs one query a minute).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request

from hub.auth.ratelimit import RateLimiter
from hub.reports import formats, periods, queue_report
from hub.reports.dossiers import indicators
from hub.web.console_reports import period_label

bp = Blueprint("public_stats", __name__)
FRESH_S = 60.0
RATE_PER_MINUTE = 30


class _Kept:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: tuple[float, str, dict[str, Any]] | None = None


def figures() -> dict[str, Any]:
    """This month's published figures (from memory when computed within the last minute)."""
    kept: _Kept = current_app.extensions["motcua.public_stats"]
    clock = current_app.extensions["motcua.clock"]
    today = clock.today()
    with kept.lock:
        if kept.value and kept.value[1] == today and time.monotonic() - kept.value[0] < FRESH_S:
            return kept.value[2]
    p = periods.period("month", dt.date.fromisoformat(today))
    store = current_app.extensions["motcua.store"]
    with store.borrow() as conn:
        queue_report.ensure_summaries(conn, store.write, p, today, clock.tz)
        report = queue_report.queue_report(conn, p, "service", today, clock.tz, {})
        _, dossiers = indicators(conn, p)
    now = clock.local(clock.now())
    due = dossiers.early + dossiers.on_time + dossiers.late
    value = {
        "period": period_label(p),
        "in_time_rate": dossiers.in_time_rate, "in_time": dossiers.early + dossiers.on_time,
        "due": due, "satisfaction": report.total["satisfaction"], "rated": report.total["rated"],
        "served": report.total["served"],
        "as_of": formats.date(now.date()) + now.strftime(" %H:%M"),
    }  # fmt: skip
    with kept.lock:
        kept.value = (time.monotonic(), today, value)
    return value


@bp.get("/thong-ke")
def stats_page() -> Response:
    """The public statistics page."""
    wait = current_app.extensions["motcua.public_stats_limiter"].try_acquire(
        f"a:{request.remote_addr}"
    )
    if wait > 0:
        seconds = int(wait) + 1
        html = render_template(
            "public/stats.html", limited=seconds, agency=current_app.config["MOTCUA"].agency_name
        )
        response = Response(html, status=429, mimetype="text/html")
        response.headers["Retry-After"] = str(seconds)
        return response
    html = render_template(
        "public/stats.html", s=figures(), formats=formats,
        agency=current_app.config["MOTCUA"].agency_name,
    )  # fmt: skip
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def init_app(app: Flask) -> None:
    """Register the page."""
    app.extensions["motcua.public_stats"] = _Kept()
    app.extensions["motcua.public_stats_limiter"] = RateLimiter(RATE_PER_MINUTE)
    app.register_blueprint(bp)
