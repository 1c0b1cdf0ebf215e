"""Reports in the office console (admin and supervisor): ``/console/reports``.

One page per period (day, week, month, quarter or a chosen range) and grouping (service,
counter, clerk): the queue's figures with SVG charts and tables beside them, the Decision
766/QĐ-TTg dossier indicators with their definitions, dossier lookups by channel; every table
as CSV or XLSX; the printable monthly report as HTML and as PDF (headless Chromium).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request
from markupsafe import Markup

from hub.reports import charts, exports, formats, lookups, pdf, periods, queue_report, tables
from hub.reports.dossiers import indicators
from hub.reports.periods import BadPeriod, Period
from hub.web import report_texts, staff
from hub.web.console import _error_page, page
from hub.web.report_texts import both, rplain

bp = Blueprint("reports", __name__, url_prefix="/console/reports")
CHANNEL_NAMES = {"kiosk": "Kiosk", "web": "Web", "sms": "SMS"}
KIND_NAMES = {"day": "Day", "week": "Week", "month": "Month", "quarter": "Quarter",
              "range": "Chosen range"}  # fmt: skip
FORMATTERS = {
    "int": formats.number,
    "min": formats.number,
    "share": formats.share,
    "dec": lambda v: formats.number(v, 1),
    "text": lambda v: "" if v is None else str(v),
}


def period_label(p: Period) -> tuple[str, str]:
    """(Vietnamese, English) name of a period: "Tháng 11/2026" …"""
    if p.kind == "day":
        return both("Day {d}", d=formats.date(p.first))
    if p.kind == "week":
        return both("Week {first} – {last}", first=formats.date(p.first), last=formats.date(p.last))
    if p.kind == "month":
        month = f"{p.first.month:02d}"
        return both("Month {m}/{y}", m=month, y=p.first.year)
    if p.kind == "quarter":
        return both("Quarter {q}/{y}", q=(p.first.month - 1) // 3 + 1, y=p.first.year)
    return both("From {first} to {last}", first=formats.date(p.first), last=formats.date(p.last))


def _period(args: Any, default_kind: str = "month") -> tuple[Period, str]:
    clock = current_app.extensions["motcua.clock"]
    today = clock.today()
    try:
        p = periods.parse(
            args.get("period", "") or default_kind, args.get("date", "")[:20],
            args.get("to", "")[:20], dt.date.fromisoformat(today),
        )  # fmt: skip
    except BadPeriod as exc:
        abort(400, description=str(exc))
    return p, today


def build(args: Any, default_kind: str = "month") -> dict[str, Any]:
    """Everything a report page, export or print view shows for the request's period."""
    clock = current_app.extensions["motcua.clock"]
    store = current_app.extensions["motcua.store"]
    p, today = _period(args, default_kind)
    group = args.get("group", "service")
    if group not in queue_report.GROUPS:
        abort(400, description=f"group: must be one of {', '.join(queue_report.GROUPS)}")
    tally = current_app.extensions.get("motcua.lookup_tally")
    if tally is not None:
        tally.flush()
    with store.borrow() as conn:
        queue_report.ensure_summaries(conn, store.write, p, today, clock.tz)
        report = queue_report.queue_report(
            conn, p, group, today, clock.tz, queue_report.labels(conn)
        )
        fields, total = indicators(conn, p)
        looked = lookups.lookup_counts(conn, p, clock.tz)
    none = both("none")[0]
    for row in looked:
        row["channel"] = both(CHANNEL_NAMES.get(row["channel"], "Web"))[0]
    by_group = tables.queue_table(report, none)
    hours = tables.hours_table(report)
    ratings = tables.ratings_table(report)
    for row in ratings.rows:
        row["name"] = both(row["name"])[0]
    dossiers = tables.dossier_table(fields, total, both("field not known")[0])
    lookup_table = tables.lookups_table(looked)
    query = {"period": p.kind, "date": p.first.isoformat(), "group": group}
    if p.kind == "range":
        query["to"] = p.last.isoformat()
    return {
        "period": p, "period_vi_en": period_label(p), "group": group, "today": today,
        "query": query, "report": report, "total": report.total, "dossier_total": total,
        "tables": [by_group, hours, ratings, dossiers, lookup_table],
        "charts": _charts(report, by_group, ratings, dossiers),
        "kinds": KIND_NAMES, "fmt": FORMATTERS, "formats": formats,
        "earlier": p.shifted(-1), "later": p.shifted(1),
    }  # fmt: skip


