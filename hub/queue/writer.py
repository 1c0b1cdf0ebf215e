"""The single writer: every state change runs here, in batches committed together (group commit).

Request threads hand an operation (a function of a :class:`Tx`) to :meth:`Writer.run` and wait.
The writer thread takes every operation queued at that moment, runs them one after another in
one ``BEGIN IMMEDIATE`` transaction, commits once (one fsync for the batch, ``synchronous=FULL``)
and only then wakes the callers. So:

- an answer is sent only after its change is on disk (``kill -9`` loses nothing acknowledged);
- numbers come from one thread in one order (concurrent clients never duplicate or skip one);
- an operation that fails leaves nothing behind (its writes are dropped or rolled back);
- events reach the in-memory bus after the commit, in id order, so a subscriber never sees an
  event that a crash could take back.

Throughput comes from doing little per operation in this thread: the hot operations (issue,
call) only *defer* their rows (:meth:`Tx.save_ticket`, :meth:`Tx.emit`, :meth:`Tx.defer`), and
the batch writes them with a few multi-row statements before its commit. Every SQLite call lets
other threads take the GIL, and getting it back is what costs, so fewer calls is faster.
An operation that needs the connection itself uses :attr:`Tx.conn`, which opens a savepoint
for it so that its direct writes roll back if it fails; :attr:`Tx.read` is for reads.
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hub import db
from hub.clock import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BATCH = 128
ROWS_PER_STATEMENT = 200  # well under SQLite's bound-parameter limit
TICKET_COLUMNS = (
    "id", "day", "service", "seq", "number_service", "number", "token_hash", "state",
    "priority", "priority_reason", "head", "target_counter", "queued_at", "counter",
    "issued_at", "called_at", "started_at", "finished_at", "recalls", "issued_by_device",
)  # fmt: skip


class Event:
    """One committed event: id, type, topic, and the SSE message as bytes, rendered once and
    sent as-is to every subscriber (the JSON is not kept twice: the ring holds thousands)."""

    __slots__ = ("id", "sse", "topic", "type")

    def __init__(self, id: int, type: str, topic: str, data: str) -> None:
        self.id = id
        self.type = type
        self.topic = topic
        self.sse = f"id: {id}\nevent: {type}\ndata: {data}\n\n".encode()

    @property
    def data(self) -> str:
        """The JSON sent as ``data``."""
        return self.sse.decode().split("\ndata: ", 1)[1][:-2]


def event_json(event_id: int, type_: str, at: str, payload: str) -> str:
    """The ``data`` JSON: id, type and at first, then the stored payload's keys."""
    head = json.dumps({"id": event_id, "type": type_, "at": at}, ensure_ascii=False)
    if payload == "{}":
        return head
    return head[:-1] + ", " + payload[1:]


class _Batch:
    """What the operations of one batch have deferred, written just before its commit."""

    def __init__(self, next_event_id: int) -> None:
        self.next_event_id = next_event_id
        self.tickets: dict[int, dict[str, Any]] = {}
        self.events: list[tuple[Event, str, str]] = []  # (event, at, payload)
        self.statements: list[tuple[str, tuple[Any, ...]]] = []
        self.rows: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]] = {}
        self.memo: dict[Any, Any] = {}  # per-batch lookups, e.g. idempotency answers
        self.after_commit: list[Callable[[], None]] = []


