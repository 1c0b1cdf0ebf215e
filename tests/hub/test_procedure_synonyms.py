"""The shipped synonym table: every entry leads to words real procedure names use, and the
query rewriting that applies it."""

from __future__ import annotations

import pytest

from hub.catalogue.synonyms import Synonyms, shipped
from hub.catalogue.text import fold
from hub.upstream.sim_data import bundled_procedures

TABLE, FILLERS = shipped()
NAMES = [set(fold(p["name"]).split()) for p in bundled_procedures()]


def test_the_table_has_at_least_forty_entries() -> None:
    assert len(TABLE) >= 40


@pytest.mark.parametrize(("phrase", "expansion"), sorted(TABLE.items()))
def test_each_expansion_names_words_of_a_real_procedure(phrase: str, expansion: str) -> None:
    words = set(expansion.split())
    holders = [name for name in NAMES if words <= name]
    assert holders, f"{phrase!r} → {expansion!r}: no procedure name holds all of these words"


def test_phrases_and_expansions_are_folded_and_differ() -> None:
    for phrase, expansion in TABLE.items():
        assert phrase == fold(phrase) and expansion == fold(expansion)
        assert phrase != expansion


def test_the_longest_phrase_wins_and_fillers_go() -> None:
    synonyms = Synonyms(TABLE, FILLERS)
    words, expanded = synonyms.rewrite(["lam", "sang", "ten", "so", "do"])
    # "sang tên sổ đỏ" as one phrase, not "sang tên" then "sổ đỏ"
    assert words == ["nhan", "chuyen", "nhuong", "quyen", "su", "dung", "dat"]
    assert expanded == set(range(len(words)))
    words, expanded = synonyms.rewrite(["xin", "dang", "ky", "tam", "tru", "o", "dau"])
    assert words == ["dang", "ky", "tam", "tru"] and not expanded


def test_a_filler_alone_is_kept() -> None:
    assert Synonyms(TABLE, FILLERS).rewrite(["lam"]) == (["lam"], set())
