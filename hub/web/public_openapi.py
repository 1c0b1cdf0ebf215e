"""The public pages in the hub's OpenAPI document (``/api/v1/openapi.json`` lists every route):
HTML answers, with the query each page reads. Added through ``motcua.openapi_paths``."""

from __future__ import annotations

from typing import Any

from flask import Flask

_HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}
_CODE = {"type": "string", "maxLength": 600}
_LOOKUP = {
    "200": "the dossier's status, as the kiosk shows it, with its freshness (or the empty form)",
    "400": "not a dossier code: the page says what is wrong, in Vietnamese and English",
    "404": "no dossier with this code",
    "429": "too many lookups from this address (the API's limits; Retry-After)",
    "503": "not cached and the back end cannot be asked now",
}


def _page(summary: str, answers: dict[str, str], query: list[tuple[str, dict[str, Any], str]],
          path: str = "") -> dict[str, Any]:  # fmt: skip
    parameters = [
        {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
        for name, schema, text in query
    ]
    if path:
        parameters.insert(0, {"name": path, "in": "path", "required": True, "schema": _CODE})
    answers = {"503": "the hub cannot answer now (its database is busy)", **answers}
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {code: {"description": text, **_HTML} for code, text in answers.items()},
    }
    if parameters:
        op["parameters"] = parameters
    return {"get": op}


_MA = [("ma", _CODE, "the code on the receipt, or a lookup link carrying it")]
_ZONE = {"type": "string"}  # what is not a number or code of this office is left out
PAGES = {
    "/tra-cuu": _page("Dossier lookup form and answer (HTML; works without JavaScript)",
                      _LOOKUP, _MA),
    "/tra-cuu/{raw}": _page("A dossier's answer: what a receipt's QR code opens (HTML)",
                            _LOOKUP, [], path="raw"),
    "/thu-tuc": _page(
        "Procedure search, or the fields to browse (HTML)",
        {"200": "matching procedures, 20 a page; or the fields"},
        [("q", {"type": "string"}, "words, with or without accents (first 200 characters)"),
         ("field", {"type": "string"}, "a field (lĩnh vực)"),
         ("level", {"type": "string"}, "a level (cấp thực hiện)"),
         ("page", {"type": "string"}, "1 to 500; anything else means 1")],
    ),
    "/thu-tuc/{code}": _page(
        "One procedure: documents, steps, time, fees, forms, where to submit (HTML)",
        {"200": "the procedure", "404": "no procedure with this code"}, [], path="code",
    ),
    "/bang": _page(
        "The waiting-room board for a TV's browser (HTML and a script following the events)",
        {"200": "the board"},
        [("counters", _ZONE, "the zone: counter numbers, such as 1,3"),
         ("services", _ZONE, "the zone: service codes, such as A,B"),
         ("recent", {"type": "string"}, "calls listed under the newest (0-12, default 6)"),
         ("highlight", {"type": "string"}, "seconds a new call is lit (default 10)"),
         ("stale", {"type": "string"}, "a call older than this when it arrives is not lit (30)")],
    ),
    "/nhung": _page("The lookup widget's <iframe> snippet to copy, with a preview (HTML)",
                    {"200": "the snippet"}, []),
    "/nhung/tra-cuu": _page("The embeddable lookup widget (HTML; framable by embed_origins)",
                            _LOOKUP, _MA),
}  # fmt: skip


def init_app(app: Flask) -> None:
    """Add the pages to the OpenAPI document."""
    app.extensions.setdefault("motcua.openapi_paths", {}).update(PAGES)
