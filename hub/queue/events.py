"""The event stream: recent events in memory for fast fan-out, the event log for resume.

Subscribers wait on one :class:`threading.Condition`; the writer publishes each committed batch
once, already rendered as SSE bytes, so a hundred open streams cost a wake-up and a socket write
each, not a query each. A subscriber that asks for events older than the ring holds (a display
back after a hub restart, say) reads them from the ``events`` table first, then joins the ring.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager

from flask import Blueprint, Flask, Response, current_app, request

from hub.digits import parse_digits
from hub.errors import bad_request
from hub.queue.writer import Event, event_json

RING_SIZE = 1024  # about 2 MB of rendered events; older ones come from the log
TOPICS = ("ticket", "counter", "day", "notice", "rating", "dossier", "procedure", "office",
          "alert")  # fmt: skip
COALESCE_S = 0.004
BACKLOG_PAGE = 16  # events read from the log per step by a lagging subscriber


class EventBus:
    """At least the last :data:`RING_SIZE` committed events, and a condition to wait for more."""

    def __init__(self, last_id: int = 0, size: int = RING_SIZE) -> None:
        self._cond = threading.Condition()
        self._ring: list[Event] = []
        self._size = size
        self.last_id = last_id
        self.closed = False
        self.streams = 0  # open event streams
        # Called after each publish and on close, from the publishing thread: how streams on
        # an event loop (hub.queue.live) learn of new events without a thread of their own.
        self.listeners: list[Callable[[], None]] = []

    def close(self, wait_s: float = 2.0) -> None:
        """The hub is stopping: end every stream now (clients resume from their last id), and
        wait a little for their threads to let go, so the server can stop cleanly."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()
        for listener in list(self.listeners):
            listener()
        with self._cond:
            self._cond.wait_for(lambda: self.streams == 0, wait_s)

    def _opened(self, delta: int) -> None:
        with self._cond:
            self.streams += delta
            self._cond.notify_all()

    def publish(self, events: list[Event]) -> None:
        """Add committed events (in id order) and wake every waiting subscriber."""
        with self._cond:
            self._ring += events
            if len(self._ring) > 2 * self._size:  # trim in halves: amortized, no per-event cost
                del self._ring[: -self._size]
            self.last_id = max(self.last_id, events[-1].id)
            self._cond.notify_all()
        for listener in self.listeners:
            listener()

    def since(self, after: int) -> list[Event] | None:
        """Events with id > ``after`` from memory; None when some are older than the ring."""
        with self._cond:
            if after >= self.last_id:
                return []
            ring = self._ring
            if not ring or ring[0].id > after + 1:
                return None
            # ids are dense and ordered, so the position is arithmetic, not a search.
            start = after + 1 - ring[0].id
            if 0 <= start < len(ring) and ring[start].id == after + 1:
                return ring[start:]
            return [e for e in ring if e.id > after]  # not dense (should not happen): filter

    def wait(self, after: int, timeout: float) -> bool:
        """Block until an event newer than ``after`` exists; False if ``timeout`` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: self.last_id > after or self.closed, timeout)


def load_after(conn: sqlite3.Connection, after: int, limit: int = BACKLOG_PAGE) -> list[Event]:
    """Events with id > ``after`` from the persistent log, oldest first."""
    rows = conn.execute(
        "SELECT id, at, type, topic, payload FROM events WHERE id > ? ORDER BY id LIMIT ?",
        (after, limit),
    ).fetchall()
    return [Event(r[0], r[2], r[3], event_json(r[0], r[2], r[1], r[4])) for r in rows]


def last_event_id(conn: sqlite3.Connection) -> int:
    """The newest id in the event log (0 for an empty log)."""
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])


def _parse_topics(raw: str | None) -> frozenset[str] | None:
    if not raw:
        return None
    topics = frozenset(t.strip() for t in raw.split(",") if t.strip())
    unknown = sorted(topics - set(TOPICS))
    if unknown:
        raise bad_request(
            f"unknown topic(s) {', '.join(unknown)}; known: {', '.join(TOPICS)}", "topics"
        )
    return topics


def _parse_after(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    event_id = parse_digits(value)
    if event_id is None:
        raise bad_request(f"{name} must be a non-negative event id, not {value[:40]!r}", name)
    return event_id


def stream(
    bus: EventBus,
    borrow: Callable[[], AbstractContextManager[sqlite3.Connection]],
    after: int,
    topics: frozenset[str] | None,
    heartbeat_s: float,
) -> Iterator[bytes]:
    """The SSE byte stream of events after ``after``, filtered by topic, with heartbeats."""
    bus._opened(1)
    try:
        # Where this stream starts: an SSE message with an id and no data sets the client's
        # last id without firing an event. A client that asked to resume after an id the hub
        # never reached (its hub was restored from a backup) learns here that the log went back.
        yield f"retry: 2000\nid: {after}\n\n".encode()
        while not bus.closed:
            events: Iterable[Event] | None = bus.since(after)
            if events is None:  # older than the ring: read the log
                with borrow() as conn:
                    events = load_after(conn, after)
            if events:
                # A lagging reader takes its backlog in slices: memory stays bounded per stream.
                events = events[:BACKLOG_PAGE]
                chunk = b"".join(e.sse for e in events if topics is None or e.topic in topics)
                after = events[-1].id
                if chunk:
                    yield chunk
                    # Under a burst, gather what comes next into one write: a hundred streams
                    # waking for every single event would starve the hub of its one core.
                    time.sleep(COALESCE_S)
                continue
            if not bus.wait(after, heartbeat_s):
                yield b": heartbeat\n\n"
    finally:
        bus._opened(-1)


bp = Blueprint("events", __name__)


@bp.get("/api/v1/events")
def events_endpoint() -> Response:
    """SSE: ``?topics=ticket,counter``; resume with ``Last-Event-ID`` or ``?after=ID``."""
    topics = _parse_topics(request.args.get("topics"))
    # Both are checked even when the header wins: a bad value is an error either way.
    from_header = _parse_after(request.headers.get("Last-Event-ID"), "Last-Event-ID")
    from_query = _parse_after(request.args.get("after"), "after")
    after = from_query if from_header is None else from_header
    bus: EventBus = current_app.extensions["motcua.bus"]
    store = current_app.extensions["motcua.store"]
    if after is None or after > bus.last_id:
        # No resume point, or one from another database (a restored backup): from now on.
        after = bus.last_id
    settings = current_app.config["MOTCUA"]
    body = stream(bus, store.borrow, after, topics, settings.heartbeat_s)
    return Response(
        body,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        direct_passthrough=True,  # bytes straight to the server: no re-encoding per chunk
    )


def init_app(app: Flask) -> None:
    """Register the event stream endpoint."""
    app.register_blueprint(bp)
