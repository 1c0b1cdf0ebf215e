"""Dossier indicators of a period from the relayed dossiers, as Decision 766/QĐ-TTg (2022) scores
one-stop service, per procedure field (lĩnh vực).

Definitions implemented (the decision's wording, restricted to what the hub holds):

* Settled before or on time (tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn): dossiers settled in the
  period (status 9 Đã xử lý xong or 10 Đã trả kết quả, with its finish day — or return day when
  no finish day is given — in the period) whose finish day is before (trước hạn) or on (đúng hạn)
  the appointment day, over all dossiers settled in the period with an appointment day. Late
  (quá hạn): finished after the appointment day. Days compare in the back end's own dates.
* Received online (tỷ lệ hồ sơ trực tuyến): dossiers received in the period through the online
  channel, over all dossiers received in the period (the decision counts only procedures offered
  online; the hub does not know which are, so every procedure counts).
* Satisfaction (tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC) = (ratings − ratings "không
  hài lòng" or "rất không hài lòng") / ratings: from the counter ratings of the period, since the
  hub receives no per-dossier survey (see hub.reports.queue_report).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from hub.reports.periods import Period, segments

NO_FIELD = ""  # a procedure the catalogue does not know, or without a field
CHANNELS = ("online", "in_person", "post", "")


@dataclass
class FieldFigures:
    """One procedure field's dossiers in the period."""

    field: str
    early: int = 0
    on_time: int = 0
    late: int = 0
    no_deadline: int = 0
    received: dict[str, int] = field(default_factory=dict)  # channel -> count

    @property
    def settled(self) -> int:
        """Settled in the period, with or without an appointment day."""
        return self.early + self.on_time + self.late + self.no_deadline

    @property
    def in_time_rate(self) -> float | None:
        """Share settled before or on the appointment day (of those that had one)."""
        due = self.early + self.on_time + self.late
        return None if due == 0 else (self.early + self.on_time) / due

    @property
    def late_rate(self) -> float | None:
        """Share settled after the appointment day."""
        due = self.early + self.on_time + self.late
        return None if due == 0 else self.late / due

    @property
    def received_total(self) -> int:
        """Received in the period, any channel."""
        return sum(self.received.values())

    @property
    def online_rate(self) -> float | None:
        """Share received online."""
        total = self.received_total
        return None if total == 0 else self.received.get("online", 0) / total

    def add(self, other: FieldFigures) -> None:
        """Add another field's figures (for the office's total)."""
        self.early += other.early
        self.on_time += other.on_time
        self.late += other.late
        self.no_deadline += other.no_deadline
        for channel, n in other.received.items():
            self.received[channel] = self.received.get(channel, 0) + n

    def as_row(self) -> dict[str, Any]:
        """Plain values for tables and exports."""
        return {
            "field": self.field, "settled": self.settled, "early": self.early,
            "on_time": self.on_time, "late": self.late, "in_time_rate": self.in_time_rate,
            "late_rate": self.late_rate, "received": self.received_total,
            "online": self.received.get("online", 0),
            "in_person": self.received.get("in_person", 0),
            "post": self.received.get("post", 0), "online_rate": self.online_rate,
        }  # fmt: skip


def indicators(conn: sqlite3.Connection, p: Period) -> tuple[list[FieldFigures], FieldFigures]:
    """Per procedure field, and for the whole office, the period's dossier figures (from the
    daily counts the cache's triggers keep, migration 0400)."""
    fields = {r[0]: r[1] or NO_FIELD for r in conn.execute("SELECT code, field FROM procedures")}
    per: dict[str, FieldFigures] = {}

    def of(code: str | None) -> FieldFigures:
        name = fields.get(code or "", NO_FIELD)
        if name not in per:
            per[name] = FieldFigures(name)
        return per[name]

    ranges = segments(p.first, p.last)  # whole months from their rows (always current)
    where = " OR ".join(["day BETWEEN ? AND ?"] * len(ranges))
    bounds = [b for r in ranges for b in r]
    for code, early, on_time, late, none in conn.execute(
        "SELECT procedure_code, sum(early), sum(on_time), sum(late), sum(no_deadline)"
        f" FROM dossier_settled_days WHERE {where} GROUP BY procedure_code",
        bounds,
    ):
        f = of(code)
        f.early += early
        f.on_time += on_time
        f.late += late
        f.no_deadline += none
    for code, channel, n in conn.execute(
        "SELECT procedure_code, channel, sum(n) FROM dossier_received_days"
        f" WHERE {where} GROUP BY procedure_code, channel",
        bounds,
    ):
        if n == 0:
            continue
        f = of(code)
        key = channel if channel in CHANNELS else ""
        f.received[key] = f.received.get(key, 0) + n
    total = FieldFigures("*")
    for f in per.values():
        total.add(f)
    rows = sorted(per.values(), key=lambda f: (f.field == NO_FIELD, -f.settled, f.field))
    return rows, total
