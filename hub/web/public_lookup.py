"""The public dossier lookup page: ``/tra-cuu`` (a form that GETs ``?ma=``) and ``/tra-cuu/<code>``.

A receipt's QR code may carry either form (``{public_url}/tra-cuu/H21.22-241105-0012`` or
``…/tra-cuu?ma=…``, the path the provinces' portals use), and so may a link pasted into the form:
the code is read the way :func:`hub.dossiers.codes.normalize_code` reads what a kiosk scans.

The answer is the lookup API's (the same cache, back end, freshness and masking) and is limited
as the API is: the same per-address buckets and miss guard, so the page is no way around them.
It shows what the kiosk shows: the status, what to do next, on time or late, the dates, the
procedure, the masked applicant, the steps, and how fresh this is. Works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from hub.dossiers.codes import InvalidCode, normalize_code
from hub.dossiers.lookup import DossierNotFound, LookupService, UpstreamUnavailable
from hub.errors import ApiError
from hub.web.public_texts import both, page

bp = Blueprint("public_lookup", __name__)
MAX_RAW = 600  # a scanned link with tracking parameters fits; codes.py refuses what is longer

# The refusal messages of hub/dossiers/codes.py, by how they start, as a citizen reads them.
REASONS = (
    ("the code is empty", "The code is empty."),
    ("the code must be text", "The code is empty."),
    ("the input is too long", "This is too long to be a dossier code."),
    ("the code is too long", "This is too long to be a dossier code."),
    ("the scanned link", "The scanned link carries no dossier code."),
    (
        "the code may hold only",
        "A code holds only letters, digits, dots and dashes; this has {chars}.",
    ),
    (
        "a dossier code has three parts",
        "A code has three parts separated by dashes (agency-date-number); this has {n}.",
    ),
    ("the agency part", "The first part must name the agency, with its province code such as H21."),
    ("the middle part", "The middle part must be the receipt date written yyMMdd, such as 241105."),
    ("the last part", "The last part must be the receipt number, 4 to 8 digits."),
)
STATUS = {"found": 200, "malformed": 400, "unknown": 404, "unavailable": 503, "rate_limited": 429}


@dataclass
class Outcome:
    """What a lookup came to: ``kind`` is found, malformed, unknown, unavailable or
    rate_limited; ``answer`` is the API's body when found; ``reason`` (vi, en) says why a
    code is malformed; ``retry_after`` is set when rate-limited."""

    kind: str
    code: str = ""
    answer: dict[str, Any] = field(default_factory=dict)
    reason: tuple[str, str] | None = None
    retry_after: int = 0

    @property
    def status(self) -> int:
        """The HTTP status the page answers with."""
        return STATUS[self.kind]


def reason_words(exc: InvalidCode, raw: str) -> tuple[str, str]:
    """Why ``raw`` is not a code, (vi, en), from the refusal ``exc``."""
    message = str(exc)
    for start, msgid in REASONS:
        if message.startswith(start):
            if "{chars}" in msgid:
                # codes.py lists them as reprs ('<' '>'): a citizen reads them bare
                shown = message.split("found ", 1)[-1].split(" ")
                return both(msgid, chars=" ".join(token[1:-1] for token in shown))
            if "{n}" in msgid:
                return both(msgid, n=message.rsplit(" ", 1)[-1])
            return both(msgid)
    return both("Check the code on your receipt. It looks like H21.22-241105-0012: letters and "
                "numbers separated by dots and dashes.")  # fmt: skip


def look_up(raw: str) -> Outcome:
    """Look up what a citizen typed or scanned, under the API's limits."""
    parts = current_app.extensions["motcua.dossiers"]
    keys = [f"a:{request.remote_addr}"]  # the API's key for a caller without a device token
    for key in keys:
        try:
            parts["limiter"].check(key, "lookups")
        except ApiError as exc:
            return Outcome("rate_limited", retry_after=int(exc.extra.get("retry_after", 60)))
        wait = parts["guard"].blocked_for(key)
        if wait > 0:
            return Outcome("rate_limited", retry_after=int(wait) + 1)
    try:
        code = normalize_code(raw[: MAX_RAW + 1])
    except InvalidCode as exc:
        for key in keys:
            parts["guard"].miss(key)
        return Outcome("malformed", raw.strip()[:60], reason=reason_words(exc, raw))
    service: LookupService = parts["lookup"]
    try:
        return Outcome("found", code, service.lookup(code))
    except DossierNotFound:
        for key in keys:
            parts["guard"].miss(key)
        return Outcome("unknown", code)
    except UpstreamUnavailable:
        return Outcome("unavailable", code)


def respond(outcome: Outcome | None, template: str, **context: Any) -> Response:
    """The lookup page (or widget) for ``outcome`` (None: the empty form)."""
    status = 200 if outcome is None else outcome.status
    response = page(template, status, outcome=outcome, **context)
    if outcome is not None and outcome.retry_after:
        response.headers["Retry-After"] = str(outcome.retry_after)
    return response


def requested_code() -> str | None:
    """The code asked for in the query (``?ma=``, or another key a portal's link uses)."""
    for key in ("ma", "code", "mahoso", "q"):
        if key in request.args:
            return request.args.get(key, "")
    return None


def shown_code(outcome: Outcome | None, raw: str | None) -> str:
    """What the form shows after a lookup: the code as normalized when it was found, else
    what was typed, to correct it."""
    if outcome is not None and outcome.kind == "found":
        return outcome.code
    return raw or ""


@bp.get("/tra-cuu")
def lookup_form() -> Response:
    """The form; with ``?ma=`` the answer under it."""
    raw = requested_code()
    outcome = None if raw is None else look_up(raw)
    return respond(outcome, "public/lookup.html", typed=shown_code(outcome, raw))


@bp.get("/tra-cuu/<path:raw>")
def lookup_code(raw: str) -> Response:
    """What a receipt's QR code opens: the answer for the code in the path."""
    if request.query_string:  # a scanned link's own query arrives as ours: put it back
        raw = f"{raw}?{request.query_string.decode('utf-8', 'replace')}"
    outcome = look_up(raw)
    return respond(outcome, "public/lookup.html", typed=outcome.code or raw[:60])


def init_app(app: Flask) -> None:
    """Register the lookup page."""
    app.register_blueprint(bp)
