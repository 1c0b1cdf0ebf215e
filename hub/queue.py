"""The queue engine: every ticket and counter operation, run inside the writer's transaction.

Each public method takes the :class:`~hub.writer.Tx` of its batch and the caller, checks that the
state allows the action (409 ``conflict`` naming the state otherwise), changes the rows, appends
its event and an audit line, and returns the API answer. Input has already been validated by the
API layer; state is checked here, inside the transaction, where it cannot change underneath.

Who is called next (:meth:`QueueEngine.pick`):

1. a ticket transferred to this very counter (oldest transfer first);
2. a ticket transferred to one of the counter's services (transfers go to the head of the line);
3. a priority ticket from the counter's services, in its order of preference, then oldest;
4. the oldest ordinary ticket, services again in the counter's order of preference.

Priority never starves the rest: once a counter's last ``priority_burst`` calls were all
priority tickets, the next call takes an ordinary ticket if one is waiting for that counter.
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from hub.audit import audit
from hub.auth import Principal, hash_token
from hub.errors import ApiError
from hub.views import Views
from hub.writer import Tx

CANCEL_WINDOW_S = 120  # a kiosk may cancel its own ticket this long after printing it


def conflict(message: str) -> ApiError:
    """A 409 ``conflict``: the ticket or counter is not in a state that allows the action."""
    return ApiError(409, "conflict", message)


class QueueEngine:
    """Ticket and counter operations over the views, with the office's policy settings."""

    def __init__(self, views: Views, public_url: str, priority_burst: int = 2) -> None:
        self.views = views
        self.clock = views.clock
        self.public_url = public_url.rstrip("/")
        self.priority_burst = priority_burst

    # --- days ------------------------------------------------------------------------------

    def ensure_day(self, tx: Tx, p: Principal | None = None) -> str:
        """Today's business day, opened (with a ``day.opened`` event) on its first use."""
        day = self.clock.day_of(tx.now)
        row = tx.conn.execute("SELECT closed_at FROM days WHERE day = ?", (day,)).fetchone()
        if row is None:
            tx.conn.execute("INSERT INTO days (day, opened_at) VALUES (?, ?)", (day, tx.now))
            tx.emit("day.opened", {"day": day, "by": p.by() if p else None})
        return day

    def open_day(self, tx: Tx, p: Principal) -> dict[str, Any]:
        """Open today (again, if it was closed)."""
        day = self.clock.day_of(tx.now)
        row = tx.conn.execute("SELECT closed_at FROM days WHERE day = ?", (day,)).fetchone()
        if row is not None and row[0] is None:
            raise conflict(f"day {day} is already open")
        if row is None:
            tx.conn.execute("INSERT INTO days (day, opened_at) VALUES (?, ?)", (day, tx.now))
        else:
            tx.conn.execute("UPDATE days SET closed_at = NULL WHERE day = ?", (day,))
        tx.emit("day.opened", {"day": day, "by": p.by()})
        audit(tx, p, "day.open", day)
        return {"day": day}

    def close_day(self, tx: Tx, p: Principal) -> dict[str, Any]:
        """Close today: no more tickets; tickets still waiting are cancelled (kept, not deleted)."""
        day = self.ensure_day(tx, p)
        row = tx.conn.execute("SELECT closed_at FROM days WHERE day = ?", (day,)).fetchone()
        if row[0] is not None:
            raise conflict(f"day {day} is already closed")
        tx.conn.execute("UPDATE days SET closed_at = ? WHERE day = ?", (tx.now, day))
        cancelled = tx.conn.execute(
            "UPDATE tickets SET state = 'cancelled', finished_at = ?"
            " WHERE day = ? AND state = 'waiting'",
            (tx.now, day),
        ).rowcount
        tx.emit("day.closed", {"day": day, "cancelled": cancelled, "by": p.by()})
        audit(tx, p, "day.close", day, {"cancelled": cancelled})
        return {"day": day, "cancelled": cancelled}

    # --- tickets ---------------------------------------------------------------------------

    def issue(
        self, tx: Tx, p: Principal, service: str, priority: bool, reason: str | None
    ) -> dict[str, Any]:
        """Issue the next number of ``service``; the answer carries the ticket's secret token."""
        conn = tx.conn
        svc = conn.execute("SELECT * FROM services WHERE code = ?", (service,)).fetchone()
        if svc is None:
            raise ApiError(404, "not_found", f"no service {service!r}", "service")
        day = self.ensure_day(tx, p)
        seq = conn.execute(
            "SELECT coalesce(max(seq), 0) FROM tickets WHERE day = ? AND number_service = ?",
            (day, service),
        ).fetchone()[0]
        state = self.views.service_state(conn, svc, day, seq)
        if state == "closed":
            raise ApiError(409, "service_closed", f"service {service} is not issuing tickets now")
        if state == "full":
            raise ApiError(409, "service_full", f"service {service} reached its daily limit")
        seq += 1
        number = svc["prefix"] + str(svc["number_start"] + seq - 1).zfill(svc["digits"])
        token = secrets.token_urlsafe(16)
        cur = conn.execute(
            "INSERT INTO tickets (day, service, seq, number_service, number, token_hash, state,"
            " priority, priority_reason, queued_at, issued_at, issued_by_device)"
            " VALUES (?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?)",
            (day, service, seq, service, number, hash_token(token), int(priority), reason,
             tx.now, tx.now, p.device_id),
        )  # fmt: skip
        ticket = self.views.ticket_by_id(conn, int(cur.lastrowid or 0))
        assert ticket is not None
        services = self.views.services(conn, day, [service])
        tx.emit("ticket.issued", {"ticket": ticket, "services": services, "by": p.by()})
        audit(tx, p, "ticket.issue", number, {"ticket_id": ticket["id"], "priority": priority})
        return {**ticket, "token": token, "status_url": f"{self.public_url}/t/{token}"}

    def _ticket(self, conn: sqlite3.Connection, ticket_id: int) -> sqlite3.Row:
        row = self.views.ticket_row(conn, ticket_id)
        if row is None:
            raise ApiError(404, "not_found", f"no ticket {ticket_id}")
        return row

    def cancel(self, tx: Tx, p: Principal, ticket_id: int) -> dict[str, Any]:
        """Cancel a waiting or called ticket; a kiosk only its own, shortly after issuing it."""
        row = self._ticket(tx.conn, ticket_id)
        if p.role == "kiosk" and (
            row["issued_by_device"] != p.device_id or tx.now - row["issued_at"] > CANCEL_WINDOW_S
        ):
            raise ApiError(
                403, "forbidden", "a kiosk may cancel only its own ticket, within 2 minutes"
            )
        if row["state"] not in ("waiting", "called"):
            raise conflict(
                f"ticket {row['number']} is {row['state']};"
                " only a waiting or called one can be cancelled"
            )
        tx.conn.execute(
            "UPDATE tickets SET state = 'cancelled', finished_at = ? WHERE id = ?",
            (tx.now, ticket_id),
        )
        return self._ticket_event(tx, p, ticket_id, "ticket.cancelled", row["counter"])

    def requeue(self, tx: Tx, p: Principal, ticket_id: int) -> dict[str, Any]:
        """A no-show who came back goes to the back of its service's line, keeping its number."""
        row = self._ticket(tx.conn, ticket_id)
        if row["state"] != "no_show":
            raise conflict(f"ticket {row['number']} is {row['state']}, not a no-show")
        if row["day"] != self.clock.day_of(tx.now):
            raise conflict(f"ticket {row['number']} is from {row['day']}, not today")
        tx.conn.execute(
            "UPDATE tickets SET state = 'waiting', queued_at = ?, head = 0, counter = NULL,"
            " target_counter = NULL, called_at = NULL, finished_at = NULL WHERE id = ?",
            (tx.now, ticket_id),
        )
        return self._ticket_event(tx, p, ticket_id, "ticket.requeued", None)

    def _ticket_event(
        self, tx: Tx, p: Principal, ticket_id: int, type_: str, counter: int | None,
        extra_services: tuple[str, ...] = (),
    ) -> dict[str, Any]:  # fmt: skip
        """Emit ``type_`` for the ticket (with its counter and services) and audit it."""
        conn = tx.conn
        row = self._ticket(conn, ticket_id)
        ticket = self.views.ticket(conn, row)
        day = row["day"]
        codes = list(dict.fromkeys([row["service"], *extra_services]))
        payload: dict[str, Any] = {"ticket": ticket}
        counter_view = None
        if counter is not None:
            counter_view = self.views.counter(conn, counter, day)
            payload["counter"] = counter_view
        payload["services"] = self.views.services(conn, day, codes)
        payload["by"] = p.by()
        tx.emit(type_, payload)
        audit(tx, p, type_.replace("ticket.", "ticket."), row["number"], {"ticket_id": ticket_id})
        if row["state"] == "done":
            tx.after_commit.append(lambda: self.views.estimator.forget(row["service"]))
        return {"ticket": ticket, "counter": counter_view} if counter is not None else ticket

    def ticket_by_token(self, conn: sqlite3.Connection, token: str) -> dict[str, Any] | None:
        """The ticket a public token belongs to, with its token and status URL."""
        row = conn.execute(
            "SELECT id FROM tickets WHERE token_hash = ?", (hash_token(token),)
        ).fetchone()
        if row is None:
            return None
        ticket = self.views.ticket_by_id(conn, row[0])
        assert ticket is not None
        return {**ticket, "token": token, "status_url": f"{self.public_url}/t/{token}"}
