"""How durations read on the panel (pure functions, so they are tested without a window)."""

from __future__ import annotations

from appliance import timefmt
from counter_panel.queue_view import OldestWait
from motcua.i18n import N_, Translator


def clock_text(seconds: float | None) -> str:
    """Seconds since a call as m:ss (or h:mm:ss after an hour); '' when there is no call."""
    if seconds is None:
        return ""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def wait_text(t: Translator, wait: OldestWait | None, language: str) -> str:
    """'12 phút', 'dưới 1 phút', 'ít nhất 5 phút' (a lower bound), 'chưa rõ' (a lower bound
    under a minute says nothing yet), or '–' when nobody waits."""
    if wait is None:
        return "–"
    if wait.exact:
        return timefmt.wait_text(t, wait.seconds, language)
    # Some of the line was issued before the panel started following it: they have waited at
    # least this long. "≥ under a minute" is no sentence; under a minute is simply not known yet.
    minutes = timefmt.whole_minutes(wait.seconds)
    if minutes < 1:
        return t(N_("not known yet"), language)
    return t(N_("at least {minutes} min"), language, minutes=minutes)
