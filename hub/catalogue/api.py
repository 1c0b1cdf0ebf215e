"""HTTP: procedure search, browsing by field and level, and one procedure's detail (public)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from hub.auth.access import optional_principal
from hub.catalogue.procedures import Catalogue
from hub.digits import parse_digits
from hub.errors import ApiError, bad_request

bp = Blueprint("procedures", __name__)
MAX_LIMIT = 100
MAX_Q = 200
SCOPES = ("all", "office")


def _catalogue() -> Catalogue:
    return current_app.extensions["motcua.procedures"]


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    value = parse_digits(raw)
    if value is None or not low <= value <= high:
        raise bad_request(f"{name} must be a whole number from {low} to {high}", name)
    return value


def _office_only() -> bool:
    """``scope=office``: only the procedures this office handles; ``all`` (the default): the
    whole catalogue."""
    scope = request.args.get("scope", "all")
    if scope not in SCOPES:
        raise bad_request("scope must be office or all", "scope")
    return scope == "office"


@bp.get("/api/v1/procedures")
def search():
    """Ranked search (with or without diacritics), filtered by field, level and scope."""
    q = request.args.get("q", "")
    if len(q) > MAX_Q:
        raise bad_request(f"q must be at most {MAX_Q} characters", "q")
    limit = _int_arg("limit", 20, 1, MAX_LIMIT)
    offset = _int_arg("offset", 0, 0, 1_000_000)
    office_only = _office_only()
    field, level = request.args.get("field", ""), request.args.get("level", "")
    catalogue = _catalogue()
    total, rows = catalogue.search(q, field, level, limit, offset, office_only)
    answer: dict[str, object] = {"total": total, "procedures": rows}
    if office_only:
        # What the rest of the catalogue holds for the same question, so a kiosk can offer
        # "Tìm trong tất cả thủ tục" only when that would find something.
        answer["all_total"], answer["elsewhere"] = catalogue.elsewhere(q, field, level)
    if not total and q.strip():
        # Nothing means what was typed: say so, and offer the fields to browse instead.
        answer["not_found"] = True
        answer["suggested_fields"] = catalogue.suggested_fields()
    return jsonify(answer)


@bp.get("/api/v1/procedures/fields")
def fields():
    """Fields (lĩnh vực) and levels (cấp thực hiện) with their procedure counts."""
    return jsonify(_catalogue().facets(_office_only()))


@bp.get("/api/v1/procedures/<code>")
def detail(code: str):
    """One procedure: documents, steps, time, fees, forms, where to submit; ``raw`` holds the
    text as the back end sent it (the "văn bản gốc")."""
    catalogue = _catalogue()
    found = catalogue.get(code.strip())
    if found is None:
        raise ApiError(404, "not_found", f"no procedure with code {code!r}", "code")
    # What people open here comes first in later searches: one count per device or address.
    device = optional_principal()
    who = f"device:{device.device_id}" if device and device.device_id else request.remote_addr
    catalogue.opened(found["code"], who or "?")
    return jsonify({"procedure": found})


def init_app(app: Flask, catalogue: Catalogue) -> None:
    """Register the routes over ``catalogue``."""
    app.extensions["motcua.procedures"] = catalogue
    app.register_blueprint(bp)
