"""Who has priority at this office (ưu tiên): the reasons it accepts, from the age the elderly
have it, and how many priority calls in a row a counter makes while others wait.

The defaults come from ``hub.toml`` (every reason of :data:`REASONS`, ``priority_elderly_age``,
``priority_burst``); the console changes them, kept in ``settings`` under ``priority``. The
kiosk reads them from ``GET /api/v1/state`` (``office``) and a ticket asking for a reason the
office does not accept is refused.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from hub.config import HubConfig

# Who the rules of a reception area give priority to (the Law on the Elderly, on People with
# Disabilities, and the rules for pregnant women, small children and people with merit).
REASONS = ("elderly", "disabled", "pregnant", "small_child", "merit")
AGE_RANGE = (50, 100)
BURST_RANGE = (1, 10)


class RulesError(ValueError):
    """A rule out of range; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PriorityRules:
    """The office's priority rules."""

    reasons: tuple[str, ...]
    elderly_age: int
    burst: int

    def check(self) -> PriorityRules:
        """These rules, or :class:`RulesError` naming the first rule out of range."""
        unknown = [r for r in self.reasons if r not in REASONS]
        if unknown:
            raise RulesError("reasons", f"unknown priority reasons: {', '.join(unknown)}")
        if not AGE_RANGE[0] <= self.elderly_age <= AGE_RANGE[1]:
            raise RulesError("elderly_age", "the elderly's age must be from 50 to 100")
        if not BURST_RANGE[0] <= self.burst <= BURST_RANGE[1]:
            raise RulesError("burst", "priority calls in a row must be from 1 to 10")
        return self

    def as_json(self) -> dict[str, Any]:
        """As stored and as the console's audit line records it."""
        return {"reasons": list(self.reasons), "elderly_age": self.elderly_age,
                "burst": self.burst}  # fmt: skip


def defaults(settings: HubConfig) -> PriorityRules:
    """The rules before the console changed any."""
    return PriorityRules(REASONS, settings.priority_elderly_age, settings.priority_burst)


def stored(conn: sqlite3.Connection) -> dict[str, Any]:
    """What the console saved (empty before it saved anything)."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'priority'").fetchone()
    return json.loads(row[0]) if row else {}


def read(conn: sqlite3.Connection, settings: HubConfig) -> PriorityRules:
    """The office's rules: the console's, else the defaults."""
    value, base = stored(conn), defaults(settings)
    # In the fixed order of REASONS, whatever order they were saved in.
    reasons = tuple(r for r in REASONS if r in value.get("reasons", base.reasons))
    age = int(value.get("elderly_age", base.elderly_age))
    return PriorityRules(reasons, age, int(value.get("burst", base.burst)))


def write(conn: sqlite3.Connection, rules: PriorityRules) -> None:
    """Store checked rules (in the caller's transaction)."""
    conn.execute(
        "INSERT OR REPLACE INTO settings (key, value) VALUES ('priority', ?)",
        (json.dumps(rules.check().as_json()),),
    )
