"""The embeddable dossier lookup: ``/nhung/tra-cuu`` (the widget, one ``<iframe>`` on the agency's
portal) and ``/nhung`` (the page that shows the snippet to copy, with a preview).

Only the widget may be framed, and only by this hub and the sites in ``embed_origins`` (its
``Content-Security-Policy: frame-ancestors``); every other public page answers
``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``. The widget is the lookup page's form and
answer without the header (same limits, same masking); its form GETs within the frame.
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, Response, current_app, url_for

from hub.web.public_lookup import look_up, requested_code, respond, shown_code
from hub.web.public_texts import both, page
from motcua.config import ConfigError

bp = Blueprint("public_embed", __name__, url_prefix="/nhung")
# A CSP source expression for a site: scheme, host (a leading *. allowed) and optional port.
_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$")


def check_origins(origins: list[str]) -> list[str]:
    """The configured origins, each a bare ``https://host[:port]``; a clear error otherwise
    (a stray ``;`` or space would rewrite the page's policy)."""
    for index, origin in enumerate(origins):
        if not _ORIGIN.match(origin):
            raise ConfigError(
                f"embed_origins[{index}]",
                f"{origin!r} is not a site such as https://dichvucong.gialai.gov.vn (scheme and"
                " host, no path)",
            )
    return origins


def frame_ancestors() -> str:
    """Who may frame the widget: this hub, and the configured sites."""
    return " ".join(["'self'", *current_app.extensions["motcua.embed_origins"]])


@bp.get("/tra-cuu")
def widget() -> Response:
    """The widget: the lookup form and, with ``?ma=``, the answer."""
    raw = requested_code()
    outcome = None if raw is None else look_up(raw)
    return respond(
        outcome,
        "public/widget.html",
        typed=shown_code(outcome, raw),
        frame_ancestors=frame_ancestors(),
    )


def snippet() -> str:
    """The ``<iframe>`` to paste into a portal page."""
    src = current_app.config["MOTCUA"].base_url + url_for("public_embed.widget")
    title = " · ".join(both("Look up a dossier"))
    return (
        f'<iframe src="{src}" title="{title}" loading="lazy"\n'
        '        style="width:100%;max-width:480px;height:560px;border:0"></iframe>'
    )


@bp.get("")
def embed_page() -> Response:
    """The snippet to copy, the sites allowed, and a preview of the widget."""
    return page(
        "public/embed.html",
        snippet=snippet(),
        widget_url=url_for("public_embed.widget"),
        origins=current_app.extensions["motcua.embed_origins"],
    )


def init_app(app: Flask) -> None:
    """Register the widget; refuse a malformed ``embed_origins`` at start-up."""
    app.extensions["motcua.embed_origins"] = check_origins(list(app.config["MOTCUA"].embed_origins))
    app.register_blueprint(bp)