def _charts(
    report: queue_report.QueueReport, by_group: tables.Table, ratings: tables.Table,
    dossiers: tables.Table,
) -> dict[str, Markup]:  # fmt: skip
    number, share = formats.number, formats.share
    busy = [h for h, n in enumerate(report.hours) if n]  # office hours, and any hour with tickets
    first, last = min([6, *busy]), max([19, *busy]) + 1
    return {
        "issued": charts.hbars(
            [(r["label"], r["issued"]) for r in by_group.rows], rplain("Issued"), number
        ),
        "wait": charts.hbars(
            [(r["label"], r["wait_median"]) for r in by_group.rows],
            rplain("Median wait"),
            lambda v: "" if v is None else f"{number(v)} phút",
            colour=charts.BAR_ALT,
        ),
        "hours": charts.columns(
            report.hours[first:last],
            [f"{h}h" for h in range(first, last)],
            rplain("Arrivals by hour of day"),
            number,
        ),
        "ratings": charts.hbars(
            [(r["name"], r["share"]) for r in ratings.rows],
            rplain("Ratings by level"),
            share,
            top=1.0,
        ),
        "dossiers": charts.hbars(
            [(r["field"], r["in_time_rate"]) for r in dossiers.rows[:12]],
            rplain("Settled before or on time"),
            share,
            top=1.0,
            colour=charts.BAR_ALT,
        ),
    }


@bp.get("/")
@staff.staff(*staff.CONSOLE_ROLES)
def report_page() -> Response:
    """The report page for the chosen period and grouping."""
    return page("console/report.html", pdf_missing=pdf.available(), **build(request.args))


@bp.get("/export/<table>.<fmt>")
@staff.staff(*staff.CONSOLE_ROLES)
def export(table: str, fmt: str) -> Response:
    """One table (``all``: every table, XLSX only) as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    context = build(request.args)
    chosen = [t for t in context["tables"] if table in ("all", t.id)]
    if not chosen or (table == "all" and fmt == "csv"):
        abort(404)
    p = context["period"]
    stem = f"bao-cao-{table}-{p.first.isoformat()}-{p.last.isoformat()}"
    if fmt == "csv":
        body, mime = exports.csv_bytes(chosen[0], rplain), "text/csv; charset=utf-8"
    else:
        heading = [current_app.config["MOTCUA"].agency_name, " · ".join(context["period_vi_en"])]
        body = exports.xlsx_bytes(chosen, rplain, heading)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _print_html() -> str:
    clock = current_app.extensions["motcua.clock"]
    context = build(request.args, default_kind="month")
    now = clock.local(clock.now())
    return render_template(
        "console/report_print.html", agency=current_app.config["MOTCUA"].agency_name,
        signed_on=formats.long_date(now.date()),
        printed=formats.date(now.date()) + now.strftime(" %H:%M"), **context,
    )  # fmt: skip


@bp.get("/print")
@staff.staff(*staff.CONSOLE_ROLES)
def print_view() -> Response:
    """The printable report (a month unless asked otherwise) as an HTML page."""
    response = Response(_print_html(), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    )
    return response


@bp.get("/print.pdf")
@staff.staff(*staff.CONSOLE_ROLES)
def print_pdf() -> Response:
    """The printable report as an A4 PDF, when Chromium is installed on the hub."""
    html = _print_html()
    started = time.monotonic()
    try:
        body = pdf.html_to_pdf(html)
    except pdf.PdfUnavailable as exc:
        message = report_texts.rbi(
            "The PDF cannot be made on this hub: {reason}. Print the page from the browser"
            " instead.",
            reason=str(exc),
        )
        return page("console/error.html", 503, message=message, message_kind="error")
    current_app.logger.info("report PDF in %.1f s", time.monotonic() - started)
    p, _ = _period(request.args, default_kind="month")
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="bao-cao-{p.first.isoformat()}-{p.last.isoformat()}.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


for _code in (403, 404, 409):
    bp.register_error_handler(_code, _error_page)


@bp.errorhandler(400)
def _bad_request(exc: Any) -> Response:
    message = Markup("{}").format(getattr(exc, "description", ""))
    return page("console/error.html", 400, message=message, message_kind="error")


def init_app(app: Flask) -> None:
    """Register the reports, their texts and the lookup tally."""
    from hub.reports.lookups import LookupTally

    report_texts.init_app(app)
    clock = app.extensions["motcua.clock"]
    app.extensions["motcua.lookup_tally"] = LookupTally(app.extensions["motcua.store"], clock.today)
    app.register_blueprint(bp)
