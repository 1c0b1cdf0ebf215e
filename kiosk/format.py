"""Small text helpers the kiosk's screens and its ticket share: waits, times, dates."""

from __future__ import annotations

import datetime as dt

from motcua.i18n import Translator


def wait_text(t: Translator, seconds: float | None, language: str | None = None) -> str:
    """An estimated wait as people say it: "under a minute", "9 min"."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return t("under a minute", language)
    return t("{minutes} min", language, minutes=round(seconds / 60))


def parse_time(value: str | None) -> dt.datetime | None:
    """An ISO 8601 time from the hub, or None."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def clock_text(value: str | None) -> str:
    """ "08:15 29/11/2026" from an ISO time (the hub's local offset is kept), "—" when absent."""
    moment = parse_time(value)
    return moment.strftime("%H:%M %d/%m/%Y") if moment else "—"


def date_text(value: str | None) -> str:
    """ "29/11/2026" from an ISO time, "—" when absent."""
    moment = parse_time(value)
    return moment.strftime("%d/%m/%Y") if moment else "—"


def age_text(t: Translator, seconds: float | None, language: str | None = None) -> str:
    """How old an answer is: "just now", "5 min ago", "3 h ago", "1 day ago"."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return t("just now", language)
    if seconds < 3600:
        return t("{minutes} min ago", language, minutes=int(seconds // 60))
    if seconds < 86400:
        return t("{hours} h ago", language, hours=int(seconds // 3600))
    days = int(seconds // 86400)
    return t.ngettext("{n} day ago", "{n} days ago", days, language)
