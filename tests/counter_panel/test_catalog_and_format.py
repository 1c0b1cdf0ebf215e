"""Every text the panel shows has its Vietnamese; durations read as a clerk expects."""

from __future__ import annotations

import re
from pathlib import Path

from counter_panel import messages
from counter_panel.format import clock_text, wait_text
from counter_panel.queue_view import OldestWait
from motcua.i18n import Translator

PACKAGE = Path(__file__).resolve().parents[2] / "counter_panel"

# The ways a msgid appears in the panel's code and kv rules.
PATTERNS = [
    r'app\.(?:vi|en)\("([^"]+)"',
    r'\bt\.both\("([^"]+)"',
    r'\bt\("([^"]+)"',
    r'_say\("\w+", "([^"]+)"',
    r'return "([^"]+)"$',
    r'^\s*\("?\w*"?,? ?"([A-Z][^"]+)"',
    r'^\s*\(\d, "([^"]+)"',
]

# msgids the code builds in ways the scan above does not see (dict lookups, wrapped lines).
EXTRA = [
    "Calling",
    "Serving",
    "Resume",
    "Not possible for a ticket being served.",
    "Not possible for this ticket now.",
    "The hub refused: {code}",
]


def used_msgids() -> set[str]:
    found: set[str] = set()
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.kv")]:
        if path.name in ("settings.py", "main.py"):
            continue  # command-line and config messages are for technicians, in English
        for line in path.read_text(encoding="utf-8").splitlines():
            for pattern in PATTERNS:
                found.update(re.findall(pattern, line))
    for table in (messages.SUCCESS, messages.ERRORS, messages.LOGIN_ERRORS):
        found.update(table.values())
    found.update(EXTRA)
    return {m for m in found if " " in m or m[0].isupper()}


def test_every_msgid_has_a_vietnamese_translation():
    msgids = used_msgids()
    assert len(msgids) > 60  # the scan really found the panel's texts
    assert "Call next" in msgids and "Very dissatisfied" in msgids
    assert Translator(["counter_panel"]).missing(sorted(msgids)) == []


def test_rating_levels_read_as_the_national_scale():
    t = Translator(["counter_panel"])
    from_best = ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied"]
    assert [t(m) for m in from_best] == [
        "Rất hài lòng",
        "Hài lòng",
        "Bình thường",
        "Không hài lòng",
        "Rất không hài lòng",
    ]


def test_clock_and_wait_texts():
    t = Translator(["counter_panel"])
    assert clock_text(None) == ""
    assert clock_text(75.9) == "1:15"
    assert clock_text(3725) == "1:02:05"
    assert wait_text(t, None, "vi") == "–"
    assert wait_text(t, OldestWait(30, True), "vi") == "dưới 1 phút"
    assert wait_text(t, OldestWait(12 * 60 + 5, True), "vi") == "12 phút"
    assert wait_text(t, OldestWait(5 * 60, False), "en") == "≥ 5 min"
