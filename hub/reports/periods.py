"""Report periods: a day, an ISO week, a month, a quarter or a chosen range of days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

KINDS = ("day", "week", "month", "quarter", "range")
MAX_RANGE_DAYS = 366 * 3  # a range longer than this is refused (a report, not a dump)


class BadPeriod(ValueError):
    """The period asked for is not well formed; the message names the problem."""


@dataclass(frozen=True)
class Period:
    """Days ``first`` … ``last`` (inclusive) of a report, and how they were chosen."""

    kind: str
    first: dt.date
    last: dt.date

    @property
    def days(self) -> list[str]:
        """Every day of the period as YYYY-MM-DD."""
        n = (self.last - self.first).days + 1
        return [(self.first + dt.timedelta(days=i)).isoformat() for i in range(n)]

    def shifted(self, step: int) -> Period:
        """The period before (-1) or after (+1) this one, of the same kind."""
        if self.kind == "day":
            return period("day", self.first + dt.timedelta(days=step))
        if self.kind == "week":
            return period("week", self.first + dt.timedelta(weeks=step))
        if self.kind in ("month", "quarter"):
            months = 1 if self.kind == "month" else 3
            index = self.first.year * 12 + self.first.month - 1 + step * months
            return period(self.kind, dt.date(index // 12, index % 12 + 1, 1))
        length = (self.last - self.first).days + 1
        delta = dt.timedelta(days=length * step)
        return Period("range", self.first + delta, self.last + delta)


def period(kind: str, anchor: dt.date, until: dt.date | None = None) -> Period:
    """The period of ``kind`` that holds ``anchor`` (``range``: ``anchor`` … ``until``)."""
    if kind == "day":
        return Period(kind, anchor, anchor)
    if kind == "week":
        first = anchor - dt.timedelta(days=anchor.weekday())
        return Period(kind, first, first + dt.timedelta(days=6))
    if kind == "month":
        first = anchor.replace(day=1)
        return Period(kind, first, _month_end(first))
    if kind == "quarter":
        first = anchor.replace(month=(anchor.month - 1) // 3 * 3 + 1, day=1)
        return Period(kind, first, _month_end(first.replace(month=first.month + 2)))
    if kind == "range":
        if until is None:
            raise BadPeriod("a range needs its last day (to)")
        if until < anchor:
            raise BadPeriod("the range ends before it starts")
        if (until - anchor).days >= MAX_RANGE_DAYS:
            raise BadPeriod(f"a range may cover at most {MAX_RANGE_DAYS} days")
        return Period(kind, anchor, until)
    raise BadPeriod(f"the period must be one of {', '.join(KINDS)}")


def parse(kind: str, start: str, end: str, today: dt.date) -> Period:
    """A period from a form's ``period``, ``date`` and ``to`` fields; empty ones mean this one."""
    kind = kind or "month"
    try:
        anchor = dt.date.fromisoformat(start) if start else today
    except ValueError:
        raise BadPeriod(f"date: {start[:20]!r} is not a day (YYYY-MM-DD)") from None
    until = None
    if kind == "range":
        try:
            until = dt.date.fromisoformat(end) if end else today
        except ValueError:
            raise BadPeriod(f"to: {end[:20]!r} is not a day (YYYY-MM-DD)") from None
    return period(kind, anchor, until)


def _month_end(first: dt.date) -> dt.date:
    following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    return following - dt.timedelta(days=1)


def whole_months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The whole calendar months inside ``first`` … ``last``, as (first day, last day)."""
    months = []
    m = first if first.day == 1 else _month_end(first) + dt.timedelta(days=1)
    while _month_end(m) <= last:
        months.append((m, _month_end(m)))
        m = _month_end(m) + dt.timedelta(days=1)
    return months


def month_key(first: dt.date) -> str:
    """Where a month's totals are kept beside its days: ``MYYYY-MM`` (after every YYYY-MM-DD,
    so a range of days never takes it in)."""
    return f"M{first:%Y-%m}"


def segments(first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """``first`` … ``last`` as ranges of stored keys: its whole months as one range of month
    keys, the days before and after them as ranges of days."""
    if last < first:
        return []
    months = whole_months(first, last)
    if not months:
        return [(first.isoformat(), last.isoformat())]
    out = []
    if months[0][0] > first:
        out.append((first.isoformat(), (months[0][0] - dt.timedelta(days=1)).isoformat()))
    out.append((month_key(months[0][0]), month_key(months[-1][0])))
    if months[-1][1] < last:
        out.append(((months[-1][1] + dt.timedelta(days=1)).isoformat(), last.isoformat()))
    return out
