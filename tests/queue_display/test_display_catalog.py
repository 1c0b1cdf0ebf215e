"""Every text the display shows has its Vietnamese in the catalog."""

from __future__ import annotations

import re
from pathlib import Path

from motcua.i18n import Translator

PACKAGE = Path(__file__).resolve().parents[2] / "queue_display"


def used_msgids() -> set[str]:
    """The msgids passed to the translator anywhere in the display's code."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'\.(?:both|t)\(\s*"([^"]+)"', text))
    return found


def test_every_shown_text_is_translated():
    msgids = used_msgids()
    assert {"Now calling", "Counter {number}", "Paused", "Offline", "Connecting to the hub…"} <= (
        msgids
    )
    assert Translator(["queue_display"]).missing(sorted(msgids)) == []


def test_both_languages_side_by_side():
    t = Translator(["queue_display"])
    assert t.both("Counter {number}", number=3) == ("Quầy 3", "Counter 3")
    assert t.both("Waiting") == ("Đang chờ", "Waiting")
