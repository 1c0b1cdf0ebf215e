"""The JSON views of tickets, services and counters (hub/API.md), and the wait estimate.

Estimated wait: the mean service time of the service's last :data:`SAMPLE` finished tickets
(from call to finish, clipped to a sane range; :data:`DEFAULT_SERVICE_S` until there are
:data:`MIN_SAMPLES`), times the people ahead, divided by the counters open for that service
(at least one, so a closed office still gives a finite figure).
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from hub.clock import Clock

SAMPLE = 20
MIN_SAMPLES = 3
DEFAULT_SERVICE_S = 300.0
CLIP_S = (30.0, 3600.0)
RECENT_CALLS = 10

TICKET_SELECT = (
    "SELECT t.*, s.name_vi AS service_name_vi, s.name_en AS service_name_en,"
    " c.name AS counter_name FROM tickets t JOIN services s ON s.code = t.service"
    " LEFT JOIN counters c ON c.number = t.counter"
)


class Estimator:
    """Mean service time per service, cached until a ticket of that service is finished."""

    def __init__(self) -> None:
        self._mean: dict[str, float] = {}
        self._lock = threading.Lock()

    def forget(self, service: str) -> None:
        """Drop the cached mean (call after a ticket of ``service`` finishes)."""
        with self._lock:
            self._mean.pop(service, None)

    def mean_service_s(self, conn: sqlite3.Connection, service: str) -> float:
        """Recent mean service time of ``service`` in seconds."""
        with self._lock:
            cached = self._mean.get(service)
        if cached is not None:
            return cached
        rows = conn.execute(
            "SELECT finished_at - coalesce(called_at, started_at) FROM tickets"
            " WHERE service = ? AND state = 'done' AND finished_at IS NOT NULL"
            " ORDER BY finished_at DESC LIMIT ?",
            (service, SAMPLE),
        ).fetchall()
        durations = [min(max(r[0], CLIP_S[0]), CLIP_S[1]) for r in rows if r[0] is not None]
        mean = (
            sum(durations) / len(durations) if len(durations) >= MIN_SAMPLES else DEFAULT_SERVICE_S
        )
        with self._lock:
            self._mean[service] = mean
        return mean


class Views:
    """Builds the API's JSON views from the database."""

    def __init__(self, clock: Clock, estimator: Estimator) -> None:
        self.clock = clock
        self.estimator = estimator

    # --- tickets ---------------------------------------------------------------------------

    def ticket_row(self, conn: sqlite3.Connection, ticket_id: int) -> sqlite3.Row | None:
        """The ticket's row with its service and counter names."""
        return conn.execute(f"{TICKET_SELECT} WHERE t.id = ?", (ticket_id,)).fetchone()

    def ticket(self, conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
        """The Ticket view of ``row`` (from :data:`TICKET_SELECT`)."""
        iso = self.clock.iso
        ahead = wait = None
        if row["state"] == "waiting":
            ahead = self._ahead(conn, row)
            wait = self._estimate(conn, row["service"], ahead)
        return {
            "id": row["id"],
            "number": row["number"],
            "service": row["service"],
            "service_name_vi": row["service_name_vi"],
            "service_name_en": row["service_name_en"],
            "state": row["state"],
            "priority": bool(row["priority"]),
            "priority_reason": row["priority_reason"],
            "counter": row["counter"] if row["state"] != "waiting" else row["target_counter"],
            "counter_name": row["counter_name"] if row["state"] != "waiting" else None,
            "issued_at": iso(row["issued_at"]),
            "called_at": iso(row["called_at"]),
            "started_at": iso(row["started_at"]),
            "finished_at": iso(row["finished_at"]),
            "ahead": ahead,
            "estimated_wait_s": wait,
            "day": row["day"],
            "recalls": row["recalls"],
        }

    def ticket_by_id(self, conn: sqlite3.Connection, ticket_id: int) -> dict[str, Any] | None:
        """The Ticket view by id, or None."""
        row = self.ticket_row(conn, ticket_id)
        return None if row is None else self.ticket(conn, row)

    def _ahead(self, conn: sqlite3.Connection, row: sqlite3.Row) -> int:
        """How many waiting tickets call-next would take before this one (the same order)."""
        if row["target_counter"] is not None:
            return conn.execute(
                "SELECT count(*) FROM tickets WHERE day = ? AND state = 'waiting'"
                " AND target_counter = ? AND (queued_at < ? OR (queued_at = ? AND id < ?))",
                (row["day"], row["target_counter"], row["queued_at"], row["queued_at"], row["id"]),
            ).fetchone()[0]
        return conn.execute(
            "SELECT count(*) FROM tickets WHERE day = ? AND state = 'waiting' AND service = ?"
            " AND target_counter IS NULL AND (head > ? OR (head = ? AND (priority > ?"
            " OR (priority = ? AND (queued_at < ? OR (queued_at = ? AND id < ?))))))",
            (
                row["day"],
                row["service"],
                row["head"],
                row["head"],
                row["priority"],
                row["priority"],
                row["queued_at"],
                row["queued_at"],
                row["id"],
            ),
        ).fetchone()[0]

    def open_counters(self, conn: sqlite3.Connection, service: str) -> int:
        """Counters open now that serve ``service``."""
        return conn.execute(
            "SELECT count(*) FROM counters c JOIN counter_services cs ON cs.counter = c.number"
            " WHERE cs.service = ? AND c.state = 'open' AND c.active = 1",
            (service,),
        ).fetchone()[0]

    def _estimate(self, conn: sqlite3.Connection, service: str, ahead: int) -> int:
        mean = self.estimator.mean_service_s(conn, service)
        return round(ahead * mean / max(1, self.open_counters(conn, service)))

    # --- services --------------------------------------------------------------------------

    def service(self, conn: sqlite3.Connection, row: sqlite3.Row, day: str) -> dict[str, Any]:
        """The Service view of a ``services`` row on business day ``day``."""
        code = row["code"]
        waiting = conn.execute(
            "SELECT count(*) FROM tickets WHERE day = ? AND state = 'waiting' AND service = ?",
            (day, code),
        ).fetchone()[0]
        issued = conn.execute(
            "SELECT coalesce(max(seq), 0) FROM tickets WHERE day = ? AND number_service = ?",
            (day, code),
        ).fetchone()[0]
        return {
            "code": code,
            "name_vi": row["name_vi"],
            "name_en": row["name_en"],
            "prefix": row["prefix"],
            "state": self.service_state(conn, row, day, issued),
            "waiting": waiting,
            "estimated_wait_s": self._estimate(conn, code, waiting),
            "issued_today": issued,
            "daily_limit": row["daily_limit"],
            "opens_at": row["opens_at"],
            "closes_at": row["closes_at"],
        }

    def service_state(
        self, conn: sqlite3.Connection, row: sqlite3.Row, day: str, issued: int
    ) -> str:
        """``open``, ``closed`` (inactive, day closed, outside hours) or ``full``."""
        if not row["active"]:
            return "closed"
        closed = conn.execute("SELECT closed_at FROM days WHERE day = ?", (day,)).fetchone()
        if closed is not None and closed[0] is not None:
            return "closed"
        now = self.clock.hhmm(self.clock.now())
        if row["opens_at"] and now < row["opens_at"]:
            return "closed"
        if row["closes_at"] and now >= row["closes_at"]:
            return "closed"
        if row["daily_limit"] is not None and issued >= row["daily_limit"]:
            return "full"
        return "open"

    def services(
        self, conn: sqlite3.Connection, day: str, codes: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """Service views, all active ones in display order or just ``codes``."""
        if codes is None:
            rows = conn.execute(
                "SELECT * FROM services WHERE active = 1 ORDER BY position, code"
            ).fetchall()
        else:
            marks = ",".join("?" * len(codes))
            rows = conn.execute(
                f"SELECT * FROM services WHERE code IN ({marks}) ORDER BY position, code", codes
            ).fetchall()
        return [self.service(conn, r, day) for r in rows]

    # --- counters --------------------------------------------------------------------------

    def counter(self, conn: sqlite3.Connection, number: int, day: str) -> dict[str, Any] | None:
        """The Counter view, or None if there is no such counter."""
        row = conn.execute(
            "SELECT c.*, u.display_name AS clerk FROM counters c"
            " LEFT JOIN users u ON u.id = c.clerk_user_id WHERE c.number = ?",
            (number,),
        ).fetchone()
        if row is None:
            return None
        services = [
            r[0]
            for r in conn.execute(
                "SELECT service FROM counter_services WHERE counter = ? ORDER BY rank", (number,)
            )
        ]
        current = conn.execute(
            f"{TICKET_SELECT} WHERE t.counter = ? AND t.day = ?"
            " AND t.state IN ('called', 'serving') ORDER BY t.called_at DESC LIMIT 1",
            (number, day),
        ).fetchone()
        return {
            "number": row["number"],
            "name": row["name"],
            "state": row["state"],
            "services": services,
            "clerk": row["clerk"],
            "current": None if current is None else self.ticket(conn, current),
        }

    def counters(self, conn: sqlite3.Connection, day: str) -> list[dict[str, Any]]:
        """Every active counter's view, by number."""
        numbers = [
            r[0]
            for r in conn.execute("SELECT number FROM counters WHERE active = 1 ORDER BY number")
        ]
        return [v for n in numbers if (v := self.counter(conn, n, day)) is not None]

    def recent_calls(self, conn: sqlite3.Connection, day: str) -> list[dict[str, Any]]:
        """The last :data:`RECENT_CALLS` tickets called today, newest first."""
        rows = conn.execute(
            f"{TICKET_SELECT} WHERE t.day = ? AND t.called_at IS NOT NULL"
            " ORDER BY t.called_at DESC, t.id DESC LIMIT ?",
            (day, RECENT_CALLS),
        ).fetchall()
        return [self.ticket(conn, r) for r in rows]
