"""The report's tables, one shape for the page, the CSV and the XLSX: an id, a title, columns
(key, header msgid, kind) and rows of plain values. Headers are msgids, translated by whoever
shows them; values stay numbers until a view formats them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub.reports.dossiers import NO_FIELD, FieldFigures
from hub.reports.queue_report import QueueReport

# kinds: text, int, share (0-1), min (whole minutes)
Column = tuple[str, str, str]


@dataclass
class Table:
    """One table of the report."""

    id: str
    title: str  # msgid
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None = None


GROUP_TITLES = {"service": "By service", "counter": "By counter", "clerk": "By clerk"}
GROUP_HEADERS = {"service": "Service", "counter": "Counter", "clerk": "Clerk"}
QUEUE_COLUMNS: list[Column] = [
    ("issued", "Issued", "int"),
    ("served", "Served", "int"),
    ("no_show", "No-show", "int"),
    ("cancelled", "Cancelled", "int"),
    ("wait_median", "Median wait", "min"),
    ("wait_p90", "90% called within", "min"),
    ("wait_max", "Longest wait", "min"),
    ("service_median", "Median service time", "min"),
    ("service_p90", "90% served within", "min"),
    ("service_max", "Longest service", "min"),
    ("rated", "Ratings", "int"),
    ("satisfaction", "Satisfaction rate", "share"),
]
RATING_LEVELS = (
    (1, "Very satisfied"),
    (2, "Satisfied"),
    (3, "Neutral"),
    (4, "Dissatisfied"),
    (5, "Very dissatisfied"),
)


def queue_table(r: QueueReport, none_label: str) -> Table:
    """Tickets and times per group, with the office's total."""
    rows = [{**row, "label": row["label"] or none_label} for row in r.rows]
    return Table(
        f"by_{r.group}", GROUP_TITLES[r.group],
        [("label", GROUP_HEADERS[r.group], "text"), *QUEUE_COLUMNS], rows,
        {**r.total, "label": ""},
    )  # fmt: skip


def hours_table(r: QueueReport) -> Table:
    """Tickets issued per hour of day, in total and per open day on average."""
    rows = [
        {"hour": f"{h:02d}:00–{h + 1:02d}:00", "issued": n,
         "per_day": None if r.open_days == 0 else n / r.open_days}
        for h, n in enumerate(r.hours) if n
    ]  # fmt: skip
    return Table(
        "hours", "Arrivals by hour of day",
        [("hour", "Hour", "text"), ("issued", "Issued", "int"), ("per_day", "Per day", "dec")],
        rows,
    )  # fmt: skip


def ratings_table(r: QueueReport) -> Table:
    """Ratings by level, with each level's share."""
    rated = r.total["rated"]
    rows = [
        {"level": level, "name": name, "n": r.total[f"r{level}"],
         "share": None if rated == 0 else r.total[f"r{level}"] / rated}
        for level, name in RATING_LEVELS
    ]  # fmt: skip
    return Table(
        "ratings", "Ratings by level",
        [("name", "Level", "text"), ("n", "Ratings", "int"), ("share", "Share", "share")],
        rows, {"name": "", "n": rated, "share": r.total["satisfaction"]},
    )  # fmt: skip


def dossier_table(fields: list[FieldFigures], total: FieldFigures, none_label: str) -> Table:
    """The Decision 766 indicators per procedure field."""
    rows = [{**f.as_row(), "field": f.field if f.field != NO_FIELD else none_label} for f in fields]
    return Table(
        "dossiers", "Dossiers by procedure field",
        [("field", "Procedure field", "text"), ("settled", "Settled", "int"),
         ("early", "Before time", "int"), ("on_time", "On time", "int"), ("late", "Late", "int"),
         ("in_time_rate", "Settled before or on time", "share"),
         ("late_rate", "Late share", "share"),
         ("received", "Received", "int"), ("online", "Online", "int"),
         ("in_person", "In person", "int"), ("post", "By post", "int"),
         ("online_rate", "Received online", "share")],
        rows, {**total.as_row(), "field": ""},
    )  # fmt: skip


def lookups_table(rows: list[dict[str, Any]]) -> Table:
    """Dossier lookups by channel."""
    return Table(
        "lookups", "Dossier lookups by channel",
        [("channel", "Channel", "text"), ("total", "Lookups", "int"),
         ("cache", "Answered from the cache", "int"), ("upstream", "Asked the back end", "int"),
         ("not_found", "Not found", "int"), ("unavailable", "Could not check", "int")],
        rows,
    )  # fmt: skip
