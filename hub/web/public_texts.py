"""The texts of the public pages (dossier lookup, procedures, the web board, the widget) and the
headers every public page is answered with.

Like the console's (``hub/web/texts.py``), templates carry no msgids: they call ``pbi("…")``
with a msgid declared here, and an undeclared one fails the render, so a test that opens a page
catches a text missing from the catalog (``hub/locale/vi.po``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, make_response, render_template
from markupsafe import Markup, escape

from hub.dossiers.lookup import parse_time
from motcua.i18n import N_, Translator

TEXTS = frozenset(
    (
        # shared by the public pages
        N_("Public services"),
        N_("Look up a dossier"),
        N_("Administrative procedures"),
        N_("Waiting-room board"),
        N_("Lookup widget for your website"),
        # dossier lookup
        N_("Dossier code"),
        N_(
            "It looks like H21.22-241105-0012. Scanning the QR code on the receipt opens this page."
        ),
        N_("Look up"),
        N_("This is not a dossier code"),
        N_(
            "Check the code on your receipt. It looks like H21.22-241105-0012: letters and "
            "numbers separated by dots and dashes."
        ),
        N_("No dossier has this code"),
        N_(
            "The one-stop system has no dossier with this code. Check each character against "
            "your receipt, or ask at the information desk."
        ),
        N_("Cannot check now"),
        N_(
            "The dossier system cannot be reached at the moment. Please try again in a few "
            "minutes, or ask at the information desk."
        ),
        N_("Too many lookups"),
        N_("Too many attempts. Please wait {s} s and try again."),
        N_("What to do next"),
        N_("Timeliness"),
        N_("Due"),
        N_("Finished"),
        N_("Returned"),
        N_("Received"),
        N_("Procedure"),
        N_("Applicant"),
        N_("Steps"),
        N_("Updated {age}"),
        N_("The dossier system could not be reached to refresh this."),
        N_("just now"),
        N_("{minutes} min ago"),
        N_("{hours} h ago"),
        # why a code is not one (hub/dossiers/codes.py's refusals, in words a citizen reads)
        N_("The code is empty."),
        N_("This is too long to be a dossier code."),
        N_("The scanned link carries no dossier code."),
        N_("A code holds only letters, digits, dots and dashes; this has {chars}."),
        N_("A code has three parts separated by dashes (agency-date-number); this has {n}."),
        N_("The first part must name the agency, with its province code such as H21."),
        N_("The middle part must be the receipt date written yyMMdd, such as 241105."),
        N_("The last part must be the receipt number, 4 to 8 digits."),
        # procedures
        N_("What do you need to do?"),
        N_("For example: giay phep xay dung, khai sinh, so do"),
        N_("Search"),
        N_("Field"),
        N_("Level"),
        N_("All fields"),
        N_("This office's procedures."),
        N_("Search every procedure"),
        N_("Searching every procedure in the national catalogue."),
        N_("Only this office's procedures"),
        N_("All levels"),
        N_("{n} procedures found"),
        N_("Nothing found for these words. Browse a field instead:"),
        N_("Fields"),
        N_("{n} procedures"),
        N_("Previous page"),
        N_("Next page"),
        N_("Page {n} of {total}"),
        N_("No such procedure"),
        N_("Procedure code"),
        N_("Where to submit"),
        N_("Ways to submit"),
        N_("Processing time"),
        N_("Fees"),
        N_("Documents to bring"),
        N_("Forms"),
        N_(
            "Ask for the forms at the reception counter, or download them from the national portal."
        ),
        N_("Legal basis"),
        N_("Source: National Public Service Portal"),
        N_("Back to the search"),
        # the web board
        N_("Now calling"),
        N_("Counter {number}"),
        N_("Recently called"),
        N_("Counter"),
        N_("Now serving"),
        N_("Waiting"),
        N_("Paused"),
        N_("No calls yet"),
        N_("Offline"),
        N_("Connecting to the hub…"),
        # the widget page
        N_("Put the dossier lookup on the agency's website"),
        N_(
            "Copy this code into a page of the agency's portal. Citizens can then look up a "
            "dossier there; the answer comes from this office's hub."
        ),
        N_("Preview"),
        N_(
            "Websites allowed to show it (set by the administrator in the hub's settings, "
            "embed_origins):"
        ),
        N_("only this hub's own pages"),
    )
)


def _translator() -> Translator:
    return current_app.extensions["motcua.translator"]


def both(msgid: str, **values: object) -> tuple[str, str]:
    """(Vietnamese, English) of a declared text; a KeyError for an undeclared one."""
    if msgid not in TEXTS:
        raise KeyError(f"{msgid!r} is not declared in hub/web/public_texts.py")
    return _translator().both(msgid, **values)


def bi(msgid: str, **values: object) -> Markup:
    """HTML: the Vietnamese text, then the English in a ``.en`` span."""
    vi, en = both(msgid, **values)
    return Markup('{}<span class="en" lang="en">{}</span>').format(escape(vi), escape(en))


def plain(msgid: str, **values: object) -> str:
    """Both languages in one line (titles, attribute values)."""
    vi, en = both(msgid, **values)
    return f"{vi} · {en}"


def age_words(seconds: float | None) -> tuple[str, str]:
    """How old an answer is, (vi, en): "vừa xong", "5 phút trước", "3 giờ trước", "2 ngày trước"."""
    if seconds is None or seconds < 60:
        return both("just now")
    if seconds < 3600:
        return both("{minutes} min ago", minutes=int(seconds // 60))
    if seconds < 86400:
        return both("{hours} h ago", hours=int(seconds // 3600))
    days = int(seconds // 86400)
    return _translator().nboth("{n} day ago", "{n} days ago", days)


def updated_words(seconds: float | None) -> tuple[str, str]:
    """ "Cập nhật 5 phút trước" / "Updated 5 min ago"."""
    vi, en = age_words(seconds)
    return both("Updated {age}", age=vi)[0], both("Updated {age}", age=en)[1]


def day_text(value: Any) -> str:
    """An ISO time as the citizen's receipt writes the day: 20/11/2024; "—" when absent."""
    when = parse_time(value)
    return "—" if when is None else when.strftime("%d/%m/%Y")


def time_text(value: Any) -> str:
    """An ISO time as "08:30 05/11/2024"; "—" when absent."""
    when = parse_time(value)
    return "—" if when is None else when.strftime("%H:%M %d/%m/%Y")


# Public pages take scripts and styles from the hub's own files only, post forms only to the
# hub, and refuse to be framed; the lookup widget alone relaxes frame-ancestors (public_embed).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def page(
    template: str, status: int = 200, *, frame_ancestors: str = "'none'", **context: Any
) -> Response:
    """Render a public page with the headers every public page has.

    ``frame_ancestors`` is ``'none'`` except for the widget; a framable page then carries no
    ``X-Frame-Options`` (which has no way to name several sites, and would win in old browsers).
    """
    html = render_template(template, agency=current_app.config["MOTCUA"].agency_name, **context)
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # a code in the URL stays on this hub
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = f"{CSP}; frame-ancestors {frame_ancestors}"
    if frame_ancestors == "'none'":
        response.headers["X-Frame-Options"] = "DENY"
    return response


def init_app(app: Flask) -> None:
    """Make ``pbi``, ``pplain`` and the date helpers available to the templates."""
    app.jinja_env.globals.update(
        pbi=bi,
        pplain=plain,
        day_text=day_text,
        time_text=time_text,
        age_words=age_words,
        updated_words=updated_words,
    )
