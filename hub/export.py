"""``motcua export``: the office's history as CSV or JSON lines, for returns and spreadsheets.

Reads the hub's database through sqlite-utils (a plain reader beside a running hub: WAL lets it
read while the hub writes). Each export is one table's rows for a range of business days, with
times in the hub's zone. Secrets never leave: ticket tokens, password and token hashes are not
exported.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import sqlite_utils

from hub.clock import Clock


@dataclass(frozen=True)
class Export:
    """One exportable table: the SQL that selects it for a day range and its time columns."""

    sql: str
    times: tuple[str, ...]


# Business days ('YYYY-MM-DD') bind :first and :last; rows come oldest first.
EXPORTS: dict[str, Export] = {
    "tickets": Export(
        # origin: hub, offline (a kiosk's block) or paper; backfilled_at: times entered later.
        "SELECT id, day, number, service, number_service, state, priority, counter, recalls,"
        " issued_at, called_at, started_at, finished_at, origin, backfilled_at FROM tickets"
        " WHERE day BETWEEN :first AND :last ORDER BY id",
        ("issued_at", "called_at", "started_at", "finished_at", "backfilled_at"),
    ),
    "ratings": Export(
        "SELECT t.day, t.number, t.service, r.level, r.counter, r.clerk, r.at"
        " FROM ratings r JOIN tickets t ON t.id = r.ticket_id"
        " WHERE t.day BETWEEN :first AND :last ORDER BY r.at",
        ("at",),
    ),
    "events": Export(
        "SELECT id, at, type, topic, payload FROM events"
        " WHERE substr(at, 1, 10) BETWEEN :first AND :last ORDER BY id",
        (),
    ),
}


class ExportError(ValueError):
    """The request cannot be exported (unknown table, bad date, missing database)."""


def _day(text: str, flag: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ExportError(f"{flag} must be a date like 2026-12-01, not {text!r}") from None


def check(table: str, first: str, last: str) -> tuple[Export, str, str]:
    """The export for ``table`` and the normalised day range, or :class:`ExportError`."""
    if table not in EXPORTS:
        raise ExportError(f"unknown export {table!r}; choose one of {', '.join(EXPORTS)}")
    first, last = _day(first, "--from"), _day(last, "--to")
    if first > last:
        raise ExportError(f"--from {first} is after --to {last}")
    return EXPORTS[table], first, last


def rows(
    db: sqlite_utils.Database, table: str, first: str, last: str, clock: Clock
) -> Iterator[dict[str, Any]]:
    """The rows of ``table`` for business days ``first``..``last``, times as local ISO text."""
    spec, first, last = check(table, first, last)
    for row in db.query(spec.sql, {"first": first, "last": last}):
        for column in spec.times:
            row[column] = clock.iso(row[column])
        yield row


def write(records: Iterator[dict[str, Any]], out: TextIO, fmt: str) -> int:
    """Write ``records`` as CSV (header from the first row) or JSON lines; returns the count."""
    count = 0
    writer: csv.DictWriter[str] | None = None
    for record in records:
        if fmt == "json":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(record), lineterminator="\n")
                writer.writeheader()
            writer.writerow(record)
        count += 1
    return count


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    """The file at ``path``, or standard output when there is none."""
    if path is None:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as out:
        yield out


def main(argv: list[str], db_path: str, timezone: str, day_starts_at: str) -> int:
    """Parse ``argv`` for ``motcua export`` and write the rows; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="motcua export", description="export the office's history (CSV or JSON lines)"
    )
    parser.add_argument("table", choices=sorted(EXPORTS))
    parser.add_argument("--from", dest="first", help="first business day (default: today)")
    parser.add_argument("--to", dest="last", help="last business day (default: --from)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    clock = Clock(timezone, day_starts_at)
    first = args.first or clock.today()
    last = args.last or first
    try:
        _, first, last = check(args.table, first, last)
    except ExportError as exc:
        print(f"motcua export: {exc}", file=sys.stderr)
        return 2
    # sqlite-utils would create a missing file: an export never makes an empty database.
    if not Path(db_path).is_file():
        print(f"motcua export: no database at {db_path}", file=sys.stderr)
        return 1
    conn = sqlite_utils.Database(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True))
    try:
        with _output(args.output) as out:
            count = write(rows(conn, args.table, first, last, clock), out, args.format)
    except sqlite3.DatabaseError as exc:
        print(f"motcua export: cannot read {db_path}: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    print(f"{count} {args.table} rows, {first}..{last}", file=sys.stderr)
    return 0
