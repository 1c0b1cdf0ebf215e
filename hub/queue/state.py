"""The live queue in memory: today's lines, counters and services, rebuilt from SQLite.

SQLite is the record; this is a cache of today's active part of it, so an operation costs its
few writes instead of a dozen lookups (the writer thread's time is the hub's throughput). Only
the writer changes it, inside its batch and under :attr:`QueueState.lock`, after the SQL writes
of an operation succeeded; readers take the same lock, so they never see a change whose batch
has not committed. It is rebuilt whenever the business day changes, another connection changed
the file (``PRAGMA data_version``: the CLI loading services, say), or a batch failed.

Lines: each service has three insertion-ordered lines (transferred to its head, priority, the
rest); a ticket enters at the end with ``queued_at = now``, so the first entry is the oldest and
call-next is O(1). Tickets transferred to one counter wait in that counter's own line.

Estimated wait: the mean service time of the service's last :data:`SAMPLE` finished tickets
(call to finish, clipped to :data:`CLIP_S`; :data:`DEFAULT_SERVICE_S` until there are
:data:`MIN_SAMPLES`), times the people ahead, divided by the counters open for that service
(at least one, so a closed office still gives a finite figure).
"""

from __future__ import annotations

import collections
import logging
import sqlite3
import threading
from typing import Any

from hub.clock import Clock
from hub.queue import priority

log = logging.getLogger(__name__)

SAMPLE = 20
MIN_SAMPLES = 3
DEFAULT_SERVICE_S = 300.0
CLIP_S = (30.0, 3600.0)
ACTIVE = ("waiting", "called", "serving")

Ticket = dict[str, Any]  # a ``tickets`` row as a dict


