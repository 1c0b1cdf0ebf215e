"""How durations read on the panel (pure functions, so they are tested without a window)."""

from __future__ import annotations

from appliance import timefmt
from counter_panel.queue_view import OldestWait
from motcua.i18n import Translator


def clock_text(seconds: float | None) -> str:
    """Seconds since a call as m:ss (or h:mm:ss after an hour); '' when there is no call."""
    if seconds is None:
        return ""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def wait_text(t: Translator, wait: OldestWait | None, language: str) -> str:
    """'12 phút', '≥ 5 phút' (a lower bound), 'dưới 1 phút', or '–' when nobody waits."""
    if wait is None:
        return "–"
    return timefmt.wait_text(t, wait.seconds, language, at_least=not wait.exact)
