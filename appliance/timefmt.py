"""Times from the hub and waits as people read them: one parser, one rounding rule.

The hub stamps times in ISO 8601 with its local offset ("2026-11-29T08:15:02+07:00"). Every app
reads them here, and every wait shown on any screen is written by :func:`wait_text`, which counts
whole minutes down (12 min 59 s reads "12 min"): a wait is never said to be longer than it is,
so a lower bound ("≥ 5 min") stays true.

Times are shown in the office's time zone (the hub says which in ``GET /api/v1/state``;
Asia/Ho_Chi_Minh until it has), never the device's: a Pi whose system zone was left at UTC
must not show 01:04 beside a ticket that says 08:04.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

from motcua.i18n import Translator

NONE = "—"  # shown where a time or an estimate is unknown
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"

_zone = zoneinfo.ZoneInfo(DEFAULT_ZONE)


def set_office_zone(name: str) -> None:
    """Show times in the IANA zone ``name`` from now on; ValueError for an unknown zone."""
    global _zone
    try:
        _zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def office_zone() -> zoneinfo.ZoneInfo:
    """The zone times are shown in."""
    return _zone


def office_time(moment: dt.datetime | float | None = None) -> dt.datetime:
    """``moment`` (an aware time or Unix seconds; default now) in the office's zone.

    A naive time is taken as already in office time: the hub always sends its offset, so a
    naive one comes from this office's own records."""
    if moment is None:
        moment = time.time()
    if isinstance(moment, int | float):
        return dt.datetime.fromtimestamp(moment, _zone)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=_zone)
    return moment.astimezone(_zone)


def now_text(fmt: str, now: float | None = None) -> str:
    """The office's clock now (or at Unix time ``now``) with ``strftime`` format ``fmt``."""
    return office_time(now).strftime(fmt)


def parse_iso(value: str | None) -> dt.datetime | None:
    """An ISO 8601 time, None when absent; raises ValueError for text that is not one."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not an ISO 8601 time: {value!r}")
    return dt.datetime.fromisoformat(value)


def parse_time(value: str | None) -> dt.datetime | None:
    """An ISO 8601 time, or None when absent or unreadable (for text shown, never refused)."""
    try:
        return parse_iso(value)
    except ValueError:
        return None


def unix(moment: dt.datetime | None) -> float | None:
    """Unix seconds of an aware time; None when absent or naive (it cannot be compared across
    machines without the offset it was taken at)."""
    if moment is None or moment.tzinfo is None:
        return None
    return moment.timestamp()


def whole_minutes(seconds: float) -> int:
    """The one rounding rule for waits: whole minutes, counted down."""
    return int(max(0.0, seconds) // 60)


def wait_text(
    t: Translator, seconds: float | None, language: str | None = None, *, at_least: bool = False
) -> str:
    """A wait as people say it: "under a minute", "9 min", "≥ 5 min" (``at_least``), "—"."""
    if seconds is None:
        return NONE
    minutes = whole_minutes(seconds)
    text = (
        t("under a minute", language)
        if minutes < 1
        else t("{minutes} min", language, minutes=minutes)
    )
    return f"≥ {text}" if at_least else text


def clock_text(moment: dt.datetime | str | None) -> str:
    """ "08:15 29/11/2026" in the office's zone, "—" when absent."""
    if isinstance(moment, str):
        moment = parse_time(moment)
    return office_time(moment).strftime("%H:%M %d/%m/%Y") if moment else NONE


def date_text(moment: dt.datetime | str | None) -> str:
    """ "29/11/2026" in the office's zone, "—" when absent."""
    if isinstance(moment, str):
        moment = parse_time(moment)
    return office_time(moment).strftime("%d/%m/%Y") if moment else NONE
