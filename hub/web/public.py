"""The public ticket page ``/t/<token>``: what the QR code on a ticket opens; ``init_app``
registers the other public pages too (``public_*.py``).

Vietnamese first with English beside it (texts from ``hub/locale/vi.po``). The page polls the
ticket's JSON every few seconds instead of holding an event stream open: a phone per citizen
must not hold one of the server threads the appliances' streams need. It shows only the ticket
itself (number, service, state, people ahead, estimated wait, the counter it is called to).
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, render_template, request

from hub.digits import parse_digits
from motcua.i18n import N_, Translator

bp = Blueprint("public", __name__)

TEXTS = (
    N_("Queue ticket"),
    N_("Priority"),
    N_("Waiting"),
    N_("{n} ahead of you"),
    N_("You are next"),
    N_("Estimated wait: about {m} min"),
    N_("Please go to {counter}"),
    N_("Being served at {counter}"),
    N_("Finished. Thank you!"),
    N_("You missed your turn: please ask at a counter to be called again"),
    N_("Cancelled"),
    N_("Updated at {time}"),
    N_("Cannot reach the office right now; retrying…"),
    N_("This ticket is from an earlier day"),
    N_("No such ticket"),
    N_("Keep this page open: it updates by itself."),
)


def _texts() -> dict[str, tuple[str, str]]:
    translator: Translator = current_app.extensions["motcua.translator"]
    return {msgid: translator.both(msgid) for msgid in TEXTS}


def _poll_ms() -> int:
    """How often the page asks again: 5 s, or ``?poll=`` ms within 1-60 s (tests, kiosks)."""
    value = parse_digits(request.args.get("poll", ""), max_len=6)
    return 5000 if value is None else min(max(value, 1000), 60000)


@bp.get("/t/<token>")
def ticket_page(token: str) -> Response | tuple[str, int]:
    """The live status page of one ticket."""
    from hub.queue.api import live

    texts = _texts()
    settings = current_app.config["MOTCUA"]
    found = None
    if len(token) <= 100:
        with live():
            conn = current_app.extensions["motcua.store"].conn()
            found = current_app.extensions["motcua.engine"].ticket_by_token(conn, token)
    if found is None:
        vi, en = texts["No such ticket"]
        return f"<!doctype html><meta charset=utf-8><p>{vi}</p><p>{en}</p>", 404
    ticket = {k: v for k, v in found.items() if k not in ("token", "status_url")}
    html = render_template(
        "ticket.html",
        ticket=ticket,
        texts=texts,
        title=texts["Queue ticket"],
        keep_open=texts["Keep this page open: it updates by itself."],
        agency=settings.agency_name,
        api_url=f"/api/v1/tickets/{token}",
        poll_ms=_poll_ms(),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the URL is the ticket's secret
    response.headers["X-Frame-Options"] = "DENY"  # only the lookup widget may be framed
    response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    return response


def init_app(app: Flask) -> None:
    """Register the public pages (ticket, dossier lookup, procedures, web board, widget) and
    their translations."""
    from hub.web import (
        public_board,
        public_embed,
        public_lookup,
        public_openapi,
        public_procedures,
        public_texts,
    )

    app.extensions["motcua.translator"] = Translator(["hub"])
    app.register_blueprint(bp)
    public_texts.init_app(app)
    for part in (public_lookup, public_procedures, public_board, public_embed, public_openapi):
        part.init_app(app)
