"""What the outbox sends: each item's JSON, the daily summary, and the request body.

Every item is ``{"key", "type", "at", "data"}`` (documented in ``hub/API.md``, "Outbox
payloads"). Building an item reads only rows that never change once written (the event log, a
rating, a stored summary), so a retry sends the very same bytes under the same key.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from typing import Any

from hub.queue.writer import event_json

SUMMARY = "day.summary"
RATING = "rating.created"
# The event topics the province is sent (notices, dossiers and procedures are not the office's
# work: the back end is where dossiers come from).
TOPICS = ("ticket", "counter", "day", "rating")


def item_key(hub_id: str, item_id: int, created_at: float) -> str:
    """The item's idempotency key: stable across retries and restarts, unique across hubs, and
    not reused by a hub restored from a backup (the creation time differs, to the millisecond)."""
    return f"{hub_id}-{item_id}-{int(created_at * 1000)}"


def batch_key(keys: list[str]) -> str:
    """The ``Idempotency-Key`` header of a request: the one item's key, or a digest of the
    batch's keys (the same batch retried carries the same header)."""
    if len(keys) == 1:
        return keys[0]
    return "batch-" + hashlib.sha256("\n".join(keys).encode()).hexdigest()[:40]


def body(hub: dict[str, Any], items: list[dict[str, Any]]) -> bytes:
    """The request body: who sends, and the items, oldest first."""
    return json.dumps({"hub": hub, "items": items}, ensure_ascii=False).encode()


def build_items(
    conn: sqlite3.Connection, rows: list[sqlite3.Row], hub_id: str, iso: Callable[[float], str]
) -> list[dict[str, Any]]:
    """The items of outbox ``rows`` (with the event columns joined), ready to send."""
    items = []
    for row in rows:
        if row["event_id"] is not None and row["event_type"] is not None:
            at = row["event_at"]
            stored = row["event_payload"]
            data = json.loads(event_json(row["event_id"], row["event_type"], at, stored))
            if row["type"] == RATING:  # the public stream hides the level; the province needs it
                data = rating_data(conn, data)
        elif row["payload"] is not None:
            data = json.loads(row["payload"])
            at = iso(row["created_at"])
        else:  # its event is gone (a database restored under it): say so rather than guess
            data = {"missing_event": row["event_id"]}
            at = iso(row["created_at"])
        key = item_key(hub_id, row["id"], row["created_at"])
        items.append({"key": key, "type": row["type"], "at": at, "data": data})
    return items


def rating_data(conn: sqlite3.Connection, event: dict[str, Any]) -> dict[str, Any]:
    """A rating as the back end wants it: level, ticket, service, counter and clerk."""
    ticket_id = (event.get("rating") or {}).get("ticket_id")
    row = conn.execute(
        "SELECT r.level, r.counter, r.clerk, t.number, t.service, t.day"
        " FROM ratings r JOIN tickets t ON t.id = r.ticket_id WHERE r.ticket_id = ?",
        (ticket_id,),
    ).fetchone()
    if row is None:
        return event
    return {
        "id": event["id"], "ticket_id": ticket_id, "number": row["number"],
        "service": row["service"], "day": row["day"], "counter": row["counter"],
        "clerk": row["clerk"], "level": row["level"],
    }  # fmt: skip


def _mean(total: float | None, count: int) -> int | None:
    return None if not count or total is None else round(total / count)


def day_summary(conn: sqlite3.Connection, day: str, revision: int, closed: bool) -> dict[str, Any]:
    """Business day ``day`` in figures: per service and counter, and its ratings.

    Waits run from issue to first call; service times from start (or call) to finish, of
    tickets served (``done``). Backfilled paper tickets count, and are counted apart too.
    """
    services = []
    for r in conn.execute(
        "SELECT service, count(*) AS issued,"
        " sum(state = 'done') AS served, sum(state = 'no_show') AS no_show,"
        " sum(state = 'cancelled') AS cancelled,"
        " sum(state IN ('waiting', 'called', 'serving')) AS unfinished,"
        " sum(priority) AS priority, sum(origin != 'hub') AS offline_or_paper,"
        " sum(called_at - issued_at) AS wait_total, count(called_at) AS waits,"
        " sum(CASE WHEN state = 'done' THEN finished_at - coalesce(started_at, called_at) END)"
        "   AS service_total"
        " FROM tickets WHERE day = ? GROUP BY service ORDER BY service",
        (day,),
    ):
        services.append({
            "service": r["service"], "issued": r["issued"], "served": r["served"],
            "no_show": r["no_show"], "cancelled": r["cancelled"], "unfinished": r["unfinished"],
            "priority": r["priority"], "offline_or_paper": r["offline_or_paper"],
            "mean_wait_s": _mean(r["wait_total"], r["waits"]),
            "mean_service_s": _mean(r["service_total"], r["served"]),
        })  # fmt: skip
    counters = [
        {"counter": r[0], "served": r[1]}
        for r in conn.execute(
            "SELECT counter, count(*) FROM tickets WHERE day = ? AND state = 'done'"
            " AND counter IS NOT NULL GROUP BY counter ORDER BY counter",
            (day,),
        )
    ]
    levels = dict(
        conn.execute(
            "SELECT r.level, count(*) FROM ratings r JOIN tickets t ON t.id = r.ticket_id"
            " WHERE t.day = ? GROUP BY r.level",
            (day,),
        ).fetchall()
    )
    count = sum(levels.values())
    ratings = {
        "count": count,
        "by_level": {str(level): levels.get(level, 0) for level in range(1, 6)},
        "mean": round(sum(k * v for k, v in levels.items()) / count, 2) if count else None,
    }
    totals = {name: sum(s[name] or 0 for s in services)
              for name in ("issued", "served", "no_show", "cancelled")}  # fmt: skip
    return {"day": day, "revision": revision, "closed": closed, "totals": totals,
            "services": services, "counters": counters, "ratings": ratings}  # fmt: skip