class QueueState:
    """Today's services, counters and active tickets, with the API's JSON views."""

    def __init__(self, clock: Clock, priority_burst: int = 2) -> None:
        self.clock = clock
        self.default_burst = self.burst = priority_burst
        self.lock = threading.RLock()
        self.day = ""
        self.latest_day = ""  # the latest business day this database has opened
        self.dirty = True

    # --- loading ---------------------------------------------------------------------------

    def refresh(self, conn: sqlite3.Connection, now: float, changed: bool) -> None:
        """Rebuild from ``conn`` (the writer's) if the day turned, another connection changed
        the file, or a failure left the live state unsure."""
        day = self.business_day(now)
        if self.dirty or changed or day != self.day:
            self.load(conn, day)

    def business_day(self, now: float) -> str:
        """The business day of ``now``, never earlier than one already opened: a clock set
        back across midnight (a wrong time corrected, a dead RTC battery) must not reopen a
        finished day and number into it."""
        day = self.clock.day_of(now)
        return day if day >= self.latest_day else self.latest_day

    def load(self, conn: sqlite3.Connection, day: str) -> None:
        """Read everything the live queue needs for business day ``day`` (or the latest day
        already opened, if that is later)."""
        latest = conn.execute("SELECT coalesce(max(day), '') FROM days").fetchone()[0]
        if latest > day:
            log.warning("the clock says %s but day %s was already opened: staying on it",
                        day, latest)  # fmt: skip
        self.latest_day = day = max(day, latest)
        self.day = day
        # The console may have changed how many priority calls a counter makes in a row.
        self.burst = int(priority.stored(conn).get("burst", self.default_burst))
        self.services: dict[str, dict[str, Any]] = {
            r["code"]: dict(r)
            for r in conn.execute("SELECT * FROM services ORDER BY position, code")
        }
        self.counters: dict[int, dict[str, Any]] = {}
        for r in conn.execute(
            "SELECT c.*, u.display_name AS clerk FROM counters c"
            " LEFT JOIN users u ON u.id = c.clerk_user_id ORDER BY c.number"
        ):
            self.counters[r["number"]] = {**dict(r), "services": []}
        for r in conn.execute("SELECT counter, service FROM counter_services ORDER BY rank"):
            if r[0] in self.counters:
                self.counters[r[0]]["services"].append(r[1])
        row = conn.execute("SELECT closed_at FROM days WHERE day = ?", (day,)).fetchone()
        self.day_known = row is not None
        self.day_closed = row is not None and row[0] is not None
        # The hub's own numbering: numbers kiosks issued from their blocks, and paper tickets
        # entered afterwards, are not part of it (hub.queue.offline).
        self.seq = {
            r[0]: r[1]
            for r in conn.execute(
                "SELECT number_service, max(seq) FROM tickets WHERE day = ? AND origin = 'hub'"
                " GROUP BY number_service",
                (day,),
            )
        }
        self.blocks: dict[str, list[tuple[int, int]]] = collections.defaultdict(list)
        for r in conn.execute(
            "SELECT service, first_seq, last_seq FROM number_blocks WHERE day = ?"
            " ORDER BY first_seq",
            (day,),
        ):
            self.blocks[r[0]].append((r[1], r[2]))
        self.next_ticket_id = (
            1 + conn.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0]
        )
        self.closed: dict[int, Ticket] = {}  # tickets that left the line lately (see recently)
        self.heads: dict[str, dict[int, Ticket]] = {code: {} for code in self.services}
        self.prio: dict[str, dict[int, Ticket]] = {code: {} for code in self.services}
        self.rest: dict[str, dict[int, Ticket]] = {code: {} for code in self.services}
        self.targeted: dict[int, dict[int, Ticket]] = collections.defaultdict(dict)
        self.active: dict[int, Ticket] = {}
        self.current: dict[int, int] = {}
        rows = conn.execute(
            "SELECT * FROM tickets WHERE day = ? AND state IN ('waiting', 'called', 'serving')"
            " ORDER BY queued_at, id",
            (day,),
        )
        for r in rows:
            t = dict(r)
            self.active[t["id"]] = t
            if t["state"] == "waiting":
                self.enqueue(t)
            elif t["counter"] is not None:
                self.current[t["counter"]] = t["id"]  # ordered by queue time: keep the latest
        self.streak: dict[int, collections.deque[bool]] = {}
        for number in self.counters:
            recent = conn.execute(
                "SELECT priority FROM tickets WHERE counter = ? AND day = ?"
                " AND called_at IS NOT NULL ORDER BY called_at DESC, id DESC LIMIT ?",
                (number, day, self.burst),
            ).fetchall()
            self.streak[number] = collections.deque(
                (bool(r[0]) for r in reversed(recent)), maxlen=self.burst
            )
        self._means: dict[str, float] = {}
        self.durations: dict[str, collections.deque[float]] = {}
        for code in self.services:
            recent = conn.execute(
                "SELECT finished_at - coalesce(called_at, started_at) FROM tickets"
                " WHERE service = ? AND state = 'done' AND finished_at IS NOT NULL"
                " AND called_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?",
                (code, SAMPLE),
            ).fetchall()
            self.durations[code] = collections.deque(
                (r[0] for r in reversed(recent)), maxlen=SAMPLE
            )
        self.dirty = False

    # --- lines -----------------------------------------------------------------------------

    def _line(self, t: Ticket) -> dict[int, Ticket]:
        if t["target_counter"] is not None:
            return self.targeted[t["target_counter"]]
        if t["head"]:
            return self.heads[t["service"]]
        return (self.prio if t["priority"] else self.rest)[t["service"]]

    def enqueue(self, t: Ticket) -> None:
        """Put a waiting ticket at the end of its line."""
        self._line(t)[t["id"]] = t

    def enqueue_in_time(self, t: Ticket) -> None:
        """Put a waiting ticket in its line by its ``queued_at`` (one issued offline earlier
        than some already waiting goes before them)."""
        line = self._line(t)
        if not line or next(reversed(line.values()))["queued_at"] <= t["queued_at"]:
            line[t["id"]] = t
            return
        ordered = sorted([*line.values(), t], key=lambda x: (x["queued_at"], x["id"]))
        line.clear()
        line.update((x["id"], x) for x in ordered)

    def next_seq(self, code: str) -> int:
        """The hub's next number of service ``code``, past any block reserved for a kiosk."""
        seq = self.seq.get(code, 0) + 1
        for first, last in self.blocks.get(code, ()):  # in order: adjacent blocks are passed
            if first <= seq <= last:
                seq = last + 1
        return seq

    def retire(self, t: Ticket) -> None:
        """``t`` is no longer active; keep it at hand (its row may not be written yet)."""
        self.active.pop(t["id"], None)
        self.closed[t["id"]] = t
        if len(self.closed) > 500:
            del self.closed[next(iter(self.closed))]

    def recently(self, ticket_id: int) -> Ticket | None:
        """An active ticket, or one that left the line lately, from memory."""
        return self.active.get(ticket_id) or self.closed.get(ticket_id)

    def dequeue(self, t: Ticket) -> None:
        """Take a waiting ticket out of its line."""
        self._line(t).pop(t["id"], None)

    def pick(self, number: int) -> Ticket | None:
        """The ticket call-next takes at counter ``number`` (order: see :mod:`hub.queue.engine`)."""
        mine = self.targeted.get(number)
        if mine:
            return next(iter(mine.values()))
        services = self.counters[number]["services"]
        streak = self.streak.get(number, ())
        priority_first = len(streak) < self.burst or not all(streak)
        order = [self.heads, self.prio, self.rest] if priority_first else [
            self.heads, self.rest, self.prio]  # fmt: skip
        for lines in order:
            for code in services:
                line = lines.get(code)
                if line:
                    return next(iter(line.values()))
        return None

    def ahead(self, t: Ticket) -> int:
        """How many waiting tickets would be called before ``t`` from its line."""
        line = self._line(t)
        position = list(line).index(t["id"]) if t["id"] in line else len(line)
        if t["target_counter"] is not None or t["head"]:
            return position
        before = len(self.heads[t["service"]])
        if not t["priority"]:
            before += len(self.prio[t["service"]])
        return before + position

    def waiting(self, code: str) -> int:
        """Tickets of service ``code`` waiting (including those sent to one counter)."""
        count = len(self.heads[code]) + len(self.prio[code]) + len(self.rest[code])
        for line in self.targeted.values():
            count += sum(1 for t in line.values() if t["service"] == code)
        return count

    # --- estimates -------------------------------------------------------------------------

    def record_duration(self, code: str, seconds: float) -> None:
        """A ticket of ``code`` was served in ``seconds`` (call to finish)."""
        if code in self.durations:
            self.durations[code].append(seconds)
            self._means.pop(code, None)

    def mean_service_s(self, code: str) -> float:
        """Recent mean service time of service ``code``."""
        mean = self._means.get(code)
        if mean is None:
            samples = [min(max(d, CLIP_S[0]), CLIP_S[1]) for d in self.durations.get(code, ())]
            enough = len(samples) >= MIN_SAMPLES
            mean = self._means[code] = sum(samples) / len(samples) if enough else DEFAULT_SERVICE_S
        return mean

    def open_counters(self, code: str) -> int:
        """Counters open now that serve ``code``."""
        return sum(
            1
            for c in self.counters.values()
            if c["state"] == "open" and c["active"] and code in c["services"]
        )

    def estimate(self, code: str, ahead: int) -> int:
        """Seconds until a ticket with ``ahead`` people before it is likely called."""
        return round(ahead * self.mean_service_s(code) / max(1, self.open_counters(code)))

    # --- views -----------------------------------------------------------------------------

    def ticket_view(self, t: Ticket) -> dict[str, Any]:
        """The Ticket view (hub/API.md)."""
        iso = self.clock.iso
        svc = self.services.get(t["service"], {})
        ahead = wait = None
        waiting = t["state"] == "waiting"
        if waiting and t["id"] in self.active:
            ahead = self.ahead(t)
            wait = self.estimate(t["service"], ahead)
        number = t["target_counter"] if waiting else t["counter"]
        counter = self.counters.get(number) if number is not None and not waiting else None
        return {
            "id": t["id"],
            "number": t["number"],
            "service": t["service"],
            "service_name_vi": svc.get("name_vi"),
            "service_name_en": svc.get("name_en"),
            "state": t["state"],
            "priority": bool(t["priority"]),
            "counter": number,
            "counter_name": counter["name"] if counter else None,
            "issued_at": iso(t["issued_at"]),
            "called_at": iso(t["called_at"]),
            "started_at": iso(t["started_at"]),
            "finished_at": iso(t["finished_at"]),
            "ahead": ahead,
            "estimated_wait_s": wait,
            "day": t["day"],
            "recalls": t["recalls"],
        }

    def service_state(self, code: str, now: float) -> str:
        """``open``, ``closed`` (retired, day closed, outside hours) or ``full``."""
        svc = self.services[code]
        if not svc["active"] or self.day_closed:
            return "closed"
        hhmm = self.clock.hhmm(now)
        if (svc["opens_at"] and hhmm < svc["opens_at"]) or (
            svc["closes_at"] and hhmm >= svc["closes_at"]
        ):
            return "closed"
        if svc["daily_limit"] is not None and self.seq.get(code, 0) >= svc["daily_limit"]:
            return "full"
        return "open"

    def service_view(self, code: str, now: float) -> dict[str, Any]:
        """The Service view (hub/API.md)."""
        svc = self.services[code]
        waiting = self.waiting(code)
        return {
            "code": code,
            "name_vi": svc["name_vi"],
            "name_en": svc["name_en"],
            "prefix": svc["prefix"],
            "state": self.service_state(code, now),
            "waiting": waiting,
            "estimated_wait_s": self.estimate(code, waiting),
            "issued_today": self.seq.get(code, 0),
            "daily_limit": svc["daily_limit"],
            "opens_at": svc["opens_at"],
            "closes_at": svc["closes_at"],
        }

    def services_view(self, now: float, codes: list[str] | None = None) -> list[dict[str, Any]]:
        """Service views: every active service in display order, or just ``codes``."""
        if codes is None:
            codes = [c for c, s in self.services.items() if s["active"]]
        return [self.service_view(c, now) for c in self.services if c in codes]

    def counter_view(self, number: int) -> dict[str, Any]:
        """The Counter view (hub/API.md)."""
        c = self.counters[number]
        current = self.current.get(number)
        return {
            "number": number,
            "name": c["name"],
            "state": c["state"],
            "services": list(c["services"]),
            "clerk": c["clerk"],
            "current": None if current is None else self.ticket_view(self.active[current]),
        }

    def counters_view(self) -> list[dict[str, Any]]:
        """Every active counter, by number."""
        return [self.counter_view(n) for n, c in self.counters.items() if c["active"]]
