"""The public ticket page ``/t/<token>``: what the QR code on a ticket opens."""

from __future__ import annotations

from flask import Blueprint, Flask, Response

bp = Blueprint("public", __name__)


@bp.get("/t/<token>")
def ticket_page(token: str) -> Response:
    """Placeholder until the page lands."""
    return Response("", 200, mimetype="text/html")


def init_app(app: Flask) -> None:
    """Register the public pages."""
    app.register_blueprint(bp)
