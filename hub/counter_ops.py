"""What a clerk does at a counter: call, recall, start, finish, no-show, transfer, pause, resume.

Runs inside the writer's transaction like :mod:`hub.queue`; see its docstring for the order in
which call-next picks tickets and how priority is kept from starving the rest. Call-next and call
finish the counter's current ticket first (a clerk who calls the next person is done with the last).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from hub.audit import audit
from hub.auth import Principal
from hub.errors import ApiError
from hub.queue import QueueEngine, conflict
from hub.writer import Tx

LINE_ORDER = "ORDER BY cs.rank, t.queued_at, t.id LIMIT 1"
LINE_FROM = (
    "SELECT t.id FROM tickets t JOIN counter_services cs"
    " ON cs.service = t.service AND cs.counter = ?"
    " WHERE t.day = ? AND t.state = 'waiting' AND t.target_counter IS NULL"
)


class CounterOps:
    """Counter operations over a :class:`QueueEngine`."""

    def __init__(self, engine: QueueEngine) -> None:
        self.engine = engine
        self.views = engine.views

    def _counter(self, conn: sqlite3.Connection, number: int, usable: bool = True) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM counters WHERE number = ?", (number,)).fetchone()
        if row is None or not row["active"]:
            raise ApiError(404, "not_found", f"no counter {number}")
        if usable and row["state"] != "open":
            why = "paused" if row["state"] == "paused" else "closed (no clerk logged in)"
            raise conflict(f"counter {number} is {why}")
        return row

    def _current(self, conn: sqlite3.Connection, number: int, day: str) -> sqlite3.Row | None:
        return conn.execute(
            "SELECT * FROM tickets WHERE counter = ? AND day = ? AND state IN ('called', 'serving')"
            " ORDER BY called_at DESC LIMIT 1",
            (number, day),
        ).fetchone()

    def pick(self, conn: sqlite3.Connection, number: int, day: str) -> int | None:
        """The id of the ticket call-next would take at counter ``number`` (see hub.queue)."""
        row = conn.execute(
            "SELECT id FROM tickets WHERE day = ? AND state = 'waiting' AND target_counter = ?"
            " ORDER BY queued_at, id LIMIT 1",
            (day, number),
        ).fetchone()
        if row is None:
            row = conn.execute(f"{LINE_FROM} AND t.head = 1 {LINE_ORDER}", (number, day)).fetchone()
        if row is None and self._priority_allowed(conn, number, day):
            row = conn.execute(
                f"{LINE_FROM} AND t.priority = 1 {LINE_ORDER}", (number, day)
            ).fetchone()
        if row is None:
            row = conn.execute(
                f"{LINE_FROM} AND t.priority = 0 {LINE_ORDER}", (number, day)
            ).fetchone()
        if row is None:  # only priority tickets are left: take them, burst or not
            row = conn.execute(f"{LINE_FROM} {LINE_ORDER}", (number, day)).fetchone()
        return None if row is None else row[0]

    def _priority_allowed(self, conn: sqlite3.Connection, number: int, day: str) -> bool:
        burst = self.engine.priority_burst
        recent = conn.execute(
            "SELECT priority FROM tickets WHERE counter = ? AND day = ? AND called_at IS NOT NULL"
            " ORDER BY called_at DESC, id DESC LIMIT ?",
            (number, day, burst),
        ).fetchall()
        return len(recent) < burst or not all(r[0] for r in recent)

    def _finish_current(self, tx: Tx, p: Principal, number: int, day: str) -> None:
        current = self._current(tx.conn, number, day)
        if current is not None:
            tx.conn.execute(
                "UPDATE tickets SET state = 'done', finished_at = ? WHERE id = ?",
                (tx.now, current["id"]),
            )
            self.engine._ticket_event(tx, p, current["id"], "ticket.finished", number)

    def _call(self, tx: Tx, p: Principal, number: int, day: str, ticket_id: int) -> dict[str, Any]:
        tx.conn.execute(
            "UPDATE tickets SET state = 'called', counter = ?, called_at = ?, started_at = NULL,"
            " finished_at = NULL, target_counter = NULL, head = 0 WHERE id = ?",
            (number, tx.now, ticket_id),
        )
        return self.engine._ticket_event(tx, p, ticket_id, "ticket.called", number)

    def call_next(self, tx: Tx, p: Principal, number: int) -> dict[str, Any]:
        """Finish the current ticket and call the next one for this counter (409 queue_empty)."""
        self._counter(tx.conn, number)
        day = self.engine.ensure_day(tx, p)
        ticket_id = self.pick(tx.conn, number, day)
        if ticket_id is None:
            raise ApiError(409, "queue_empty", f"nobody is waiting for counter {number}")
        self._finish_current(tx, p, number, day)
        return self._call(tx, p, number, day, ticket_id)

    def call_number(self, tx: Tx, p: Principal, number: int, ticket_number: str) -> dict[str, Any]:
        """Call a given number: a waiting ticket, or a no-show who came back."""
        self._counter(tx.conn, number)
        day = self.engine.ensure_day(tx, p)
        row = tx.conn.execute(
            "SELECT id, state FROM tickets WHERE day = ? AND number = ? ORDER BY id DESC LIMIT 1",
            (day, ticket_number),
        ).fetchone()
        if row is None:
            raise ApiError(404, "not_found", f"no ticket {ticket_number} today", "number")
        if row["state"] not in ("waiting", "no_show"):
            raise conflict(f"ticket {ticket_number} is {row['state']}")
        self._finish_current(tx, p, number, day)
        return self._call(tx, p, number, day, row["id"])

    def _require_current(
        self, tx: Tx, number: int, states: tuple[str, ...], action: str
    ) -> sqlite3.Row:
        self._counter(tx.conn, number, usable=False)
        current = self._current(tx.conn, number, self.engine.clock.day_of(tx.now))
        if current is None:
            raise conflict(f"counter {number} has no current ticket to {action}")
        if current["state"] not in states:
            raise conflict(f"ticket {current['number']} is {current['state']}; cannot {action} it")
        return current

    def recall(self, tx: Tx, p: Principal, number: int) -> dict[str, Any]:
        """Announce the current (called) ticket again."""
        current = self._require_current(tx, number, ("called",), "recall")
        tx.conn.execute("UPDATE tickets SET recalls = recalls + 1 WHERE id = ?", (current["id"],))
        return self.engine._ticket_event(tx, p, current["id"], "ticket.recalled", number)

    def start(self, tx: Tx, p: Principal, number: int) -> dict[str, Any]:
        """The called person arrived: called → serving."""
        current = self._require_current(tx, number, ("called",), "start")
        tx.conn.execute(
            "UPDATE tickets SET state = 'serving', started_at = ? WHERE id = ?",
            (tx.now, current["id"]),
        )
        return self.engine._ticket_event(tx, p, current["id"], "ticket.started", number)

    def finish(self, tx: Tx, p: Principal, number: int) -> dict[str, Any]:
        """Done with the current ticket."""
        current = self._require_current(tx, number, ("called", "serving"), "finish")
        tx.conn.execute(
            "UPDATE tickets SET state = 'done', finished_at = ? WHERE id = ?",
            (tx.now, current["id"]),
        )
        return self.engine._ticket_event(tx, p, current["id"], "ticket.finished", number)

    def no_show(self, tx: Tx, p: Principal, number: int) -> dict[str, Any]:
        """The called person did not come; they can be put back in line later (requeue)."""
        current = self._require_current(tx, number, ("called",), "mark as no-show")
        tx.conn.execute(
            "UPDATE tickets SET state = 'no_show', finished_at = ? WHERE id = ?",
            (tx.now, current["id"]),
        )
        return self.engine._ticket_event(tx, p, current["id"], "ticket.no_show", number)

    def transfer(
        self, tx: Tx, p: Principal, number: int, service: str | None, to_counter: int | None
    ) -> dict[str, Any]:
        """Send the current ticket to another service's line or another counter, at the head."""
        current = self._require_current(tx, number, ("called", "serving"), "transfer")
        conn = tx.conn
        old_service = current["service"]
        if service is not None:
            if conn.execute("SELECT 1 FROM services WHERE code = ?", (service,)).fetchone() is None:
                raise ApiError(404, "not_found", f"no service {service!r}", "service")
            conn.execute(
                "UPDATE tickets SET state = 'waiting', service = ?, head = 1,"
                " target_counter = NULL, queued_at = ?, counter = NULL WHERE id = ?",
                (service, tx.now, current["id"]),
            )
        else:
            assert to_counter is not None
            if to_counter == number:
                raise ApiError(400, "invalid", "cannot transfer to the same counter", "counter")
            self._counter(conn, to_counter, usable=False)
            conn.execute(
                "UPDATE tickets SET state = 'waiting', target_counter = ?, head = 1,"
                " queued_at = ?, counter = NULL WHERE id = ?",
                (to_counter, tx.now, current["id"]),
            )
        answer = self.engine._ticket_event(
            tx, p, current["id"], "ticket.transferred", number, (old_service,)
        )
        return answer

    def set_paused(self, tx: Tx, p: Principal, number: int, paused: bool) -> dict[str, Any]:
        """Pause (open → paused) or resume (paused → open) a counter."""
        row = self._counter(tx.conn, number, usable=False)
        want_from, to = ("open", "paused") if paused else ("paused", "open")
        if row["state"] != want_from:
            raise conflict(f"counter {number} is {row['state']}, not {want_from}")
        tx.conn.execute("UPDATE counters SET state = ? WHERE number = ?", (to, number))
        return {"counter": self.counter_event(tx, p, number, "pause" if paused else "resume")}

    def counter_event(self, tx: Tx, p: Principal | None, number: int, why: str) -> dict[str, Any]:
        """Emit ``counter.updated`` with the counter and its services' fresh estimates."""
        day = self.engine.clock.day_of(tx.now)
        view = self.views.counter(tx.conn, number, day)
        assert view is not None
        services = self.views.services(tx.conn, day, view["services"]) if view["services"] else []
        tx.emit(
            "counter.updated",
            {"counter": view, "reason": why, "services": services, "by": p.by() if p else None},
        )
        audit(tx, p, f"counter.{why}", str(number))
        return view
