"""Work that goes on when the hub is down: kiosks' number blocks, their offline tickets, and
services entered afterwards from paper (backfill).

The regulation asks the reception to receive and return by hand when the system fails, and to
enter that work afterwards. So:

- **Blocks.** Each business day a kiosk gets, per service, a block of numbers only it may issue
  (:meth:`OfflineWork.blocks`, on its first request of the day). A block sits just past the
  service's daily limit, which the hub never issues beyond, or, for a service without a limit,
  high in its numbering (``…800`` for three digits), which the hub's own numbering skips
  (:meth:`~hub.queue.state.QueueState.next_seq`). Blocks never overlap a number already used.
- **Offline tickets.** A kiosk that cannot reach the hub prints numbers from its block and keeps
  them on disk; once back it uploads each one (:meth:`OfflineWork.take_in`). The hub puts it in
  line by its issue time and says ``ticket.issued`` as for any ticket, so panels and displays see
  it. The upload is keyed by (device, service, number): a repeat answers the same ticket and
  changes nothing; a number outside the kiosk's block is refused.
- **Backfill.** A clerk enters a service done on paper (:meth:`OfflineWork.backfill`): a new
  ``paper`` ticket, or, when the number is an offline ticket still waiting, that ticket done.
  Either way ``backfilled_at`` marks its times as written down afterwards, for reports.

Runs in the writer's batch like :mod:`hub.queue.engine`: check first, then change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hub.auth.access import Principal, hash_token
from hub.auth.audit import audit
from hub.errors import ApiError, bad_request
from hub.queue.engine import QueueEngine, conflict, new_ticket_token, save
from hub.queue.state import Ticket
from hub.queue.writer import Tx

BLOCK_SIZE = 20  # numbers per kiosk and service and day, by default (``offline_block_size``)
NO_LIMIT_BLOCKS = 10  # a service without a daily limit keeps this many blocks' room at its top
CLOCK_SKEW_S = 120.0  # a kiosk's clock may run this far ahead of the hub's
BACKFILL_MAX_AGE_DAYS = 31  # paper from longer ago goes to the archive, not the queue's history

_TICKET_INSERT = (
    "id", "day", "service", "seq", "number_service", "number", "token_hash", "state", "priority",
    "priority_reason", "head", "target_counter", "queued_at", "counter", "issued_at", "called_at",
    "started_at", "finished_at", "recalls", "issued_by_device", "origin", "backfilled_at",
    "backfilled_by",
)  # fmt: skip


def parse_time(value: Any, field: str, tz: dt.tzinfo) -> float:
    """An ISO 8601 time (with its offset; without one it is the hub's local time) as Unix
    seconds; 400 naming ``field`` otherwise."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        raise bad_request(f"'{field}' must be an ISO 8601 time such as 2026-11-30T09:15:00+07:00",
                          field)  # fmt: skip
    try:
        moment = dt.datetime.fromisoformat(value.upper())  # RFC 3339 allows "t" and "z"
    except ValueError:
        raise bad_request(f"'{field}' is not an ISO 8601 time: {value!r}", field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.timestamp()


def impossible(message: str, field: str) -> ApiError:
    """A 409 for times that cannot be (in the future, outside the window, out of order): each
    field is well formed, but together with the clock and the records they contradict."""
    return ApiError(409, "impossible_time", message, field)


class OfflineWork:
    """Blocks, offline tickets and backfill over the queue engine's live state."""

    def __init__(self, engine: QueueEngine, block_size: int = BLOCK_SIZE) -> None:
        self.engine = engine
        self.block_size = block_size
        self.state = engine.state
        self.clock = engine.clock

    def number(self, code: str, seq: int) -> str:
        """The printed form of number ``seq`` of service ``code`` (A012, 1012…)."""
        svc = self.state.services[code]
        return svc["prefix"] + str(svc["number_start"] + seq - 1).zfill(svc["digits"])

    # --- blocks ----------------------------------------------------------------------------

    def _first_free(self, tx: Tx, code: str) -> int:
        """Where a new block of ``code`` starts today: past every number used or reserved."""
        s = self.state
        svc = s.services[code]
        used = max([s.seq.get(code, 0), *(last for _, last in s.blocks.get(code, ()))])
        used = max(used, tx.read.execute(
            "SELECT coalesce(max(seq), 0) FROM tickets WHERE day = ? AND number_service = ?",
            (s.day, code),
        ).fetchone()[0])  # fmt: skip
        if svc["daily_limit"] is not None:
            floor = svc["daily_limit"]
        else:
            top = 10 ** svc["digits"] - svc["number_start"]  # the last number of full width
            floor = top - NO_LIMIT_BLOCKS * self.block_size
        return max(used, floor) + 1

    def blocks(self, tx: Tx, p: Principal) -> dict[str, Any]:
        """Today's block of each open service for kiosk ``p``, reserving those it lacks."""
        s = self.state
        self.engine.ensure_day(tx, p)
        held = {
            r[0]: (r[1], r[2])
            for r in tx.read.execute(
                "SELECT service, first_seq, last_seq FROM number_blocks"
                " WHERE day = ? AND device_id = ?",
                (s.day, p.device_id),
            )
        }
        answer = []
        for code, svc in s.services.items():
            if not svc["active"]:
                continue
            if code not in held:
                first = self._first_free(tx, code)
                held[code] = (first, first + self.block_size - 1)
                tx.conn.execute(
                    "INSERT INTO number_blocks (day, service, device_id, first_seq, last_seq,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (s.day, code, p.device_id, *held[code], tx.now),
                )
                s.blocks[code] = sorted([*s.blocks.get(code, []), held[code]])
                audit(tx, p, "offline.block", code, {"first": held[code][0],
                                                     "last": held[code][1]})  # fmt: skip
            first, last = held[code]
            answer.append({
                "service": code, "name_vi": svc["name_vi"], "name_en": svc["name_en"],
                "first_seq": first, "last_seq": last,
                "numbers": [self.number(code, seq) for seq in range(first, last + 1)],
            })  # fmt: skip
        return {
            "day": s.day,
            "valid_until": self.clock.iso(self.clock.day_end(s.day)),
            "status_url_prefix": f"{self.engine.public_url}/t/",
            "blocks": answer,
        }

    # --- offline tickets -------------------------------------------------------------------

    def take_in(
        self, tx: Tx, p: Principal, code: str, seq: int, issued_at: float, priority: bool,
        reason: str | None, token: str | None,
    ) -> tuple[dict[str, Any], bool]:  # fmt: skip
        """Take a ticket kiosk ``p`` issued offline into today's queue; (view, new)."""
        s = self.state
        if code not in s.services:
            raise ApiError(404, "not_found", f"no service {code!r}", "service")
        if issued_at > tx.now + CLOCK_SKEW_S:
            raise impossible("'issued_at' is in the future (is the kiosk's clock right?)",
                             "issued_at")  # fmt: skip
        day = self.clock.day_of(issued_at)
        block = tx.read.execute(
            "SELECT first_seq, last_seq, created_at FROM number_blocks WHERE day = ?"
            " AND service = ? AND device_id = ?",
            (day, code, p.device_id),
        ).fetchone()
        if block is None or not block[0] <= seq <= block[1]:
            held = (
                f"its block is {self.number(code, block[0])}–{self.number(code, block[1])}"
                if block else "it holds no block"
            )  # fmt: skip
            raise ApiError(
                409, "outside_block",
                f"number {self.number(code, seq)} is not this kiosk's to issue on {day}: {held}",
                "seq",
            )  # fmt: skip
        if issued_at < block[2] - CLOCK_SKEW_S:
            # Its place in line comes from this time: none before the kiosk held the number.
            raise impossible("'issued_at' is before the kiosk was given this number", "issued_at")
        row = tx.read.execute(
            "SELECT * FROM tickets WHERE day = ? AND number_service = ? AND seq = ?",
            (day, code, seq),
        ).fetchone()
        if row is not None:  # uploaded before: the same answer, nothing changes
            t = s.recently(row["id"]) or dict(row)
            return s.ticket_view(t), False
        if day != s.day:
            raise ApiError(
                409, "day_over",
                f"ticket {self.number(code, seq)} is from {day}; that day is over: a clerk can"
                " enter its service from paper (backfill)",
            )  # fmt: skip
        if s.day_closed:
            raise conflict(f"day {s.day} is closed")
        self.engine.ensure_day(tx, p)
        t: Ticket = {
            "id": s.next_ticket_id, "day": day, "service": code, "seq": seq,
            "number_service": code, "number": self.number(code, seq),
            "token_hash": hash_token(token or new_ticket_token()), "state": "waiting",
            "priority": int(priority), "priority_reason": reason, "head": 0,
            "target_counter": None, "queued_at": issued_at, "counter": None,
            "issued_at": issued_at, "called_at": None, "started_at": None, "finished_at": None,
            "recalls": 0, "issued_by_device": p.device_id, "origin": "offline",
            "backfilled_at": None, "backfilled_by": None,
        }  # fmt: skip
        self._insert(tx, t)
        s.next_ticket_id += 1
        s.active[t["id"]] = t
        s.enqueue_in_time(t)
        view = s.ticket_view(t)
        tx.emit(
            "ticket.issued",
            {"ticket": view, "services": [s.service_view(code, tx.now)], "origin": "offline",
             "by": p.by()},
        )  # fmt: skip
        audit(tx, p, "ticket.offline", t["number"], {"ticket_id": t["id"]})
        return view, True

    @staticmethod
    def _insert(tx: Tx, t: Ticket) -> None:
        """Write the row now, with the columns the batch's ticket writes leave alone (origin,
        backfill): later changes to the ticket update it like any other."""
        tx.conn.execute(
            f"INSERT INTO tickets ({', '.join(_TICKET_INSERT)})"
            f" VALUES ({', '.join('?' * len(_TICKET_INSERT))})",
            [t[c] for c in _TICKET_INSERT],
        )

    # --- backfill --------------------------------------------------------------------------

    def backfill(
        self, tx: Tx, p: Principal, code: str, number: str, times: dict[str, float | None],
        counter: int | None, outcome: str, priority: bool,
    ) -> dict[str, Any]:  # fmt: skip
        """Enter a service done on paper: ``times`` holds issued_at, called_at, finished_at."""
        s = self.state
        if code not in s.services:
            raise ApiError(404, "not_found", f"no service {code!r}", "service")
        if counter is not None and counter not in s.counters:
            raise ApiError(404, "not_found", f"no counter {counter}", "counter")
        self._check_times(tx, times, outcome)
        issued_at, called_at, finished_at = (times[k] for k in ("issued_at", "called_at",
                                                                 "finished_at"))  # fmt: skip
        day = self.clock.day_of(float(issued_at or 0))
        rows = tx.read.execute(
            "SELECT * FROM tickets WHERE day = ? AND number = ? ORDER BY id", (day, number)
        ).fetchall()
        if any(r["backfilled_at"] is not None for r in rows):
            raise conflict(f"ticket {number} of {day} was entered already")
        waiting = next(
            (r for r in rows if r["origin"] == "offline" and r["state"] == "waiting"
             and r["service"] == code), None,
        )  # fmt: skip
        cols = {"state": outcome, "counter": counter, "called_at": called_at,
                "finished_at": finished_at,
                "started_at": called_at if outcome == "done" else None}  # fmt: skip
        if waiting is not None:  # issued offline, served on paper: that ticket is done now
            t = s.recently(waiting["id"]) or dict(waiting)
            if t["id"] in s.active:
                s.dequeue(t)
                s.retire(t)
            save(tx, t, **cols)
        else:
            low = tx.read.execute(
                "SELECT min(0, coalesce(min(seq), 0)) FROM tickets WHERE day = ?"
                " AND number_service = ?",
                (day, code),
            ).fetchone()[0]
            t = {
                "id": s.next_ticket_id, "day": day, "service": code, "seq": low - 1,
                "number_service": code, "number": number,
                "token_hash": hash_token(new_ticket_token()), "priority": int(priority),
                "priority_reason": None, "head": 0, "target_counter": None,
                "queued_at": issued_at, "issued_at": issued_at, "recalls": 0,
                "issued_by_device": None, "origin": "paper", **cols,
                "backfilled_at": tx.now, "backfilled_by": p.username,
            }  # fmt: skip
            self._insert(tx, t)
            s.next_ticket_id += 1
        tx.conn.execute(
            "UPDATE tickets SET backfilled_at = ?, backfilled_by = ? WHERE id = ?",
            (tx.now, p.username, t["id"]),
        )
        answer = self.engine.ticket_event(tx, p, t, "ticket.backfilled", None)
        return {**answer, "origin": t.get("origin", "offline"), "backfilled": True}

    def _check_times(self, tx: Tx, times: dict[str, float | None], outcome: str) -> None:
        """Refuse times that cannot be: in the future, too old, or out of order."""
        for name, value in times.items():
            if value is not None and value > tx.now:
                raise impossible(f"'{name}' is in the future", name)
        issued_at, called_at, finished_at = (times[k] for k in ("issued_at", "called_at",
                                                                 "finished_at"))  # fmt: skip
        assert issued_at is not None and finished_at is not None
        if issued_at < tx.now - BACKFILL_MAX_AGE_DAYS * 86400:
            raise impossible(
                f"'issued_at' is more than {BACKFILL_MAX_AGE_DAYS} days ago", "issued_at"
            )
        if outcome == "no_show" and called_at is None:
            raise impossible("a no-show needs 'called_at' (when the number was called)",
                              "called_at")  # fmt: skip
        if called_at is not None and called_at < issued_at:
            raise impossible("'called_at' is before 'issued_at'", "called_at")
        if finished_at < (called_at if called_at is not None else issued_at):
            before = "called_at" if called_at is not None else "issued_at"
            raise impossible(f"'finished_at' is before '{before}'", "finished_at")
