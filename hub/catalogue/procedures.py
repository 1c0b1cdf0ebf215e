"""The procedure catalogue (thủ tục hành chính) cached in SQLite, and its search.

Procedures arrive from the back end or a file, are cleaned into readable text (``cleaning``; the
text as received is kept for the "văn bản gốc" view) and stored. Search ranks names in memory
(``ranking``), after rewriting everyday words into the catalogue's (``synonyms``); words found
only in the document lists are a fallback through SQLite full-text search, and a query nothing
matches well finds nothing rather than a long list of weak matches.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hub.catalogue import fulltext, synonyms
from hub.catalogue.cleaning import clean_procedure, raw_text
from hub.catalogue.fulltext import SUMMARY_FIELDS, split_levels
from hub.catalogue.office import read_office, write_office
from hub.catalogue.ranking import Office, SearchIndex
from hub.catalogue.text import fold
from hub.db import Store

__all__ = ["SUMMARY_FIELDS", "Catalogue", "fold", "split_levels"]

LIST_FIELDS = ("documents", "steps", "channels", "legal_basis", "forms")
TEXT_FIELDS = ("name", "field", "level", "agency", "processing_time", "fees", "source_url")
MAX_QUERY_WORDS = 12
CACHE_SIZE = 2048
CACHE_TTL_S = 60.0
OPEN_WINDOW_S = 600.0  # one person reading a procedure again is not a second interest
MAX_OPENS_KEPT = 20_000
POPULARITY_HALF_LIFE_S = 30 * 86400.0  # an open a month ago counts half as much as one today
_PROCEDURE_CODE = re.compile(r"^\d+\.\d*$")


class Catalogue:
    """Procedures in the hub's store: upsert from the back end or a file, search, detail."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.clock = clock
        self.wall_clock = wall_clock
        # Kiosks search as people type, so the same few prefixes come again and again. Answers
        # are kept briefly and dropped whenever this hub changes the catalogue; a change made by
        # another process (``motcua import``) shows within CACHE_TTL_S.
        self._cache: OrderedDict[tuple[Any, ...], tuple[float, int, list[dict[str, Any]]]] = (
            OrderedDict()
        )
        self._cache_lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._index_state: tuple[Any, ...] = ()
        self._index_checked = -math.inf
        self._index_lock = threading.Lock()
        self._generation = 0  # counts this process's changes; the index records the one it saw
        self._index_generation = -1
        self._building = False
        self._office: Office | None = None
        self._opens: OrderedDict[tuple[str, str], float] = OrderedDict()  # (who, code) → when

    def prepare(self) -> None:
        """Bring the store up to this code: shipped synonyms, cleaned text, full-text indexes.

        Run once at start (the hub's app factory does); cheap when there is nothing to do.
        """
        with self.store.write() as conn:
            synonyms.seed(conn)
        if self.store.conn().execute("SELECT 1 FROM procedures WHERE raw = '' LIMIT 1").fetchone():
            self.reclean()
        if self.needs_reindex():  # after a schema change that rebuilt the search indexes
            self.reindex()
        self._changed()
        self.search_index()  # built now, so the first citizen to search does not wait for it

    def upsert_many(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Insert or replace clean procedure records (see hub.upstream.mapping); return count."""
        now = time.time()
        count = 0
        with self.store.write() as conn:
            for record in records:
                self._upsert(conn, record, now)
                count += 1
        self._changed()
        return count

    def forget(self) -> None:
        """Drop remembered search answers (to measure, or after the catalogue changed)."""
        with self._cache_lock:
            self._cache.clear()

    def _changed(self) -> None:
        with self._index_lock:
            self._generation += 1
        self.forget()

    def _upsert(self, conn: Any, record: Mapping[str, Any], now: float) -> None:
        clean = clean_procedure(record)
        row = {name: clean.get(name) or "" for name in TEXT_FIELDS}
        row.update(
            {
                name: json.dumps(list(clean.get(name) or []), ensure_ascii=False)
                for name in LIST_FIELDS
            }
        )
        row["code"] = record["code"]
        row["name_key"] = fold(row["name"])
        row["raw"] = json.dumps(raw_text(record), ensure_ascii=False)
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
            fulltext.unindex(conn, pid)
        fulltext.index(conn, pid, row, clean["documents"])

    def reclean(self) -> int:
        """Clean the rows stored before cleaning existed (their text is the raw text)."""
        rows = self.store.conn().execute("SELECT * FROM procedures WHERE raw = ''").fetchall()
        records = []
        for row in rows:
            record = {name: row[name] for name in ("code", *TEXT_FIELDS)}
            record.update({name: json.loads(row[name]) for name in LIST_FIELDS})
            records.append(record)
        return self.upsert_many(records)

    def reindex(self) -> int:
        """Rebuild the full-text indexes and levels from the rows (after a schema change)."""
        with self.store.write() as conn:
            rows = conn.execute(
                "SELECT id, code, name_key, field, level, agency, documents FROM procedures"
            ).fetchall()
            for table in ("procedures_fts", "procedure_documents_fts", "procedure_levels"):
                conn.execute(f"DELETE FROM {table}")
            for row in rows:
                fulltext.index(conn, row["id"], dict(row), json.loads(row["documents"]))
        self._changed()
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
        """The full procedure with this code, its text as received under ``raw``; or None."""
        row = (
            self.store.conn().execute("SELECT * FROM procedures WHERE code = ?", (code,)).fetchone()
        )
        return None if row is None else _detail(row)

    # -- what this office prefers, and what it opens ------------------------------------------

    def office(self) -> Office:
        """This office's level and fields (preferred in the ranking)."""
        if self._office is None:
            self._office = read_office(self.store.conn())
        return self._office

    def set_office(self, level: str, fields: Iterable[str], codes: Iterable[str] = ()) -> None:
        """Set this office's level ("Cấp xã", "Cấp tỉnh"…), the fields it handles and single
        procedures (by code) it handles outside them."""
        with self.store.write() as conn:
            write_office(conn, level, fields, codes)
        self.office_changed()

    def office_changed(self) -> None:
        """Read the office's procedures again (after :func:`write_office` in another
        transaction, such as the console's audited one)."""
        self._office = None
        self.forget()

    def opened(self, code: str, who: str = "") -> None:
        """Count one opening of procedure ``code`` at this office (older ones fade); the same
        ``who`` (a device or an address) opening it again within OPEN_WINDOW_S counts once, so
        a reload, or a script, cannot push a procedure up the rankings."""
        now = self.wall_clock()
        if who:
            with self._cache_lock:
                last = self._opens.get((who, code))
                if last is not None and now - last < OPEN_WINDOW_S:
                    return
                self._opens[(who, code)] = now
                self._opens.move_to_end((who, code))
                while len(self._opens) > MAX_OPENS_KEPT:
                    self._opens.popitem(last=False)
        with self.store.write() as conn:
            row = conn.execute(
                "SELECT score, at FROM procedure_popularity WHERE code = ?", (code,)
            ).fetchone()
            score = 1.0 + (_decayed(row[0], now - row[1]) if row else 0.0)
            conn.execute(
                "INSERT INTO procedure_popularity (code, score, at) VALUES (?, ?, ?)"
                " ON CONFLICT (code) DO UPDATE SET score = excluded.score, at = excluded.at",
                (code, score, now),
            )
        index = self._index
        if index is not None:
            index.popular(code, score)

    def add_synonym(self, phrase: str, expansion: str) -> None:
        """A local synonym (an everyday phrase → the catalogue's words); it wins over a shipped
        one with the same phrase and survives updates of the shipped list."""
        key, words = fold(phrase), fold(expansion)
        if not key or not words:
            raise ValueError("a synonym needs a phrase and the words it stands for")
        with self.store.write() as conn:
            conn.execute(
                "INSERT INTO procedure_synonyms (phrase, expansion, source) VALUES (?, ?, 'local')"
                " ON CONFLICT (phrase) DO UPDATE SET expansion = excluded.expansion,"
                " source = 'local'",
                (key, words),
            )
        self._changed()

    # -- search -------------------------------------------------------------------------------

    def search_index(self) -> SearchIndex:
        """The in-memory index, rebuilt when the catalogue changed (here at once, or in another
        process within CACHE_TTL_S).

        The first search after a change rebuilds it; searches in other threads meanwhile keep
        the previous index rather than wait. (Not rebuilt per page of a sync: a catalogue sync
        stores several pages in a row.)
        """
        now = self.clock()
        with self._index_lock:
            index, generation = self._index, self._generation
            current = self._index_generation == generation
            if index is not None and current and now - self._index_checked < CACHE_TTL_S:
                return index
            if index is not None and self._building:
                return index
            self._building = True
        try:
            conn = self.store.conn()
            state = tuple(
                conn.execute(
                    "SELECT (SELECT count(*) FROM procedures), (SELECT max(updated_at) FROM"
                    " procedures), (SELECT count(*) FROM procedure_synonyms),"
                    " (SELECT total(length(expansion)) FROM procedure_synonyms)"
                ).fetchone()
            )
            rebuilt = index is None or not current or state != self._index_state
            if index is None or rebuilt:
                self._office = None  # may have been set by another process
                index = self._build_index(conn)
            with self._index_lock:
                self._index, self._index_state = index, state
                self._index_generation, self._index_checked = generation, now
        finally:
            self._building = False
        if rebuilt:
            self.forget()
        return index

    def _build_index(self, conn: Any) -> SearchIndex:
        now = self.wall_clock()
        popular = {
            row[0]: _decayed(row[1], now - row[2])
            for row in conn.execute("SELECT code, score, at FROM procedure_popularity")
        }
        rows = conn.execute(
            "SELECT id, code, name, name_key, field, level, agency FROM procedures"
        ).fetchall()
        return SearchIndex(
            ({**dict(row), "popularity": popular.get(row["code"], 0.0)} for row in rows),
            synonyms.Synonyms.load(conn),
        )

    def search(
        self,
        q: str = "",
        field: str = "",
        level: str = "",
        limit: int = 20,
        offset: int = 0,
        office_only: bool = False,
    ) -> tuple[int, list[dict[str, Any]]]:
        """(total, page of summaries) meaning ``q`` within ``field``/``level``, best first;
        ``office_only``: among the procedures this office handles (see :meth:`office`).

        Names first (see hub.catalogue.ranking); when no name matches, words found in the
        document lists; when nothing matches, (0, []).
        """
        words = fold(q).split()[:MAX_QUERY_WORDS]
        code_like = bool(_PROCEDURE_CODE.match(q.strip()))
        index = self.search_index()  # first: a rebuilt index forgets the remembered answers
        within = self.office() if office_only else None
        key = (q.strip().lower(), field, level, limit, offset, within)
        now = self.clock()
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < CACHE_TTL_S:
                self._cache.move_to_end(key)
                return hit[1], [dict(row) for row in hit[2]]
        total, rows = self._search(index, q, words, code_like, field, level, limit, offset, within)
        with self._cache_lock:
            self._cache[key] = (now, total, rows)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return total, [dict(row) for row in rows]

    def _search(
        self,
        index: SearchIndex,
        q: str,
        words: list[str],
        code_like: bool,
        field: str,
        level: str,
        limit: int,
        offset: int,
        within: Office | None,
    ) -> tuple[int, list[dict[str, Any]]]:
        conn = self.store.conn()
        where: list[str] = []
        params: list[Any] = []
        if within is not None:
            clause, values = within.where()
            where.append(clause)
            params.extend(values)
        if field:
            where.append("p.field = ?")
            params.append(field)
        if level:
            where.append("p.id IN (SELECT procedure_id FROM procedure_levels WHERE level = ?)")
            params.append(level)
        if code_like:  # "1.000123", or its start while typing
            where.append("p.code LIKE ?")
            return fulltext.browse(conn, where, [*params, q.strip() + "%"], limit, offset)
        if not words:
            return fulltext.browse(conn, where, params, limit, offset)
        if len(words) == 1 and len(words[0]) <= 2:
            # One or two letters say too little to rank by: list the names that start with
            # them, straight from the name index (thousands of words merely contain them).
            starts = [*where, "p.name_key >= ?", "p.name_key < ?"]
            found = fulltext.browse(
                conn, starts, [*params, words[0], words[0] + "~"], limit, offset
            )
            if found[0]:
                return found
        query = " ".join(q.split()[:MAX_QUERY_WORDS])
        total, hits = index.rank(query, self.office(), field, level, offset + limit, within)
        if total:
            return total, fulltext.summaries(
                conn, [h.entry.id for h in hits[offset : offset + limit]]
            )
        return fulltext.in_documents(conn, words, where, params, limit, offset)

    def elsewhere(self, q: str, field: str = "", level: str = "") -> tuple[int, bool]:
        """(how many procedures the whole catalogue finds for ``q``, whether its best answers
        include procedures this office does not handle, so that offering "Tìm trong tất cả thủ
        tục" would show something new). One search, remembered like the others."""
        total, rows = self.search(q, field, level, 20, 0)
        office, index = self.office(), self.search_index()
        return total, any(
            (entry := index.by_code.get(row["code"])) is None or not office.covers(entry)
            for row in rows
        )

    def suggested_fields(self, limit: int = 8) -> list[dict[str, Any]]:
        """Fields to offer when a search finds nothing: this office's first, largest first."""
        preferred = self.office().fields
        fields = self.facets()["fields"]
        fields.sort(key=lambda f: (f["name"] not in preferred, -f["count"], f["name"]))
        return fields[:limit]

    def facets(self, office_only: bool = False) -> dict[str, list[dict[str, Any]]]:
        """Fields and levels with how many procedures each holds, for browsing;
        ``office_only``: counting only the procedures this office handles."""
        conn = self.store.conn()
        clause, params = self.office().where() if office_only else ("1", [])
        fields = conn.execute(
            f"SELECT field AS name, count(*) AS count FROM procedures p WHERE field != ''"
            f" AND {clause} GROUP BY field ORDER BY count DESC, field",
            params,
        ).fetchall()
        levels = conn.execute(
            "SELECT l.level AS name, count(*) AS count FROM procedure_levels l"
            f" JOIN procedures p ON p.id = l.procedure_id WHERE {clause}"
            " GROUP BY l.level ORDER BY count DESC, l.level",
            params,
        ).fetchall()
        return {"fields": [dict(r) for r in fields], "levels": [dict(r) for r in levels]}


def _detail(row: Any) -> dict[str, Any]:
    detail = {name: row[name] for name in ("code", *TEXT_FIELDS)}
    for name in LIST_FIELDS:
        detail[name] = json.loads(row[name])
    detail["raw"] = json.loads(row["raw"]) if row["raw"] else {}
    return detail


def _decayed(score: float, age_s: float) -> float:
    """``score`` after ``age_s`` seconds of halving every POPULARITY_HALF_LIFE_S."""
    return score * 0.5 ** (max(0.0, age_s) / POPULARITY_HALF_LIFE_S)
