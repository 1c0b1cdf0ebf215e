"""What a clerk does at a counter: call, recall, start, finish, no-show, transfer, pause, resume,
and the clerk's arrival and departure.

Runs in the writer's batch like :mod:`hub.queue.engine` (see its docstring for the order in which
call-next picks tickets and how priority is kept from starving the rest). Call-next and call
finish the counter's current ticket first: a clerk who calls the next person is done with the
last one.
"""

from __future__ import annotations

import collections
from typing import Any

from hub.auth.access import Principal
from hub.auth.audit import audit
from hub.errors import ApiError
from hub.queue.engine import QueueEngine, conflict, save
from hub.queue.state import Ticket
from hub.queue.writer import Tx


class CounterOps:
    """Counter operations over a :class:`QueueEngine` and its live state."""

    def __init__(self, engine: QueueEngine) -> None:
        self.engine = engine
        self.state = engine.state

    def _counter(self, number: int, usable: bool = True) -> dict[str, Any]:
        c = self.state.counters.get(number)
        if c is None or not c["active"]:
            raise ApiError(404, "not_found", f"no counter {number}")
        if usable and c["state"] != "open":
            why = "paused" if c["state"] == "paused" else "closed (no clerk logged in)"
            raise conflict(f"counter {number} is {why}")
        return c

    def _finish_current(self, tx: Tx, p: Principal, number: int) -> None:
        current = self.state.current.get(number)
        if current is not None:
            self._close(tx, p, self.state.active[current], number, "done", "ticket.finished")

    def _close(
        self, tx: Tx, p: Principal, t: Ticket, number: int, state: str, event: str
    ) -> dict[str, Any]:
        """The counter's current ticket ends (done or no-show)."""
        s = self.state
        s.current.pop(number, None)
        s.retire(t)
        save(tx, t, state=state, finished_at=tx.now)
        if state == "done" and t["called_at"] is not None:
            s.record_duration(t["service"], tx.now - t["called_at"])
        return self.engine.ticket_event(tx, p, t, event, number)

    def _call(self, tx: Tx, p: Principal, number: int, t: Ticket) -> dict[str, Any]:
        cols = {"state": "called", "counter": number, "called_at": tx.now, "started_at": None,
                "finished_at": None, "target_counter": None, "head": 0}  # fmt: skip
        s = self.state
        if t["state"] == "waiting":
            s.dequeue(t)
        save(tx, t, **cols)
        s.closed.pop(t["id"], None)
        s.active[t["id"]] = t
        s.current[number] = t["id"]
        s.streak.setdefault(number, collections.deque(maxlen=s.burst)).append(bool(t["priority"]))
        return self.engine.ticket_event(tx, p, t, "ticket.called", number)

    def call_next(self, tx: Tx, p: Principal, number: int) -> dict[str, Any]:
        """Finish the current ticket and call the next one for this counter (409 queue_empty)."""
        self._counter(number)
        t = self.state.pick(number)
        if t is None:
            raise ApiError(409, "queue_empty", f"nobody is waiting for counter {number}")
        self.engine.ensure_day(tx, p)
        self._finish_current(tx, p, number)
        return self._call(tx, p, number, t)

    def call_number(self, tx: Tx, p: Principal, number: int, ticket_number: str) -> dict[str, Any]:
        """Call a given number: a waiting ticket, or a no-show who came back."""
        self._counter(number)
        s = self.state
        t = next((x for x in s.active.values() if x["number"] == ticket_number), None) or next(
            (x for x in s.closed.values() if x["number"] == ticket_number and x["day"] == s.day),
            None,
        )
        if t is None:
            row = tx.read.execute(
                "SELECT * FROM tickets WHERE day = ? AND number = ? ORDER BY id DESC LIMIT 1",
                (s.day, ticket_number),
            ).fetchone()
            if row is None:
                raise ApiError(404, "not_found", f"no ticket {ticket_number} today", "number")
            t = dict(row)
        if t["state"] not in ("waiting", "no_show"):
            raise conflict(f"ticket {ticket_number} is {t['state']}")
        self.engine.ensure_day(tx, p)
        if s.current.get(number) != t["id"]:
            self._finish_current(tx, p, number)
        return self._call(tx, p, number, t)

    def _require_current(self, number: int, states: tuple[str, ...], action: str) -> Ticket:
        self._counter(number, usable=False)
        current = self.state.current.get(number)
        if current is None:
            raise conflict(f"counter {number} has no current ticket to {action}")
        t = self.state.active[current]
        if t["state"] not in states:
            raise conflict(f"ticket {t['number']} is {t['state']}; cannot {action} it")
        return t

    def recall(self, tx: Tx, p: Principal, number: int) -> dict[str, Any]:
        """Announce the current (called) ticket again."""
        t = self._require_current(number, ("called",), "recall")
        save(tx, t, recalls=t["recalls"] + 1)
        return self.engine.ticket_event(tx, p, t, "ticket.recalled", number)

    def start(self, tx: Tx, p: Principal, number: int) -> dict[str, Any]:
        """The called person arrived: called → serving."""
        t = self._require_current(number, ("called",), "start")
        save(tx, t, state="serving", started_at=tx.now)
        return self.engine.ticket_event(tx, p, t, "ticket.started", number)

    def finish(self, tx: Tx, p: Principal, number: int) -> dict[str, Any]:
        """Done with the current ticket."""
        t = self._require_current(number, ("called", "serving"), "finish")
        return self._close(tx, p, t, number, "done", "ticket.finished")

    def no_show(self, tx: Tx, p: Principal, number: int) -> dict[str, Any]:
        """The called person did not come; they can be put back in line later (requeue)."""
        t = self._require_current(number, ("called",), "mark as no-show")
        return self._close(tx, p, t, number, "no_show", "ticket.no_show")

    def transfer(
        self, tx: Tx, p: Principal, number: int, service: str | None, to_counter: int | None
    ) -> dict[str, Any]:
        """Send the current ticket to another service's line or another counter, at the head."""
        t = self._require_current(number, ("called", "serving"), "transfer")
        s = self.state
        old_service = t["service"]
        if service is not None:
            if service not in s.services:
                raise ApiError(404, "not_found", f"no service {service!r}", "service")
            cols = {"state": "waiting", "service": service, "head": 1, "target_counter": None,
                    "queued_at": tx.now, "counter": None}  # fmt: skip
        else:
            if to_counter == number:
                raise ApiError(400, "invalid", "cannot transfer to the same counter", "counter")
            self._counter(int(to_counter or 0), usable=False)
            cols = {"state": "waiting", "target_counter": to_counter, "head": 1,
                    "queued_at": tx.now, "counter": None}  # fmt: skip
        del s.current[number]
        save(tx, t, **cols)
        s.enqueue(t)
        return self.engine.ticket_event(tx, p, t, "ticket.transferred", number, (old_service,))

    def set_paused(self, tx: Tx, p: Principal, number: int, paused: bool) -> dict[str, Any]:
        """Pause (open → paused) or resume (paused → open) a counter."""
        c = self._counter(number, usable=False)
        want_from, to = ("open", "paused") if paused else ("paused", "open")
        if c["state"] != want_from:
            raise conflict(f"counter {number} is {c['state']}, not {want_from}")
        tx.defer("UPDATE counters SET state = ? WHERE number = ?", (to, number))
        c["state"] = to
        return {"counter": self.counter_event(tx, p, number, "pause" if paused else "resume")}

    def clerk_in(self, tx: Tx, p: Principal, number: int, user_id: int, name: str) -> None:
        """A clerk logged in at the counter: it opens (unless paused) with them at it."""
        c = self._counter(number, usable=False)
        state = "open" if c["state"] == "closed" else c["state"]
        tx.defer(
            "UPDATE counters SET clerk_user_id = ?, state = ? WHERE number = ?",
            (user_id, state, number),
        )
        c.update(clerk_user_id=user_id, clerk=name, state=state)
        self.counter_event(tx, p, number, "clerk_in")

    def clerk_out(self, tx: Tx, p: Principal, number: int, user_id: int) -> None:
        """The clerk logged out: the counter closes, if they were still the one at it."""
        c = self.state.counters.get(number)
        if c is None or c["clerk_user_id"] != user_id:
            return
        tx.defer(
            "UPDATE counters SET clerk_user_id = NULL, state = 'closed' WHERE number = ?",
            (number,),
        )
        c.update(clerk_user_id=None, clerk=None, state="closed")
        self.counter_event(tx, p, number, "clerk_out")

    def counter_event(self, tx: Tx, p: Principal | None, number: int, why: str) -> dict[str, Any]:
        """Emit ``counter.updated`` with the counter and its services' fresh estimates."""
        s = self.state
        view = s.counter_view(number)
        services = s.services_view(tx.now, view["services"])
        tx.emit(
            "counter.updated",
            {"counter": view, "reason": why, "services": services, "by": p.by() if p else None},
        )
        audit(tx, p, f"counter.{why}", str(number))
        return view
