"""What provisioning tells the technician: Vietnamese first, English beside it, from the catalog
``provisioning/locale/vi.po``. The console and the journal get both, one line each."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from motcua.i18n import N_, Translator

# How each role is named to a technician (the values of ``role`` stay English in the file).
ROLE_NAMES = {
    "hub": N_("hub"),
    "kiosk": N_("kiosk"),
    "counter": N_("counter panel"),
    "display": N_("waiting-room display"),
}


@dataclass(frozen=True)
class Say:
    """A text to show: a msgid of the provisioning catalog and the values it is filled with."""

    msgid: str
    values: dict[str, Any] = field(default_factory=dict)


@functools.cache
def translator() -> Translator:
    """The provisioning catalog (read once)."""
    return Translator(["provisioning"])


def both(say: Say) -> tuple[str, str]:
    """(Vietnamese, English) for ``say``; role values are named in each language."""
    tr = translator()
    lines = []
    for language in ("vi", "en"):
        # Roles and kinds of value are words of the catalog too, named in each language.
        values = {
            k: tr.gettext(ROLE_NAMES.get(v, v), language) if _is_word(k) else v
            for k, v in say.values.items()
        }
        lines.append(tr.gettext(say.msgid, language, **values))
    return lines[0], lines[1]


def _is_word(key: str) -> bool:
    return key.endswith("role") or key == "kind"


def render(say: Say) -> str:
    """Two lines: the Vietnamese text, then the English in brackets."""
    vi, en = both(say)
    return vi if vi == en else f"{vi}\n    ({en})"
