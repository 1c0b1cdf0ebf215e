"""Release numbers as the hub's update wheelhouse and the appliances' updater compare them."""

from __future__ import annotations


def version_key(version: str) -> tuple[int, ...]:
    """``"0.10.2"`` → ``(0, 10, 2, 0)``: release numbers compared as numbers (``0.10`` after
    ``0.9``), padded to four."""
    parts = tuple(int(p) for p in version.split("."))
    return parts + (0,) * (4 - len(parts))
