"""The hub's SQLite store: one file, WAL mode, schema versioned by migrations.

Connections are per thread (SQLite connections must not be shared across threads, and opening
one per request costs more than the request). Writes go through :meth:`Store.write`, which takes
one process-wide lock and an IMMEDIATE transaction, and commits before the caller answers, so an
acknowledged change survives ``kill -9`` and a power cut (``synchronous=FULL``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from flask import Flask, current_app

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # FULL: the WAL is synced at every commit, so an acknowledged write survives a power cut.
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)
# Reader connections are one per server thread (up to ~160): keep each page cache small; the
# hot data lives in the queue's memory, and the OS page cache holds the file anyway.
READER_CACHE = "PRAGMA cache_size=-256"


def connect(path: Path | str) -> sqlite3.Connection:
    """Open the database file with the hub's pragmas; autocommit so transactions are explicit."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=5.0)
    conn.row_factory = sqlite3.Row
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


def migration_files() -> list[tuple[str, str]]:
    """(name, sql) of every ``hub/migrations/NNNN_name.sql``, in name order."""
    folder = resources.files("hub") / "migrations"
    found = [(f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir()]
    return sorted((n, sql) for n, sql in found if n.endswith(".sql"))


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations this database has not seen; return the names applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
    )
    done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, sql in migration_files():
        if name in done:
            continue
        # executescript commits first, so wrap each migration in its own explicit transaction.
        record = f"INSERT INTO schema_migrations(name) VALUES ('{name}')"
        conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n;{record};\nCOMMIT;")
        applied.append(name)
    return applied


class Store:
    """Per-thread connections to one database file, and the single writer lock."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._pool: list[sqlite3.Connection] = []

    def conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            conn.execute(READER_CACHE)
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def borrow(self) -> Iterator[sqlite3.Connection]:
        """A reader connection from a small shared pool, for threads that read rarely (event
        streams catching up): a hundred streams must not each keep a connection open."""
        with self._all_lock:
            conn = self._pool.pop() if self._pool else None
        if conn is None:
            conn = connect(self.path)
            conn.execute(READER_CACHE)
        try:
            yield conn
        finally:
            with self._all_lock:
                if len(self._pool) < 4:
                    self._pool.append(conn)
                    conn = None
            if conn is not None:
                conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction; rolls back if the block raises."""
        with self._write_lock:
            conn = self.conn()
            if conn.in_transaction:  # nested use joins the outer transaction
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._all_lock:
            for conn in self._all + self._pool:
                conn.close()
            self._all.clear()
            self._pool.clear()
        self._local = threading.local()


def init_app(app: Flask, path: Path | str) -> Store:
    """Open the store for ``app``, bring its schema up to date, and keep it in app.extensions."""
    store = Store(path)
    migrate(store.conn())
    app.extensions["motcua.store"] = store
    return store


def get_store() -> Store:
    """The current app's store."""
    return current_app.extensions["motcua.store"]
