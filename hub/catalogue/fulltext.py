"""The catalogue's SQLite side of search: the full-text indexes and levels kept beside each row,
listing in name order (browsing a field, a code typed while typing), and the fallback search in
the document lists for words no procedure name holds ("ảnh màu 4x6")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.catalogue.text import fold

SUMMARY_FIELDS = ("code", "name", "field", "level", "agency", "processing_time", "fees")
RANK_LIMIT = 800  # above this many document matches, list them in name order unscored


def split_levels(level: str) -> list[str]:
    """``"Cấp bộ, Cấp tỉnh"`` → ``["Cấp bộ", "Cấp tỉnh"]``."""
    return [part.strip() for part in level.split(",") if part.strip()]


def index(conn: Any, pid: int, row: Mapping[str, Any], documents: list[str]) -> None:
    """Index procedure ``pid``: folded name, field and agency; documents; one row per level."""
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


def unindex(conn: Any, pid: int) -> None:
    """Drop procedure ``pid`` from the indexes (before indexing it again)."""
    for table in ("procedures_fts", "procedure_documents_fts"):
        conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (pid,))
    conn.execute("DELETE FROM procedure_levels WHERE procedure_id = ?", (pid,))


def browse(
    conn: Any, where: list[str], params: list[Any], limit: int, offset: int
) -> tuple[int, list[dict[str, Any]]]:
    """(total, page) of the procedures meeting ``where`` (on ``p``), in name order."""
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    total = conn.execute(f"SELECT count(*) FROM procedures p {clause}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT {', '.join('p.' + f for f in SUMMARY_FIELDS)} FROM procedures p {clause}"
        " ORDER BY p.name_key LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return total, [dict(row) for row in rows]


def in_documents(
    conn: Any, words: list[str], where: list[str], params: list[Any], limit: int, offset: int
) -> tuple[int, list[dict[str, Any]]]:
    """(total, page) of the procedures whose document lists hold every word (as prefixes)."""
    match = " AND ".join(f'"{word}"*' for word in words)
    join = f"JOIN procedures p ON p.id = m.id WHERE {' AND '.join(where)}" if where else ""
    # Counting is cheap; relevance scores for thousands of matches are not.
    matches = conn.execute(
        "SELECT count(*) FROM procedure_documents_fts WHERE procedure_documents_fts MATCH ?",
        [match],
    ).fetchone()[0]
    if not matches:
        return 0, []
    score = "0" if matches > RANK_LIMIT else "bm25(procedure_documents_fts)"
    ranked = conn.execute(
        f"SELECT m.id, count(*) OVER () AS total FROM (SELECT rowid AS id, {score} AS score"
        " FROM procedure_documents_fts WHERE procedure_documents_fts MATCH ?) m"
        f" {join} ORDER BY m.score, m.id LIMIT ? OFFSET ?",
        [match, *params, limit, offset],
    ).fetchall()
    if not ranked:
        if not offset:
            return 0, []
        total = conn.execute(
            "SELECT count(*) FROM (SELECT rowid AS id FROM procedure_documents_fts"
            f" WHERE procedure_documents_fts MATCH ?) m {join}",
            [match, *params],
        ).fetchone()[0]
        return total, []
    return ranked[0][1], summaries(conn, [row[0] for row in ranked])


def summaries(conn: Any, ids: list[int]) -> list[dict[str, Any]]:
    """The list view of procedures ``ids``, in that order."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    rows = conn.execute(
        f"SELECT id, {', '.join(SUMMARY_FIELDS)} FROM procedures WHERE id IN ({marks})", ids
    ).fetchall()
    by_id = {row["id"]: {f: row[f] for f in SUMMARY_FIELDS} for row in rows}
    return [by_id[i] for i in ids if i in by_id]
