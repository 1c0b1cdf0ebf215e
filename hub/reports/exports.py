"""Every report table as CSV or XLSX (openpyxl).

CSV: UTF-8 with a byte-order mark (so spreadsheet programs read the Vietnamese right), a header
line in both languages, numbers as plain machine numbers (shares as percentages with one
decimal), so a script or a spreadsheet reads them. XLSX: one sheet per table, numbers as numbers
with Vietnamese-looking formats applied by the spreadsheet, the period and agency on top.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from hub.reports.tables import Table

Header = Callable[[str], str]  # msgid -> what a header cell says


def _plain(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "share":
        return round(value * 100, 1)
    if kind == "dec":
        return round(value, 1)
    return value


def csv_bytes(table: Table, header: Header) -> bytes:
    """One table as CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [header(h) + (" (%)" if kind == "share" else "") for _, h, kind in table.columns]
    )
    for row in table.rows:
        writer.writerow([_plain(row.get(key), kind) for key, _, kind in table.columns])
    if table.total is not None:
        first = table.columns[0][0]
        writer.writerow(
            [header("Total") if key == first else _plain(table.total.get(key), kind)
             for key, _, kind in table.columns]
        )  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(tables: Sequence[Table], header: Header, heading: Sequence[str]) -> bytes:
    """Tables as an XLSX workbook, one sheet each; ``heading`` lines go above every table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    formats = {"share": "0.0%", "int": "#,##0", "min": "0", "dec": "0.0"}
    for table in tables:
        sheet = book.create_sheet(table.id[:31])
        for line in heading:
            sheet.append([line])
        sheet.append([header(table.title)])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append([header(h) for _, h, _ in table.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        body = list(table.rows)
        if table.total is not None:
            first = table.columns[0][0]
            body.append({**table.total, first: header("Total")})
        for row in body:
            sheet.append([row.get(key) for key, _, _ in table.columns])
            for (_, _, kind), cell in zip(table.columns, sheet[sheet.max_row], strict=True):
                if kind in formats:
                    cell.number_format = formats[kind]
        sheet.column_dimensions["A"].width = 34
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
