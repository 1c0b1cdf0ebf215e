"""Everyday words → the catalogue's words, kept as data the office can extend.

The shipped list (``synonyms.toml`` beside this module) seeds the ``procedure_synonyms`` table at
start; a clerk's own entries (source ``local``) live in the same table and are never overwritten.
Queries are rewritten on folded words: the longest known phrase at each position is replaced by
its expansion, and filler words ("làm", "xin", "ở đâu") are dropped when other words remain.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from hub.catalogue.text import fold

MAX_PHRASE_WORDS = 6


def shipped() -> tuple[dict[str, str], list[str]]:
    """(folded phrase → folded expansion, folded filler phrases) from the shipped TOML file."""
    data = tomllib.loads(
        (resources.files("hub.catalogue") / "synonyms.toml").read_text(encoding="utf-8")
    )
    table = {fold(k): fold(v) for k, v in data.get("synonyms", {}).items()}
    fillers = [fold(w) for w in data.get("filler", {}).get("words", [])]
    return table, fillers


def seed(conn: Any) -> None:
    """Write the shipped synonyms into ``procedure_synonyms``, leaving local entries alone."""
    table, _ = shipped()
    conn.execute("DELETE FROM procedure_synonyms WHERE source = 'shipped'")
    conn.executemany(
        "INSERT OR IGNORE INTO procedure_synonyms (phrase, expansion, source)"
        " VALUES (?, ?, 'shipped')",
        sorted(table.items()),
    )


@dataclass
class Synonyms:
    """The phrase table and filler words, applied to a query's folded words."""

    table: dict[str, str] = field(default_factory=dict)
    fillers: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, conn: Any) -> Synonyms:
        """The table as the store holds it (shipped and local entries) and the shipped fillers."""
        rows = conn.execute("SELECT phrase, expansion FROM procedure_synonyms").fetchall()
        _, fillers = shipped()
        return cls({row[0]: row[1] for row in rows}, fillers)

    def rewrite(self, words: list[str]) -> tuple[list[str], set[int]]:
        """(words with phrases expanded and fillers dropped, indexes of words that came from an
        expansion): those carry no diacritics of the citizen's to respect."""
        out: list[str] = []
        expanded: set[int] = set()
        i = 0
        while i < len(words):
            for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                replacement = self.table.get(" ".join(words[i : i + size]))
                if replacement is not None:
                    for word in replacement.split():
                        if out and out[-1] == word:  # "cấp đổi" + "cấp đổi giấy …"
                            continue
                        expanded.add(len(out))
                        out.append(word)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        kept = self._drop_fillers(out, expanded)
        if not kept:
            return out, expanded
        return [out[k] for k in kept], {n for n, k in enumerate(kept) if k in expanded}

    def _drop_fillers(self, words: list[str], expanded: set[int]) -> list[int]:
        """Indexes of the words that are not filler (words from an expansion always stay)."""
        drop: set[int] = set()
        for filler in self.fillers:
            parts = filler.split()
            for i in range(len(words) - len(parts) + 1):
                span = range(i, i + len(parts))
                if words[i : i + len(parts)] == parts and not expanded.intersection(span):
                    drop.update(span)
        return [i for i in range(len(words)) if i not in drop]
