"""Which procedures a query means, best first: an in-memory index of the catalogue's names.

A few thousand procedures fit in memory many times over, and ranking them in Python lets the
order follow what a clerk would answer rather than a text-retrieval score. In order of weight:

1. every query word found in the name (one typed with diacritics must match them: "dựng" is not
   "dùng"; one typed without matches any), as a whole word, as the start of one while typing, or
   with one letter wrong in words of four letters or more;
2. the share of the name the query covers, so "Đăng ký khai tử" beats "Đăng ký khai tử có yếu tố
   nước ngoài", and a name holding the query as one phrase;
3. the office's own level and fields (a commune office sees commune procedures first);
4. popularity: how often the procedure was opened at this office, decayed over time.

A word found only in the field or agency counts for less; a query whose words are not all found
(a nonsense word, say) finds nothing, so the caller can say so instead of listing weak matches.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from hub.catalogue.synonyms import Synonyms
from hub.catalogue.text import name_words, query_words

EXACT, PREFIX, TYPO, WRONG_MARKS = 1.0, 0.85, 0.7, 0.3
_NOTES = re.compile(r"\([^()]*\)?")
GENERIC_START = [("thu", "̉"), ("tuc", "̣")]
FIELD_WEIGHT = 0.5  # a word found only in the field or agency
TYPO_MIN_LENGTH = 4  # one wrong letter in shorter words makes too many other words
PREFIX_MIN_LENGTH = 2  # "c" inside a query would match half the vocabulary
# Weights of the ranking rules, far enough apart that a rule only breaks ties of the one above.
W_ALL_IN_NAME, W_MATCH, W_COVER, W_PHRASE, W_LEVEL, W_FIELD, W_POPULAR = (
    100.0, 40.0, 30.0, 15.0, 8.0, 4.0, 3.0,
)  # fmt: skip


@dataclass(slots=True)
class Entry:
    """One procedure as the index sees it (its words live in the index's word lists)."""

    id: int
    code: str
    name_key: str
    length: int  # words in the name, less notes in parentheses and a leading "Thủ tục"
    field: str
    levels: frozenset[str]
    popularity: float = 0.0


Ranked = tuple[float, int, str, int]


@dataclass
class Hit:
    """A scored procedure."""

    entry: Entry
    score: float


@dataclass(frozen=True)
class Office:
    """This office's procedures: its level and fields (preferred in the ranking, and the
    kiosk's first list), plus single procedures it handles outside those fields."""

    level: str = "Cấp xã"
    fields: frozenset[str] = field(default_factory=frozenset)
    codes: frozenset[str] = field(default_factory=frozenset)

    def covers(self, entry: Entry) -> bool:
        """Whether the office handles this procedure: one of its fields at its level (any
        level when none is set), or one picked by code."""
        if entry.code in self.codes:
            return True
        return entry.field in self.fields and (not self.level or self.level in entry.levels)

    def where(self) -> tuple[str, list[str]]:
        """The same rule as :meth:`covers`, as an SQL condition on ``p`` with its parameters."""
        fields = sorted(self.fields)
        codes = sorted(self.codes)
        in_fields = f"p.field IN ({', '.join('?' for _ in fields)})" if fields else "0"
        params: list[str] = [*fields]
        if self.level and fields:
            in_fields += (" AND p.id IN (SELECT procedure_id FROM procedure_levels"
                          " WHERE level = ?)")  # fmt: skip
            params.append(self.level)
        picked = f"p.code IN ({', '.join('?' for _ in codes)})" if codes else "0"
        return f"(({in_fields}) OR {picked})", [*params, *codes]


class SearchIndex:
    """The catalogue's names, fields and agencies, ready to rank."""

    def __init__(self, rows: Iterable[Mapping[str, Any]], synonyms: Synonyms) -> None:
        self.synonyms = synonyms
        self.entries: list[Entry] = []
        self.by_code: dict[str, Entry] = {}
        # folded word → positions of the entries whose name (or field/agency) holds it, and
        # (word, its marks) → positions of the names holding it with those diacritics.
        self.names: dict[str, list[int]] = {}
        self.marked: dict[tuple[str, str], list[int]] = {}
        self.others: dict[str, list[int]] = {}
        levels: dict[str, frozenset[str]] = {}  # a few distinct level texts, shared
        for row in rows:
            pairs = name_words(row["name"])
            # "Thủ tục …" opens many names and says nothing about which procedure it is, and
            # words in parentheses are notes ("(áp dụng cho cả trường hợp …)"), not the name.
            length = len(name_words(_NOTES.sub(" ", row["name"])))
            length -= 2 * (pairs[:2] == GENERIC_START)
            level = row["level"] or ""
            if level not in levels:
                levels[level] = frozenset(p.strip() for p in level.split(",") if p.strip())
            entry = Entry(
                id=row["id"],
                code=row["code"],
                name_key=row["name_key"],
                length=max(1, length),
                field=sys.intern(row["field"] or ""),
                levels=levels[level],
                popularity=float(row.get("popularity") or 0.0),
            )
            position = len(self.entries)
            self.entries.append(entry)
            self.by_code[entry.code] = entry
            words = {word for word, _ in pairs}
            for word in words:
                self.names.setdefault(word, []).append(position)
            for word, mark in set(pairs):
                self.marked.setdefault((word, mark), []).append(position)
            for text in (row["field"], row["agency"]):
                for word in {w for w, _ in name_words(text or "")} - words:
                    others = self.others.setdefault(word, [])
                    if not others or others[-1] != position:
                        others.append(position)
        # Most words carry the same diacritics wherever they occur: share that one list.
        for (word, mark), positions in self.marked.items():
            if len(positions) == len(self.names[word]):
                self.marked[(word, mark)] = self.names[word]
        self.vocabulary = sorted(self.names.keys() | self.others.keys())
        self.most_popular = max((e.popularity for e in self.entries), default=0.0)
        self._office: Office | None = None
        self._static: list[float] = []

    def prefer(self, office: Office) -> list[float]:
        """Per entry, what the office's level and fields and the popularity add to a score
        (worked out once per office, and again when popularity changes)."""
        if office != self._office or len(self._static) != len(self.entries):
            top = math.log1p(self.most_popular) or 1.0
            self._static = [
                W_LEVEL * (office.level in e.levels)
                + W_FIELD * (e.field in office.fields)
                + W_POPULAR * math.log1p(e.popularity) / top
                for e in self.entries
            ]
            self._office = office
        return self._static

    def popular(self, code: str, score: float) -> None:
        """Procedure ``code`` has this popularity now."""
        entry = self.by_code.get(code)
        if entry is not None:
            entry.popularity = score
            self.most_popular = max(self.most_popular, score)
            self._office = None  # work the preferences out again

    def _expand(self, word: str, last: bool) -> list[tuple[str, float]]:
        """Vocabulary words ``word`` stands for, with how well: itself, words it starts (while
        typing, or a shortened word), and words one letter away."""
        found: list[tuple[str, float]] = []
        exact = word in self.names or word in self.others
        if exact:
            found.append((word, EXACT))
        # A finished word (one followed by another) that the catalogue holds is meant as itself;
        # the last word may still be being typed.
        if (last or not exact) and (len(word) >= PREFIX_MIN_LENGTH or last):
            start = bisect.bisect_left(self.vocabulary, word)
            for other in self.vocabulary[start:]:
                if not other.startswith(word):
                    break
                if other != word:
                    found.append((other, PREFIX))
        if not found and len(word) >= TYPO_MIN_LENGTH:
            near = extract(word, self.vocabulary, scorer=OSA.distance, score_cutoff=1, limit=None)
            found.extend((other, TYPO) for other, _, _ in near)
        return found

    def rank(
        self,
        query: str,
        office: Office,
        field_filter: str = "",
        level_filter: str = "",
        limit: int = 20,
        within: Office | None = None,
    ) -> tuple[int, list[Hit]]:
        """(how many procedures the query means, the ``limit`` best of them, best first);
        ``within``: only the procedures that office handles."""
        typed = query_words(query)
        folded, expanded = self.synonyms.rewrite([w for w, _ in typed])
        marks = [None if i in expanded else _marks_for(typed, w) for i, w in enumerate(folded)]
        if not folded:
            return 0, []
        # Per query word: entry position → how well its name matches, and the same for the
        # field/agency words. Updates go from the weakest match to the best, so the best stays.
        in_name: list[dict[int, float]] = []
        in_other: list[dict[int, float]] = []
        for i, word in enumerate(folded):
            steps: list[tuple[float, list[int]]] = []
            others: dict[int, float] = {}
            for vocab, quality in self._expand(word, last=i == len(folded) - 1):
                positions = self.names.get(vocab, [])
                if marks[i] is not None and quality == EXACT:
                    steps.append((WRONG_MARKS, positions))
                    steps.append((EXACT, self.marked.get((vocab, marks[i]), [])))
                else:
                    steps.append((quality, positions))
                for pos in self.others.get(vocab, ()):
                    if quality > others.get(pos, 0.0):
                        others[pos] = quality
            names: dict[int, float] = {}
            for quality, positions in sorted(steps, key=lambda step: step[0]):
                names.update(dict.fromkeys(positions, quality))
            in_name.append(names)
            in_other.append(others)
        count = len(folded)
        # People add words the catalogue does not use ("kết hôn với người nước ngoài"): a longer
        # query may miss a third of its words, a short one none.
        required = count if count <= 2 else max(2, math.ceil(2 * count / 3))
        if sum(1 for k in range(count) if in_name[k] or in_other[k]) < required:
            return 0, []
        found: Counter[int] = Counter()
        for k in range(count):
            found.update(in_name[k].keys() | in_other[k].keys())
        phrase = " ".join(folded)
        static = self.prefer(office)
        entries = self.entries
        # Scored as tuples that sort best first: (-score, name length, folded name, position).
        tiers: tuple[list[Ranked], list[Ranked], list[Ranked]] = ([], [], [])
        for pos, matched in found.items():
            if matched < required:
                continue
            entry = entries[pos]
            if field_filter and entry.field != field_filter:
                continue
            if level_filter and level_filter not in entry.levels:
                continue
            if within is not None and not within.covers(entry):
                continue
            in_names = [d.get(pos, 0.0) for d in in_name]
            named = sum(q >= TYPO for q in in_names)
            if named == count:
                total, tier = sum(in_names), 0
            else:
                total = sum(
                    max(q, FIELD_WEIGHT * d.get(pos, 0.0))
                    for q, d in zip(in_names, in_other, strict=True)
                )
                # The relevance threshold: names holding every word, else names holding most
                # of them, else procedures whose field or agency holds the rest. A weaker tier
                # is not shown when a stronger one has anything.
                tier = 1 if named >= required else 2 if matched == count else -1
                if tier < 0:
                    continue
            score = (
                W_ALL_IN_NAME * (tier == 0)
                + W_MATCH * total / count
                + W_COVER * min(1.0, named / entry.length)
                + W_PHRASE * (phrase in entry.name_key)
                + static[pos]
            )
            tiers[tier].append((-score, entry.length, entry.name_key, pos))
        ranked = next((tier for tier in tiers if tier), [])
        best = heapq.nsmallest(limit, ranked)  # only the page asked for is put in order
        return len(ranked), [Hit(entries[r[3]], -r[0]) for r in best]


def _marks_for(typed: list[tuple[str, str | None]], word: str) -> str | None:
    """The marks the citizen typed on ``word`` (None: typed bare, or not typed at all)."""
    for folded, mark in typed:
        if folded == word:
            return mark
    return None
