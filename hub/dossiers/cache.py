"""The hub's copy of dossiers, so a lookup answers when the back end is slow or down."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

from hub.db import Store

COLUMNS = (
    "code",
    "procedure_code",
    "procedure_name",
    "applicant_masked",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "status",
    "channel",
    "steps",
    "fetched_at",
    "source",
)
_UPSERT = (
    f"INSERT OR REPLACE INTO dossiers ({', '.join(COLUMNS)})"
    f" VALUES ({', '.join('?' for _ in COLUMNS)})"
)


class DossierCache:
    """Clean dossier records (see hub.upstream.mapping) with when they were fetched."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, code: str) -> dict[str, Any] | None:
        """The cached record with ``code`` (steps decoded, ``fetched_at`` as unix time), or None."""
        row = self.store.conn().execute("SELECT * FROM dossiers WHERE code = ?", (code,)).fetchone()
        if row is None:
            return None
        record = dict(row)
        record["steps"] = json.loads(record["steps"])
        return record

    def put_many(
        self,
        records: Iterable[Mapping[str, Any]],
        source: str,
        state: Mapping[str, str] | None = None,
        fetched_at: float | None = None,
    ) -> int:
        """Store clean records in one transaction, with optional ``upstream_state`` keys
        (a sync cursor) committed atomically with them; return how many were written."""
        now = time.time() if fetched_at is None else fetched_at
        rows = [_row(record, source, now) for record in records]
        with self.store.write() as conn:
            conn.executemany(_UPSERT, rows)
            for key, value in (state or {}).items():
                conn.execute(
                    "INSERT OR REPLACE INTO upstream_state (key, value) VALUES (?, ?)", (key, value)
                )
        return len(rows)

    def state(self, key: str, default: str = "") -> str:
        """A value the upstream side keeps (sync cursor, last success)."""
        row = (
            self.store.conn()
            .execute("SELECT value FROM upstream_state WHERE key = ?", (key,))
            .fetchone()
        )
        return default if row is None else row[0]

    def set_state(self, key: str, value: str) -> None:
        """Remember ``value`` under ``key``."""
        with self.store.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO upstream_state (key, value) VALUES (?, ?)", (key, value)
            )

    def count(self) -> int:
        """How many dossiers are cached."""
        return self.store.conn().execute("SELECT count(*) FROM dossiers").fetchone()[0]


def _row(record: Mapping[str, Any], source: str, now: float) -> tuple[Any, ...]:
    values = dict(record)
    values["steps"] = json.dumps(list(record.get("steps") or []), ensure_ascii=False)
    values["fetched_at"] = now
    values["source"] = source
    return tuple(values.get(name) for name in COLUMNS)
