"""The queue engine: issuing, cancelling, requeueing tickets and opening/closing the day.

Every operation runs in the writer's batch (:mod:`hub.queue.writer`), with
:class:`~hub.queue.state.QueueState` fresh and locked. The pattern is always: check against the
live state and raise an ``ApiError`` (409 ``conflict`` naming the state) before touching anything;
then update the live state, defer
the rows to the batch, and append the event and the audit line. Counter operations are in
:mod:`hub.queue.counter_ops`.

Who is called next (:meth:`QueueState.pick`):

1. a ticket transferred to this very counter (oldest transfer first);
2. a ticket transferred to one of the counter's services (transfers go to the head of the line);
3. a priority ticket from the counter's services, in its order of preference, then oldest;
4. the oldest ordinary ticket, services again in the counter's order of preference.

Priority never starves the rest: once a counter's last ``priority_burst`` calls (default 2) were
all priority tickets, its next call takes an ordinary ticket if one is waiting for it.
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from hub.auth.access import Principal, hash_token
from hub.auth.audit import audit
from hub.errors import ApiError
from hub.queue.priority import REASONS
from hub.queue.state import QueueState, Ticket
from hub.queue.writer import Tx

# Who may go first (the kiosk offers one button each); kept with the ticket for staff and reports.
# Each office accepts some or all of them (hub.queue.priority).
PRIORITY_REASONS = REASONS
CANCEL_WINDOW_S = 120  # a kiosk may cancel its own ticket this long after printing it


def new_ticket_token() -> str:
    """An unguessable ticket token (128 random bits), what the ticket's QR code carries."""
    return secrets.token_urlsafe(16)


def conflict(message: str) -> ApiError:
    """A 409 ``conflict``: the ticket or counter is not in a state that allows the action."""
    return ApiError(409, "conflict", message)


def save(tx: Tx, t: Ticket, **cols: Any) -> None:
    """Change ``cols`` of ticket ``t`` and have its row written with the batch.

    Take a waiting ticket out of its line first if a column that places it changes.
    """
    t.update(cols)
    tx.save_ticket(t)