class Tx:
    """One operation's view of its batch: connection, clock, time, and deferred writes."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock, now: float, batch: _Batch) -> None:
        self.read = conn  # for reads; writes through :attr:`conn` or the deferring methods
        self.clock = clock
        self.now = now
        self.batch = batch
        self.savepoint = False
        self.tickets: dict[int, dict[str, Any]] = {}
        self.events: list[tuple[Event, str, str]] = []
        self.statements: list[tuple[str, tuple[Any, ...]]] = []
        self.rows: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]] = {}
        self.after_commit: list[Callable[[], None]] = []
        self.memo: dict[Any, Any] = {}
        self._first_event_id = batch.next_event_id

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection, for writes that cannot wait; rolled back if the operation fails."""
        if not self.savepoint:
            self.read.execute("SAVEPOINT op")
            self.savepoint = True
        return self.read

    def emit(self, type_: str, payload: dict[str, Any]) -> Event:
        """Append an event to the persistent log (published once the batch commits)."""
        at = self.clock.iso(self.now) or ""
        body = json.dumps(payload, ensure_ascii=False, separators=(", ", ": "))
        event_id = self.batch.next_event_id
        self.batch.next_event_id += 1
        topic = type_.split(".", 1)[0]
        event = Event(event_id, type_, topic, event_json(event_id, type_, at, body))
        self.events.append((event, at, body))
        return event

    def save_ticket(self, ticket: dict[str, Any]) -> None:
        """Write this ticket's row (as it is when the batch commits)."""
        self.tickets[ticket["id"]] = ticket

    def defer(self, sql: str, params: tuple[Any, ...]) -> None:
        """Run a statement just before the batch commits."""
        self.statements.append((sql, params))

    def insert(self, table: str, columns: tuple[str, ...], row: tuple[Any, ...]) -> None:
        """Insert a row with the batch (rows of one table go in one multi-row statement)."""
        self.rows.setdefault((table, columns), []).append(row)

    def _merge(self) -> None:
        b = self.batch
        for key, rows in self.rows.items():
            b.rows.setdefault(key, []).extend(rows)
        b.tickets.update(self.tickets)
        b.events += self.events
        b.statements += self.statements
        b.after_commit += self.after_commit
        b.memo.update(self.memo)

    def _discard(self) -> None:
        self.batch.next_event_id = self._first_event_id  # keep event ids dense


class _Job:
    """One operation and its answer; ``done`` is held until the writer has an answer (a bare
    lock is the cheapest thing to block on: an Event builds a Condition per wait)."""

    __slots__ = ("done", "error", "fn", "result")

    def __init__(self, fn: Callable[[Tx], Any]) -> None:
        self.fn = fn
        self.done = threading.Lock()
        self.done.acquire()
        self.result: Any = None
        self.error: BaseException | None = None


