"""The single writer: every state change runs here, in batches committed together (group commit).

Request threads hand an operation (a function of a :class:`Tx`) to :meth:`Writer.run` and wait.
The writer thread takes every operation queued at that moment, runs each inside its own SAVEPOINT
of one ``BEGIN IMMEDIATE`` transaction, commits once (one fsync for the whole batch, with
``synchronous=FULL``), and only then wakes the callers. So:

- an answer is sent only after its change is on disk (``kill -9`` loses nothing acknowledged);
- numbers come from one thread in one order (concurrent clients never duplicate or skip one);
- a failing operation rolls back its own savepoint and leaves the rest of the batch alone;
- events reach the in-memory bus after the commit, in id order, so a subscriber never sees an
  event that a crash could take back.
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from hub import db
from hub.clock import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BATCH = 128


@dataclass
class Event:
    """One committed event: its id, type, topic and the SSE bytes ready to send."""

    id: int
    type: str
    topic: str
    data: str  # the JSON object sent as ``data:``

    def sse(self) -> bytes:
        """The event as one SSE message."""
        return f"id: {self.id}\nevent: {self.type}\ndata: {self.data}\n\n".encode()


def event_json(event_id: int, type_: str, at: str, payload: str) -> str:
    """The ``data`` JSON: id, type and at first, then the stored payload's keys."""
    head = json.dumps({"id": event_id, "type": type_, "at": at}, ensure_ascii=False)
    if payload == "{}":
        return head
    return head[:-1] + ", " + payload[1:]


@dataclass
class Tx:
    """What an operation gets: the connection inside the batch's transaction, the clock, and
    a way to append events and after-commit actions that count only if it succeeds."""

    conn: sqlite3.Connection
    clock: Clock
    now: float
    events: list[Event] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def emit(self, type_: str, payload: dict[str, Any]) -> Event:
        """Append an event to the persistent log (published once the batch commits)."""
        at = self.clock.iso(self.now) or ""
        body = json.dumps(payload, ensure_ascii=False, separators=(", ", ": "))
        topic = type_.split(".", 1)[0]
        cur = self.conn.execute(
            "INSERT INTO events (at, type, topic, payload) VALUES (?, ?, ?, ?)",
            (at, type_, topic, body),
        )
        event = Event(
            int(cur.lastrowid or 0), type_, topic, event_json(cur.lastrowid, type_, at, body)
        )
        self.events.append(event)
        return event


class _Job:
    __slots__ = ("done", "error", "fn", "result")

    def __init__(self, fn: Callable[[Tx], Any]) -> None:
        self.fn = fn
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


class Writer:
    """Owns the one write connection and the thread that batches operations into commits."""

    def __init__(
        self,
        path: Path | str,
        clock: Clock,
        publish: Callable[[list[Event]], None] = lambda events: None,
    ) -> None:
        self.path = Path(path)
        self.clock = clock
        self._publish = publish
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0  # counters for the benchmark's curiosity
        self.jobs = 0

    def start(self) -> None:
        """Start the writer thread (idempotent)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="motcua-writer", daemon=True
                )
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Finish queued work and stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def run(self, fn: Callable[[Tx], T], timeout: float = 30.0) -> T:
        """Run ``fn`` in the next batch; return its result once committed, or raise its error."""
        if self._thread is None:
            self.start()
        job = _Job(fn)
        self._queue.put(job)
        if not job.done.wait(timeout):
            raise TimeoutError("the database writer did not answer in time")
        if job.error is not None:
            raise job.error
        return job.result

    def _loop(self) -> None:
        conn = db.connect(self.path)
        try:
            while True:
                job = self._queue.get()
                if job is None:
                    return
                batch = [job]
                stop = False
                while len(batch) < MAX_BATCH:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    batch.append(more)
                self._commit(conn, batch)
                if stop:
                    return
        finally:
            conn.close()

    def _commit(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        now = self.clock.now()
        committed: list[Event] = []
        actions: list[Callable[[], None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                tx = Tx(conn, self.clock, now)
                conn.execute("SAVEPOINT op")
                try:
                    job.result = job.fn(tx)
                except BaseException as exc:  # the operation's own failure, answered to its caller
                    conn.execute("ROLLBACK TO op")
                    job.error = exc
                finally:
                    conn.execute("RELEASE op")
                if job.error is None:
                    committed.extend(tx.events)
                    actions.extend(tx.after_commit)
            conn.execute("COMMIT")
        except BaseException as exc:  # the commit itself failed: nobody's change counts
            log.exception("write batch failed")
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for job in batch:
                if job.error is None:
                    job.error = exc
            committed, actions = [], []
        self.batches += 1
        self.jobs += len(batch)
        for action in actions:
            try:
                action()
            except Exception:
                log.exception("after-commit action failed")
        if committed:
            self._publish(committed)
        for job in batch:
            job.done.set()
