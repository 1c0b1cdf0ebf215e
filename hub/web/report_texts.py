"""The texts of the reports and the public statistics page, Vietnamese first with English beside
(declared here so Babel finds them; templates call ``rbi``/``rplain`` with these msgids)."""

from __future__ import annotations

import functools

from flask import Flask, current_app
from markupsafe import Markup, escape

from motcua.i18n import N_, Translator

TEXTS = frozenset(
    (
        N_("Reports"),
        N_("Period"),
        N_("Day"),
        N_("Week"),
        N_("Month"),
        N_("Quarter"),
        N_("Chosen range"),
        N_("From"),
        N_("To"),
        N_("Group by"),
        N_("Show"),
        N_("Earlier"),
        N_("Later"),
        N_("Day {d}"),
        N_("Week {first} – {last}"),
        N_("Month {m}/{y}"),
        N_("Quarter {q}/{y}"),
        N_("From {first} to {last}"),
        N_("Today's figures are live; past days come from the daily summaries."),
        N_("Queue"),
        N_("By service"),
        N_("By counter"),
        N_("By clerk"),
        N_("Service"),
        N_("Counter"),
        N_("Clerk"),
        N_("Issued"),
        N_("Served"),
        N_("No-show"),
        N_("Cancelled"),
        N_("Median wait"),
        N_("90% called within"),
        N_("Longest wait"),
        N_("Median service time"),
        N_("90% served within"),
        N_("Longest service"),
        N_("Ratings"),
        N_("Satisfaction rate"),
        N_("Total"),
        N_("none"),
        N_("Times are in minutes."),
        N_("{n} tickets entered afterwards (paper or backfill) are counted but not timed."),
        N_("Arrivals by hour of day"),
        N_("Hour"),
        N_("Per day"),
        N_("Average per open day over {n} days: when to open more counters."),
        N_("Ratings by level"),
        N_("Level"),
        N_("Share"),
        N_("Very satisfied"),
        N_("Satisfied"),
        N_("Neutral"),
        N_("Dissatisfied"),
        N_("Very dissatisfied"),
        N_("Dossier indicators (Decision 766/QĐ-TTg)"),
        N_("Dossiers by procedure field"),
        N_("Procedure field"),
        N_("Settled"),
        N_("Before time"),
        N_("On time"),
        N_("Late"),
        N_("Settled before or on time"),
        N_("Late share"),
        N_("Received"),
        N_("Online"),
        N_("In person"),
        N_("By post"),
        N_("Received online"),
        N_("field not known"),
        N_("How these are counted"),
        N_(
            "Settled before or on time: dossiers settled in the period (finished or returned) on or"
            " before their appointment day, over the dossiers settled in the period that had one."
        ),
        N_(
            "Late share: dossiers settled in the period after their appointment day, over the"
            " same dossiers."
        ),
        N_(
            "Received online: dossiers received online in the period, over all dossiers received"
            " in the period."
        ),
        N_(
            "Satisfaction rate: (ratings − ratings Dissatisfied or Very dissatisfied) / ratings,"
            " from the ratings given at the counters in the period."
        ),
        N_("Dossier lookups by channel"),
        N_("Channel"),
        N_("Lookups"),
        N_("Answered from the cache"),
        N_("Asked the back end"),
        N_("Not found"),
        N_("Could not check"),
        N_("Kiosk"),
        N_("Web"),
        N_("SMS"),
        N_("Export"),
        N_("All tables (XLSX)"),
        N_("Printable monthly report"),
        N_("PDF"),
        N_("Nothing in this period"),
        N_("{field}: {problem}"),
        N_(
            "The PDF cannot be made on this hub: {reason}. Print the page from the browser instead."
        ),
        # the printed report
        N_("SOCIALIST REPUBLIC OF VIETNAM"),
        N_("Independence – Freedom – Happiness"),
        N_("REPORT ON RECEIVING AND RETURNING RESULTS"),
        N_("Prepared by"),
        N_("Head of the agency"),
        N_("(signature and full name)"),
        N_("(signature, full name and seal)"),
        N_("Printed {when}"),
        N_("Print"),
        # public statistics
        N_("Service statistics"),
        N_("This month so far"),
        N_("Dossiers settled on time"),
        N_("{n} of {total} dossiers settled before or on their appointment day"),
        N_("Citizen satisfaction"),
        N_("{n} ratings at the counters"),
        N_("Tickets served"),
        N_("Not enough data yet"),
        N_("Figures as of {when}."),
        N_("Too many requests; try again in {s} s"),
    )
)


def both(msgid: str, **values: object) -> tuple[str, str]:
    """(Vietnamese, English) of a declared text; a KeyError for an undeclared one."""
    if msgid not in TEXTS:
        raise KeyError(f"{msgid!r} is not declared in hub/web/report_texts.py")
    translator: Translator = current_app.extensions["motcua.translator"]
    return translator.both(msgid, **values)


def rbi(msgid: str, **values: object) -> Markup:
    """HTML: the Vietnamese text, then the English in a ``.en`` span."""
    return _rbi(current_app.extensions["motcua.translator"], msgid, tuple(sorted(values.items())))


@functools.lru_cache(maxsize=2048)
def _rbi(translator: Translator, msgid: str, values: tuple[tuple[str, object], ...]) -> Markup:
    if msgid not in TEXTS:
        raise KeyError(f"{msgid!r} is not declared in hub/web/report_texts.py")
    vi, en = translator.both(msgid, **dict(values))
    return Markup('{}<span class="en" lang="en">{}</span>').format(escape(vi), escape(en))


def rplain(msgid: str, **values: object) -> str:
    """Both languages in one line (titles, headers of exports)."""
    vi, en = both(msgid, **values)
    return f"{vi} · {en}"


def rvi(msgid: str, **values: object) -> str:
    """The Vietnamese alone (the printed report is a Vietnamese document)."""
    return both(msgid, **values)[0]


def init_app(app: Flask) -> None:
    """Make the helpers available to every template."""
    app.jinja_env.globals.update(rbi=rbi, rplain=rplain, rvi=rvi)