class Writer:
    """Owns the one write connection and the thread that batches operations into commits."""

    def __init__(
        self,
        path: Path | str,
        clock: Clock,
        publish: Callable[[list[Event]], None] = lambda events: None,
        *,
        lock: threading.RLock | None = None,
        before_batch: Callable[[sqlite3.Connection, float, bool], None] | None = None,
        on_failure: Callable[[], None] = lambda: None,
        idle_s: float = 1.0,
    ) -> None:
        """``lock`` is held from BEGIN until the batch's events are published; ``before_batch``
        runs first inside the transaction (and every ``idle_s`` when idle, outside one), told
        whether another connection changed the file; ``on_failure`` hears of failed writes."""
        self.path = Path(path)
        self.clock = clock
        self._publish = publish
        self._lock_batch = lock or threading.RLock()
        self._before = before_batch
        self._on_failure = on_failure
        self._idle_s = idle_s
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._version: int | None = None
        self._next_event_id = 1
        # Runs after the batch's rows are written, before its commit, in its transaction: what
        # must be recorded with the change or not at all (the outbox, hub.outbox.store).
        self.before_commit: Callable[[sqlite3.Connection, _Batch], None] | None = None
        self.batches = 0  # for the benchmark's curiosity
        self.jobs = 0
        self.busy_s = 0.0

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
        if not job.done.acquire(timeout=timeout):
            raise TimeoutError("the database writer did not answer in time")
        if job.error is not None:
            raise job.error
        return job.result

    def _loop(self) -> None:
        conn = db.connect(self.path)
        # Its batches touch the newest pages of a few tables: 512 KB of cache holds them, and
        # the default 2 MB measured no faster but cost the hub 3 MB of its 80 MB budget.
        conn.execute("PRAGMA cache_size=-512")
        # Other parts (the dossier cache, the CLI) write too: wait for them rather than fail.
        conn.execute("PRAGMA busy_timeout=20000")
        # Checkpoints copy the WAL into the file and fsync it: tens to hundreds of milliseconds
        # that must not land inside a commit someone is waiting for. Another thread does them.
        conn.execute("PRAGMA wal_autocheckpoint=0")
        checkpointer = threading.Thread(
            target=self._checkpoints, name="motcua-checkpoint", daemon=True
        )
        checkpointer.start()
        try:
            while True:
                try:
                    job = self._queue.get(timeout=self._idle_s)
                except queue.Empty:
                    self._idle(conn)
                    continue
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
                began = time.perf_counter()
                with self._lock_batch:
                    events = self._commit(conn, batch)
                    for done in batch:  # answer first: the callers need not wait for fan-out
                        done.done.release()
                    if events:  # still under the lock, so /state and the stream agree
                        self._publish(events)
                self.busy_s += time.perf_counter() - began
                if stop:
                    return
        finally:
            conn.close()

    def _checkpoints(self, every_s: float = 1.0) -> None:
        """Fold the WAL back into the database file in the background (PASSIVE: never waits
        for, nor blocks, the writer or the readers)."""
        conn = db.connect(self.path)
        conn.execute("PRAGMA cache_size=-64")  # it copies pages, it does not need to keep them
        try:
            while self._thread is not None:
                time.sleep(every_s)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    log.exception("checkpoint failed")
        finally:
            conn.close()

    def _changed(self, conn: sqlite3.Connection) -> bool:
        """Whether another connection committed since we last looked (and resync the ids)."""
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        changed = version != self._version
        if changed:
            self._version = version
            self._next_event_id = (
                1 + conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
            )
        return changed

    def _idle(self, conn: sqlite3.Connection) -> None:
        """Nothing to write: let the state notice a new day or another writer's change."""
        with self._lock_batch:
            try:
                changed = self._changed(conn)
                if self._before is not None:
                    self._before(conn, self.clock.now(), changed)
            except Exception:
                log.exception("idle refresh failed")
                self._on_failure()

    def _commit(self, conn: sqlite3.Connection, jobs: list[_Job]) -> list[Event]:
        """Run and commit a batch; the committed events, to publish."""
        now = self.clock.now()
        batch = _Batch(self._next_event_id)
        try:
            conn.execute("BEGIN IMMEDIATE")
            changed = self._changed(conn)
            batch.next_event_id = self._next_event_id
            if self._before is not None:
                self._before(conn, now, changed)
            for job in jobs:
                self._run_job(conn, job, Tx(conn, self.clock, now, batch))
            self._flush(conn, batch)
            if self.before_commit is not None:
                self.before_commit(conn, batch)
            conn.execute("COMMIT")
        except BaseException as exc:  # the batch itself failed: nobody's change counts
            log.exception("write batch failed")
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for job in jobs:
                if job.error is None:
                    job.error = exc
            self._on_failure()
            self._version = None  # re-read the event ids next time
            return []
        self._next_event_id = batch.next_event_id
        self.batches += 1
        self.jobs += len(jobs)
        for action in batch.after_commit:
            try:
                action()
            except Exception:
                log.exception("after-commit action failed")
        return [event for event, _, _ in batch.events]

    def _run_job(self, conn: sqlite3.Connection, job: _Job, tx: Tx) -> None:
        changes = conn.total_changes
        try:
            job.result = job.fn(tx)
        except BaseException as exc:  # the operation's own failure, answered to its caller
            job.error = exc
            tx._discard()
            if tx.savepoint:
                conn.execute("ROLLBACK TO op")
            if conn.total_changes != changes or tx.tickets or tx.events or tx.rows:
                self._on_failure()  # it may have changed live state: resync from the file
        else:
            tx._merge()
        finally:
            if tx.savepoint:
                conn.execute("RELEASE op")

    @staticmethod
    def _flush(conn: sqlite3.Connection, batch: _Batch) -> None:
        """Write the batch's deferred rows with a few multi-row statements."""
        for sql, params in batch.statements:
            conn.execute(sql, params)
        for (table, columns), rows in batch.rows.items():
            _insert_many(conn, table, columns, rows)
        tickets = [tuple(t[c] for c in TICKET_COLUMNS) for t in batch.tickets.values()]
        updates = ", ".join(f"{c} = excluded.{c}" for c in TICKET_COLUMNS[1:])
        _insert_many(
            conn, "tickets", TICKET_COLUMNS, tickets, f" ON CONFLICT (id) DO UPDATE SET {updates}"
        )
        events = [(e.id, at, e.type, e.topic, body) for e, at, body in batch.events]
        _insert_many(conn, "events", ("id", "at", "type", "topic", "payload"), events)


def _insert_many(
    conn: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
    suffix: str = "",
) -> None:  # fmt: skip
    """INSERT ``rows`` with as few statements as the parameter limit allows."""
    one = "(" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(chunk))}"
            + suffix,
            [value for row in chunk for value in row],
        )
