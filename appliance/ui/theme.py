"""Colours shared by the appliances: high contrast for a waiting room, large touch targets.

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
WARN = hex_rgba("#B26A00")
TEXT = hex_rgba("#111827")
MUTED = hex_rgba("#4B5563")
DISABLED = hex_rgba("#9CA3AF")
OFFLINE = hex_rgba("#B91C1C")
