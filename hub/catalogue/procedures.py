"""The procedure catalogue (thủ tục hành chính) cached in SQLite, and its search.

Search works on folded text: lower case, no diacritics, ``đ`` → ``d`` (SQLite's own
``remove_diacritics`` leaves ``đ`` alone, which would make ``dang ky`` miss ``đăng ký``). Display
text stays NFC with its diacritics. Every query word matches as a prefix, so a kiosk can search
as the citizen types; names weigh more than fields, agencies and documents.
"""

from __future__ import annotations

import json
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hub.db import Store

LIST_FIELDS = ("documents", "steps", "channels", "legal_basis", "forms")
TEXT_FIELDS = ("name", "field", "level", "agency", "processing_time", "fees", "source_url")
SUMMARY_FIELDS = ("code", "name", "field", "level", "agency", "processing_time", "fees")
MAX_QUERY_WORDS = 12
CACHE_SIZE = 2048
RANK_LIMIT = 800  # above this many matches, order by phrase and name length only
CACHE_TTL_S = 60.0
# bm25 weights for (name, field, agency): a word in the name counts most.
_WEIGHTS = ", 10.0, 3.0, 2.0"
_PROCEDURE_CODE = re.compile(r"^\d+\.\d*$")


def fold(text: str) -> str:
    """Search key of ``text``: lower case, diacritics removed, đ → d, words split by spaces."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[a-z0-9]+", bare))


def split_levels(level: str) -> list[str]:
    """``"Cấp bộ, Cấp tỉnh"`` → ``["Cấp bộ", "Cấp tỉnh"]``."""
    return [part.strip() for part in level.split(",") if part.strip()]


class Catalogue:
    """Procedures in the hub's store: upsert from the back end or a file, search, detail."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.clock = clock
        # Kiosks search as people type, so the same few prefixes come again and again. Answers
        # are kept briefly and dropped whenever this hub changes the catalogue; a change made by
        # another process (``motcua import``) shows within CACHE_TTL_S.
        self._cache: OrderedDict[tuple[Any, ...], tuple[float, int, list[dict[str, Any]]]] = (
            OrderedDict()
        )
        self._cache_lock = threading.Lock()

    def upsert_many(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Insert or replace clean procedure records (see hub.upstream.mapping); return count."""
        now = time.time()
        count = 0
        with self.store.write() as conn:
            for record in records:
                self._upsert(conn, record, now)
                count += 1
        self.forget()
        return count

    def forget(self) -> None:
        """Drop remembered search answers (the catalogue changed)."""
        with self._cache_lock:
            self._cache.clear()

    def _upsert(self, conn: Any, record: Mapping[str, Any], now: float) -> None:
        row = {name: record.get(name) or "" for name in TEXT_FIELDS}
        row.update(
            {
                name: json.dumps(list(record.get(name) or []), ensure_ascii=False)
                for name in LIST_FIELDS
            }
        )
        row["code"] = record["code"]
        row["name_key"] = fold(row["name"])
        row["updated_at"] = now
        old = conn.execute("SELECT id FROM procedures WHERE code = ?", (row["code"],)).fetchone()
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        if old is None:
            cursor = conn.execute(f"INSERT INTO procedures ({columns}) VALUES ({marks})", row)
            pid = int(cursor.lastrowid or 0)
        else:
            pid = int(old[0])
            sets = ", ".join(f"{name} = :{name}" for name in row)
            conn.execute(f"UPDATE procedures SET {sets} WHERE id = {pid}", row)
            _unindex(conn, pid)
        _index(conn, pid, row, record.get("documents") or [])

    def reindex(self) -> int:
        """Rebuild the full-text indexes and levels from the rows (after a schema change)."""
        with self.store.write() as conn:
            rows = conn.execute(
                "SELECT id, code, name_key, field, level, agency, documents FROM procedures"
            ).fetchall()
            for table in ("procedures_fts", "procedure_documents_fts", "procedure_levels"):
                conn.execute(f"DELETE FROM {table}")
            for row in rows:
                _index(conn, row["id"], dict(row), json.loads(row["documents"]))
        self.forget()
        return len(rows)

    def needs_reindex(self) -> bool:
        """True when the full-text index does not cover every procedure."""
        conn = self.store.conn()
        indexed = conn.execute("SELECT count(*) FROM procedures_fts").fetchone()[0]
        return bool(indexed != self.count())

    def count(self) -> int:
        """How many procedures are cached."""
        return self.store.conn().execute("SELECT count(*) FROM procedures").fetchone()[0]

    def get(self, code: str) -> dict[str, Any] | None:
        """The full procedure with this code, or None."""
        row = (
            self.store.conn().execute("SELECT * FROM procedures WHERE code = ?", (code,)).fetchone()
        )
        return None if row is None else _detail(row)

    def search(
        self,
        q: str = "",
        field: str = "",
        level: str = "",
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[int, list[dict[str, Any]]]:
        """(total, page of summaries) matching ``q`` within ``field``/``level``, best first.

        All words must match (as prefixes); when that finds nothing, any word may, so one
        misspelt word does not empty the answer.
        """
        words = fold(q).split()[:MAX_QUERY_WORDS]
        code_like = bool(_PROCEDURE_CODE.match(q.strip()))
        key = (tuple(words), q.strip() if code_like else "", field, level, limit, offset)
        now = self.clock()
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < CACHE_TTL_S:
                self._cache.move_to_end(key)
                return hit[1], [dict(row) for row in hit[2]]
        total, rows = self._search(q, words, field, level, limit, offset)
        with self._cache_lock:
            self._cache[key] = (now, total, rows)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return total, [dict(row) for row in rows]

    def _search(
        self, q: str, words: list[str], field: str, level: str, limit: int, offset: int
    ) -> tuple[int, list[dict[str, Any]]]:
        where, params = [], []
        if field:
            where.append("p.field = ?")
            params.append(field)
        if level:
            where.append("p.id IN (SELECT procedure_id FROM procedure_levels WHERE level = ?)")
            params.append(level)
        if _PROCEDURE_CODE.match(q.strip()):  # "1.000123", or its start while typing
            where.append("p.code LIKE ?")
            return self._browse(where, [*params, q.strip() + "%"], limit, offset)
        if not words:
            return self._browse(where, params, limit, offset)
        if len(words) == 1 and len(words[0]) <= 2:
            # One or two letters say too little to rank by: list the names that start with
            # them, straight from the name index (thousands of words merely contain them).
            starts = [*where, "p.name_key >= ?", "p.name_key < ?"]
            found = self._browse(starts, [*params, words[0], words[0] + "~"], limit, offset)
            if found[0]:
                return found
        every = " AND ".join(f'"{word}"*' for word in words)
        attempts = [("procedures_fts", every), ("procedure_documents_fts", every)]
        if len(words) > 1:
            attempts.append(("procedures_fts", " OR ".join(f'"{word}"*' for word in words)))
        for table, match in attempts:
            total, rows = self._ranked(table, match, " ".join(words), where, params, limit, offset)
            if total:
                return total, rows
        return 0, []

    def _browse(
        self, where: list[str], params: list[Any], limit: int, offset: int
    ) -> tuple[int, list[dict[str, Any]]]:
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        conn = self.store.conn()
        total = conn.execute(f"SELECT count(*) FROM procedures p {clause}", params).fetchone()[0]
        rows = conn.execute(
            f"SELECT {', '.join('p.' + f for f in SUMMARY_FIELDS)} FROM procedures p {clause}"
            " ORDER BY p.name_key LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return total, [dict(row) for row in rows]

    def _ranked(
        self,
        table: str,
        match: str,
        phrase: str,
        where: list[str],
        params: list[Any],
        limit: int,
        offset: int,
    ) -> tuple[int, list[dict[str, Any]]]:
        # Rank on the index alone (its name column is the folded name), joining the wide
        # procedures rows only to filter and then for the one page shown. A name holding the
        # query as a whole, or starting with it, goes first.
        weights = _WEIGHTS if table == "procedures_fts" else ""
        key = "name" if table == "procedures_fts" else "''"
        join = f"JOIN procedures p ON p.id = m.id WHERE {' AND '.join(where)}" if where else ""
        conn = self.store.conn()
        # Counting is cheap; relevance scores for thousands of matches are not, and when that
        # many match, the phrase and name-length order below is what sorts the first page.
        matches = conn.execute(
            f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", [match]
        ).fetchone()[0]
        if not matches:
            return 0, []
        score = "0" if matches > RANK_LIMIT else f"bm25({table}{weights})"
        ranked = conn.execute(
            f"SELECT m.id, count(*) OVER () AS total FROM (SELECT rowid AS id, {key} AS k,"
            f" {score} AS score FROM {table} WHERE {table} MATCH ?) m {join}"
            " ORDER BY (m.k = ?) DESC, (m.k LIKE ?) DESC, (m.k LIKE ?) DESC, m.score,"
            " length(m.k), m.k LIMIT ? OFFSET ?",
            [match, *params, phrase, phrase + "%", "%" + phrase + "%", limit, offset],
        ).fetchall()
        if not ranked:
            if not offset:
                return 0, []
            total = conn.execute(
                f"SELECT count(*) FROM (SELECT rowid AS id FROM {table}"
                f" WHERE {table} MATCH ?) m {join}",
                [match, *params],
            ).fetchone()[0]
            return total, []
        ids = [row[0] for row in ranked]
        marks = ", ".join("?" for _ in ids)
        rows = conn.execute(
            f"SELECT id, {', '.join(SUMMARY_FIELDS)} FROM procedures WHERE id IN ({marks})", ids
        ).fetchall()
        by_id = {row["id"]: {f: row[f] for f in SUMMARY_FIELDS} for row in rows}
        return ranked[0][1], [by_id[i] for i in ids if i in by_id]

    def facets(self) -> dict[str, list[dict[str, Any]]]:
        """Fields and levels with how many procedures each holds, for browsing."""
        conn = self.store.conn()
        fields = conn.execute(
            "SELECT field AS name, count(*) AS count FROM procedures WHERE field != ''"
            " GROUP BY field ORDER BY count DESC, field"
        ).fetchall()
        levels = conn.execute(
            "SELECT level AS name, count(*) AS count FROM procedure_levels"
            " GROUP BY level ORDER BY count DESC, level"
        ).fetchall()
        return {"fields": [dict(r) for r in fields], "levels": [dict(r) for r in levels]}


def _index(conn: Any, pid: int, row: Mapping[str, Any], documents: list[str]) -> None:
    conn.execute(
        "INSERT INTO procedures_fts (rowid, name, field, agency) VALUES (?, ?, ?, ?)",
        (pid, row["name_key"], fold(row["field"]), fold(row["agency"])),
    )
    conn.execute(
        "INSERT INTO procedure_documents_fts (rowid, body) VALUES (?, ?)",
        (pid, fold(" ".join([*documents, row["code"]]))),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO procedure_levels (level, procedure_id) VALUES (?, ?)",
        [(level, pid) for level in split_levels(row["level"])],
    )


def _unindex(conn: Any, pid: int) -> None:
    for table in ("procedures_fts", "procedure_documents_fts"):
        conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (pid,))
    conn.execute("DELETE FROM procedure_levels WHERE procedure_id = ?", (pid,))


def _detail(row: Any) -> dict[str, Any]:
    detail = {name: row[name] for name in ("code", *TEXT_FIELDS)}
    for name in LIST_FIELDS:
        detail[name] = json.loads(row[name])
    return detail
