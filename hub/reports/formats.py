"""Numbers, shares, minutes and dates as a Vietnamese reader writes them (Babel, locale vi):
1.234,5 and 95,2 %, 30/11/2026."""

from __future__ import annotations

import datetime as dt
import functools

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LOCALE = "vi"
DASH = "–"


@functools.lru_cache(maxsize=4096)  # Babel parses its pattern on every call; reports repeat values
def number(value: float | None, digits: int = 0) -> str:
    """1.234 (or 1.234,5 with ``digits``); a dash for no value."""
    if value is None:
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


@functools.lru_cache(maxsize=4096)
def share(value: float | None) -> str:
    """95,2 %; a dash for no value (nothing to divide)."""
    if value is None:
        return DASH
    return format_percent(value, format="#,##0.0 %", locale=LOCALE)


def date(day: dt.date | str) -> str:
    """30/11/2026."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return format_date(day, format="dd/MM/yyyy", locale=LOCALE)


def long_date(day: dt.date) -> str:
    """ "ngày 30 tháng 11 năm 2026", as an official document dates itself."""
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
