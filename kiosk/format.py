"""How old an answer is, as the kiosk says it (times and waits: :mod:`appliance.timefmt`)."""

from __future__ import annotations

from motcua.i18n import Translator


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
