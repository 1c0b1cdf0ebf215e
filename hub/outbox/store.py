"""The outbox table: items queued in the writer's transaction, read and marked by the delivery.

:meth:`OutboxStore.record` is the queue writer's ``before_commit`` hook: it runs inside the
batch's transaction, after the batch's events are written, so an item exists exactly when the
change it reports does (a ``kill -9`` can neither lose one nor invent one). For the batch's
events it is one ``INSERT … SELECT`` statement; only a day's opening or closing does more (the
daily summary). Marking items delivered or refused goes through the writer too (one writer).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from typing import Any

from hub.outbox import payloads
from hub.queue.writer import Tx, _Batch

_TOPICS = ", ".join(f"'{t}'" for t in payloads.TOPICS)
_RECORD = (
    "INSERT INTO outbox (created_at, type, event_id) SELECT ?, type, id FROM events"
    f" WHERE id BETWEEN ? AND ? AND topic IN ({_TOPICS}) ORDER BY id"
)
PENDING = "delivered_at IS NULL AND failed_at IS NULL"


def hub_identity(conn: sqlite3.Connection, now: float) -> tuple[str, float]:
    """This hub's id (made once, kept in its database) and when its outbox started."""
    for key, value in (("hub_id", uuid.uuid4().hex), ("outbox_since", repr(now))):
        conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", (key, value))
    found = dict(
        conn.execute("SELECT key, value FROM settings WHERE key IN ('hub_id', 'outbox_since')")
    )
    return found["hub_id"], float(found["outbox_since"])


class OutboxStore:
    """Queues, reads and marks outbox items."""

    def __init__(self, since: float, clock: Callable[[], float], wake: Callable[[], None]) -> None:
        """``since``: days opened before it are not summarized; ``wake``: tell the delivery."""
        self.since = since
        self.clock = clock
        self.wake = wake

    # --- in the writer's transaction ----------------------------------------------------------

    def record(self, conn: sqlite3.Connection, batch: _Batch) -> None:
        """Queue an item per reported event of ``batch``, and the daily summaries it calls for."""
        events = batch.events
        if not events:
            return
        now = self.clock()
        conn.execute(_RECORD, (now, events[0][0].id, events[-1][0].id))
        for event, _at, body in events:
            if event.topic == "day":  # once or twice a day: the rest of the loop is a compare
                day = json.loads(body)["day"]
                if event.type == "day.closed":
                    self._summary(conn, day, now, closed=True)
                elif event.type == "day.opened":
                    self._earlier_days(conn, day, now)
        batch.after_commit.append(self.wake)

    def _earlier_days(self, conn: sqlite3.Connection, day: str, now: float) -> None:
        """A new day opened: summarize the days before it that nobody closed."""
        days = conn.execute(
            "SELECT day FROM days WHERE day < ? AND opened_at >= ?"
            " AND day NOT IN (SELECT day FROM outbox_days) ORDER BY day",
            (day, self.since),
        ).fetchall()
        for (earlier,) in days:
            self._summary(conn, earlier, now, closed=False)

    def _summary(self, conn: sqlite3.Connection, day: str, now: float, closed: bool) -> None:
        row = conn.execute("SELECT revision FROM outbox_days WHERE day = ?", (day,)).fetchone()
        revision = 1 + (row[0] if row else 0)
        conn.execute(
            "INSERT INTO outbox_days (day, revision) VALUES (?, ?)"
            " ON CONFLICT (day) DO UPDATE SET revision = excluded.revision",
            (day, revision),
        )
        data = payloads.day_summary(conn, day, revision, closed)
        conn.execute(
            "INSERT INTO outbox (created_at, type, payload) VALUES (?, ?, ?)",
            (now, payloads.SUMMARY, json.dumps(data, ensure_ascii=False)),
        )


def pending(conn: sqlite3.Connection, limit: int) -> list[sqlite3.Row]:
    """The oldest undelivered items, with the columns of the events they report."""
    return conn.execute(
        "SELECT o.id, o.created_at, o.type, o.event_id, o.payload, e.at AS event_at,"
        " e.type AS event_type, e.payload AS event_payload"
        " FROM outbox o LEFT JOIN events e ON e.id = o.event_id"
        " WHERE o.delivered_at IS NULL AND o.failed_at IS NULL ORDER BY o.id LIMIT ?",
        (limit,),
    ).fetchall()


def mark_delivered(ids: list[int]) -> Callable[[Tx], None]:
    """A writer operation: the back end has these items."""

    def op(tx: Tx) -> None:
        marks = ", ".join("?" * len(ids))
        tx.defer(f"UPDATE outbox SET delivered_at = ? WHERE id IN ({marks})", (tx.now, *ids))

    return op


def mark_failed(item_id: int, error: str) -> Callable[[Tx], None]:
    """A writer operation: the back end refused this item as malformed; keep it, stop trying."""

    def op(tx: Tx) -> None:
        sql = "UPDATE outbox SET failed_at = ?, error = ? WHERE id = ?"
        tx.defer(sql, (tx.now, error[:500], item_id))

    return op


def requeue_failed(tx: Tx) -> int:
    """Put every refused item back in line (the back end was fixed); how many."""
    cursor = tx.conn.execute(
        "UPDATE outbox SET failed_at = NULL, error = NULL WHERE failed_at IS NOT NULL"
    )
    return cursor.rowcount


def prune(before: float, limit: int = 2000) -> Callable[[Tx], int]:
    """A writer operation: forget up to ``limit`` items delivered before ``before``."""

    def op(tx: Tx) -> int:
        return tx.conn.execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE delivered_at < ?"
            " ORDER BY id LIMIT ?)",
            (before, limit),
        ).rowcount

    return op


def backlog(conn: sqlite3.Connection) -> dict[str, Any]:
    """What waits: how many items, since when, and how many were refused."""
    waiting, oldest = conn.execute(
        f"SELECT count(*), min(created_at) FROM outbox WHERE {PENDING}"
    ).fetchone()
    failed = conn.execute("SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL").fetchone()[0]
    return {"pending": waiting, "oldest_at": oldest, "failed": failed}


def failed_items(conn: sqlite3.Connection, limit: int = 20) -> list[dict[str, Any]]:
    """The most recently refused items: id, type, when queued and refused, and why."""
    rows = conn.execute(
        "SELECT id, type, created_at, failed_at, error FROM outbox WHERE failed_at IS NOT NULL"
        " ORDER BY failed_at DESC, id DESC LIMIT ?",
        (limit,),
    )
    return [dict(row) for row in rows]
