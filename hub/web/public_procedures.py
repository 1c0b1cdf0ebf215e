"""Public procedure pages: ``/thu-tuc`` (search, or the fields to browse) and ``/thu-tuc/<code>``
(documents, steps, time, fees, forms, where and how to submit).

The data and the ranking are the catalogue's (``hub.catalogue``: 1,601 real procedures in the
bundled data), the same the kiosk and ``/api/v1/procedures`` use. Plain links and a GET form:
everything works without JavaScript, and each search has a URL a citizen can share.
"""

from __future__ import annotations

import math

from flask import Blueprint, Flask, Response, current_app, request

from hub.catalogue.procedures import Catalogue
from hub.digits import parse_digits
from hub.web.public_texts import page

bp = Blueprint("public_procedures", __name__, url_prefix="/thu-tuc")
PER_PAGE = 20
MAX_Q = 200
MAX_PAGE = 500


def _catalogue() -> Catalogue:
    return current_app.extensions["motcua.procedures"]


def _arg(name: str, limit: int = MAX_Q) -> str:
    return request.args.get(name, "").strip()[:limit]


@bp.get("")
def search() -> Response:
    """Search by words (with or without diacritics), within a field and level; with no words
    and no field, the fields to browse."""
    catalogue = _catalogue()
    q, field, level = _arg("q"), _arg("field"), _arg("level")
    number = min(max(parse_digits(request.args.get("page", ""), max_len=4) or 1, 1), MAX_PAGE)
    # This office's procedures first (chosen in the console), the whole catalogue on asking.
    everything = request.args.get("all") == "1"
    office_only = not everything
    facets = catalogue.facets(office_only)
    total, rows, suggested = 0, [], []
    browsing = not (q or field or level)
    if not browsing:
        total, rows = catalogue.search(
            q, field, level, PER_PAGE, (number - 1) * PER_PAGE, office_only
        )
        if not total and q:
            suggested = catalogue.suggested_fields()
    # What the whole catalogue holds for the same question, to offer it when it is more (when
    # browsing the fields, the rest of the catalogue is always on offer).
    all_total, elsewhere = total, office_only
    if office_only and not browsing:
        all_total, elsewhere = catalogue.elsewhere(q, field, level)
    pages = max(1, math.ceil(total / PER_PAGE))
    return page(
        "public/procedures.html",
        q=q, field=field, level=level, page_number=number, pages=pages, total=total, rows=rows,
        facets=facets, suggested=suggested, browsing=browsing, everything=everything,
        all_total=all_total, elsewhere=elsewhere, scope={"all": "1"} if everything else {},
    )  # fmt: skip


@bp.get("/<code>")
def detail(code: str) -> Response:
    """One procedure's page."""
    catalogue = _catalogue()
    found = catalogue.get(code.strip()[:40])
    if found is None:
        return page("public/procedure.html", 404, procedure=None, back=request.referrer)
    catalogue.opened(found["code"])  # as the API does: what people open here ranks higher
    return page("public/procedure.html", procedure=found)


def init_app(app: Flask) -> None:
    """Register the procedure pages."""
    app.register_blueprint(bp)