class QueueEngine:
    """Ticket and day operations over the live state, with the office's policy settings."""

    def __init__(self, state: QueueState, public_url: str) -> None:
        self.state = state
        self.clock = state.clock
        self.public_url = public_url.rstrip("/")

    # --- days ------------------------------------------------------------------------------

    def ensure_day(self, tx: Tx, p: Principal | None = None) -> str:
        """Today's business day, recorded (with a ``day.opened`` event) on its first use."""
        s = self.state
        if not s.day_known:
            tx.defer("INSERT INTO days (day, opened_at) VALUES (?, ?)", (s.day, tx.now))
            s.day_known = True
            tx.emit("day.opened", {"day": s.day, "by": p.by() if p else None})
        return s.day

    def open_day(self, tx: Tx, p: Principal) -> dict[str, Any]:
        """Open today (again, if it was closed)."""
        s = self.state
        if s.day_known and not s.day_closed:
            raise conflict(f"day {s.day} is already open")
        if s.day_known:
            tx.defer("UPDATE days SET closed_at = NULL WHERE day = ?", (s.day,))
        else:
            tx.defer("INSERT INTO days (day, opened_at) VALUES (?, ?)", (s.day, tx.now))
        s.day_known, s.day_closed = True, False
        tx.emit("day.opened", {"day": s.day, "by": p.by()})
        audit(tx, p, "day.open", s.day)
        return {"day": s.day}

    def close_day(self, tx: Tx, p: Principal) -> dict[str, Any]:
        """Close today: no more tickets; those still waiting are cancelled (kept, not deleted)."""
        s = self.state
        if s.day_closed:
            raise conflict(f"day {s.day} is already closed")
        self.ensure_day(tx, p)
        tx.defer("UPDATE days SET closed_at = ? WHERE day = ?", (tx.now, s.day))
        waiting = [t for t in s.active.values() if t["state"] == "waiting"]
        for t in waiting:
            s.dequeue(t)
            s.retire(t)
            save(tx, t, state="cancelled", finished_at=tx.now)
        cancelled = len(waiting)
        s.day_closed = True
        tx.emit(
            "day.closed",
            {"day": s.day, "cancelled": cancelled, "services": s.services_view(tx.now),
             "by": p.by()},
        )  # fmt: skip
        audit(tx, p, "day.close", s.day, {"cancelled": cancelled})
        return {"day": s.day, "cancelled": cancelled}

    # --- tickets ---------------------------------------------------------------------------

    def issue(
        self, tx: Tx, p: Principal, service: str, priority: bool, reason: str | None,
        token: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Issue the next number of ``service``; the answer carries the ticket's secret token.

        Callers may draw ``token`` (:func:`new_ticket_token`) before handing the operation to
        the writer: reading the system's randomness would otherwise pause the writer thread.
        """
        s = self.state
        if service not in s.services:
            raise ApiError(404, "not_found", f"no service {service!r}", "service")
        state = s.service_state(service, tx.now)
        if state == "closed":
            raise ApiError(409, "service_closed", f"service {service} is not issuing tickets now")
        if state == "full":
            raise ApiError(409, "service_full", f"service {service} reached its daily limit")
        self.ensure_day(tx, p)
        svc = s.services[service]
        seq = s.next_seq(service)
        number = svc["prefix"] + str(svc["number_start"] + seq - 1).zfill(svc["digits"])
        token = token or new_ticket_token()
        t: Ticket = {
            "day": s.day, "service": service, "seq": seq, "number_service": service,
            "number": number, "token_hash": hash_token(token), "state": "waiting",
            "priority": int(priority), "priority_reason": reason, "head": 0,
            "target_counter": None, "queued_at": tx.now, "counter": None, "issued_at": tx.now,
            "called_at": None, "started_at": None, "finished_at": None, "recalls": 0,
            "issued_by_device": p.device_id, "id": s.next_ticket_id,
        }  # fmt: skip
        s.next_ticket_id += 1
        tx.save_ticket(t)
        s.seq[service] = seq
        s.active[t["id"]] = t
        s.enqueue(t)
        view = s.ticket_view(t)
        tx.emit(
            "ticket.issued",
            {"ticket": view, "services": [s.service_view(service, tx.now)], "by": p.by()},
        )
        audit(tx, p, "ticket.issue", number, {"ticket_id": t["id"], "priority": priority})
        # The reason is the citizen's (age, disability, pregnancy…): it goes back to the kiosk
        # that asked and into the database for staff, never onto public streams and pages.
        return {
            **view, "priority_reason": reason, "token": token,
            "status_url": f"{self.public_url}/t/{token}",
        }  # fmt: skip

    def find(self, conn: sqlite3.Connection, ticket_id: int) -> Ticket:
        """A ticket from the live state, or its row; 404 if there is none."""
        t = self.state.recently(ticket_id)
        if t is not None:
            return t
        row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise ApiError(404, "not_found", f"no ticket {ticket_id}")
        return dict(row)

    def cancel(self, tx: Tx, p: Principal, ticket_id: int) -> dict[str, Any]:
        """Cancel a waiting or called ticket; a kiosk only its own, shortly after issuing it."""
        t = self.find(tx.read, ticket_id)
        if p.role == "kiosk" and (
            t["issued_by_device"] != p.device_id or tx.now - t["issued_at"] > CANCEL_WINDOW_S
        ):
            raise ApiError(
                403, "forbidden", "a kiosk may cancel only its own ticket, within 2 minutes"
            )
        if t["state"] not in ("waiting", "called"):
            raise conflict(
                f"ticket {t['number']} is {t['state']}; only a waiting or called one can be"
                " cancelled"
            )
        s = self.state
        counter = t["counter"] if t["state"] == "called" else None
        if t["id"] in s.active:
            if t["state"] == "waiting":
                s.dequeue(t)
            elif s.current.get(t["counter"]) == t["id"]:
                del s.current[t["counter"]]
            s.retire(t)
        save(tx, t, state="cancelled", finished_at=tx.now)
        return self.ticket_event(tx, p, t, "ticket.cancelled", counter)

    def requeue(self, tx: Tx, p: Principal, ticket_id: int) -> dict[str, Any]:
        """A no-show who came back goes to the back of its service's line, keeping its number."""
        t = self.find(tx.read, ticket_id)
        if t["state"] != "no_show":
            raise conflict(f"ticket {t['number']} is {t['state']}, not a no-show")
        if t["day"] != self.state.day:
            raise conflict(f"ticket {t['number']} is from {t['day']}, not today")
        cols = {"state": "waiting", "queued_at": tx.now, "head": 0, "counter": None,
                "target_counter": None, "called_at": None, "finished_at": None}  # fmt: skip
        save(tx, t, **cols)
        self.state.closed.pop(t["id"], None)
        self.state.active[t["id"]] = t
        self.state.enqueue(t)
        return self.ticket_event(tx, p, t, "ticket.requeued", None)

    def ticket_event(
        self, tx: Tx, p: Principal, t: Ticket, type_: str, counter: int | None,
        extra_services: tuple[str, ...] = (),
    ) -> dict[str, Any]:  # fmt: skip
        """Emit ``type_`` for ticket ``t`` (with its counter and services) and audit it."""
        s = self.state
        view = s.ticket_view(t)
        payload: dict[str, Any] = {"ticket": view}
        counter_view = None
        if counter is not None and counter in s.counters:
            counter_view = s.counter_view(counter)
            payload["counter"] = counter_view
        codes = [t["service"], *extra_services]
        payload["services"] = s.services_view(tx.now, codes)
        payload["by"] = p.by()
        tx.emit(type_, payload)
        audit(tx, p, type_, t["number"], {"ticket_id": t["id"]})
        return {"ticket": view, "counter": counter_view} if counter is not None else view

    def ticket_by_token(self, conn: sqlite3.Connection, token: str) -> dict[str, Any] | None:
        """The ticket a public token belongs to, with its token and status URL (state locked)."""
        row = conn.execute(
            "SELECT * FROM tickets WHERE token_hash = ?", (hash_token(token),)
        ).fetchone()
        if row is None:
            return None
        t = self.state.recently(row["id"]) or dict(row)
        view = self.state.ticket_view(t)
        return {**view, "token": token, "status_url": f"{self.public_url}/t/{token}"}
