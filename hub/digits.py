"""Digit checks that agree with ``int()``.

``str.isdigit()`` is true for '²' and other Unicode digits that ``int()`` refuses, and ``int()``
refuses more than 4,300 digits: code that checks with ``isdigit()`` and then converts crashes on
such input. These helpers accept only what converts, within a length.
"""

from __future__ import annotations


def is_digits(text: str, max_len: int = 18) -> bool:
    """True for 1 to ``max_len`` ASCII digits (18 fit a SQLite integer)."""
    return 0 < len(text) <= max_len and text.isascii() and text.isdigit()


def parse_digits(text: str, max_len: int = 18) -> int | None:
    """``text`` (surrounding spaces allowed) as a non-negative integer, or None."""
    text = text.strip()
    return int(text) if is_digits(text, max_len) else None
