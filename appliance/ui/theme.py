"""Colours shared by the appliances: high contrast for a waiting room, large touch targets.

Every text colour here reads at 4.5:1 or more (WCAG AA) on the background it is used on:
ON_PRIMARY on PRIMARY, OK, ACCENT, WARN and MUTED; TEXT and MUTED on BACKGROUND, SURFACE,
NOTICE and QUIET; ON_DISABLED on DISABLED_SURFACE (tests/kiosk/test_legibility.py measures it).

Kivy wants colours as (r, g, b, a) in 0..1; they are written here as the hex a designer gives.
"""

from __future__ import annotations

RGBA = tuple[float, float, float, float]


def hex_rgba(value: str, alpha: float = 1.0) -> RGBA:
    """'#0D47A1' -> (r, g, b, a) with components in 0..1."""
    value = value.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


BACKGROUND = hex_rgba("#F4F6FA")
SURFACE = hex_rgba("#FFFFFF")
HEADER = hex_rgba("#0B3D91")  # deep blue bar with the agency name
ON_HEADER = hex_rgba("#FFFFFF")
PRIMARY = hex_rgba("#0B5ED7")
ON_PRIMARY = hex_rgba("#FFFFFF")
ACCENT = hex_rgba("#C62828")  # the called number, warnings
OK = hex_rgba("#1B7F3B")
WARN = hex_rgba("#9A5B00")  # amber dark enough for white text beside it (#B26A00 was 4.2:1)
TEXT = hex_rgba("#111827")
MUTED = hex_rgba("#4B5563")
DISABLED = hex_rgba("#9CA3AF")
OFFLINE = hex_rgba("#B91C1C")
NOTICE = hex_rgba("#FFF4CC")  # pale amber behind a notice or a warning in TEXT
QUIET = hex_rgba("#DBE3F0")  # a secondary button
QUIET_DISABLED = hex_rgba("#EDF0F5")
DISABLED_SURFACE = hex_rgba("#D1D5DB")  # a button that cannot be used now, still readable
ON_DISABLED = hex_rgba("#374151")
