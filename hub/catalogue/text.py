"""Search keys of Vietnamese text: folded words, and the diacritics a word was typed with.

Folded: lower case, no diacritics, ``đ`` → ``d`` (SQLite's ``remove_diacritics`` leaves ``đ``
alone, which would make ``dang ky`` miss ``đăng ký``). Display text stays NFC with its diacritics.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Search key of ``text``: lower case, diacritics removed, đ → d, words split by spaces."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[a-z0-9]+", bare))


def marks(word: str) -> str:
    """The diacritics of one word, in a fixed order: ``"hoà"`` and ``"hòa"`` give the same marks
    (old and new tone placement), ``"dựng"`` and ``"dùng"`` do not."""
    lowered = word.lower()
    decomposed = unicodedata.normalize("NFD", lowered)
    found = sorted(ch for ch in decomposed if unicodedata.combining(ch))
    return "đ" * lowered.count("đ") + "".join(found)


def query_words(text: str) -> list[tuple[str, str | None]]:
    """(folded word, its marks if typed with any diacritic, else None) for each word of ``text``.

    A word typed without diacritics matches whatever diacritics the catalogue has; one typed with
    them must match them.
    """
    out: list[tuple[str, str | None]] = []
    for raw in _WORD.findall(unicodedata.normalize("NFC", text)):
        folded = fold(raw)
        if not folded:
            continue
        parts = folded.split()
        accented = raw.lower() != folded and len(parts) == 1
        out.append((parts[0], marks(raw) if accented else None))
        out.extend((part, None) for part in parts[1:])
    return out


def name_words(text: str) -> list[tuple[str, str]]:
    """(folded word, marks) for each word of a catalogue name."""
    out: list[tuple[str, str]] = []
    for raw in _WORD.findall(unicodedata.normalize("NFC", text)):
        out.extend(_name_word(raw))
    return out


@functools.lru_cache(maxsize=50_000)
def _name_word(raw: str) -> tuple[tuple[str, str], ...]:
    """A catalogue has a few thousand distinct words, repeated in thousands of names."""
    parts = fold(raw).split()
    if len(parts) == 1:
        return ((parts[0], marks(raw)),)
    return tuple((part, "") for part in parts)
