"""A Vietnamese on-screen keyboard's logic: letters, the marked vowels, and tone keys.

Diacritics are optional for searching (the hub folds them), but a citizen who wants to type
"Cấp giấy phép" can: the tone keys put their mark on the last vowel of the word being typed,
the way Telex and VNI input methods do, and the text stays NFC.
"""

from __future__ import annotations

import unicodedata

DELETE, CLEAR, SPACE = "DEL", "CLEAR", "SPACE"

# Tone keys: what is shown on the key -> the combining mark it adds.
TONES = {"´": "\u0301", "`": "\u0300", "?": "\u0309", "~": "\u0303", ".": "\u0323"}
VOWELS = set("aăâeêioôơuưy")

LAYOUT = [
    ["q", "w", "e", "r", "t", "y", "u", "i", "o", "p"],
    ["a", "s", "d", "f", "g", "h", "j", "k", "l", "đ"],
    ["z", "x", "c", "v", "b", "n", "m", "ă", "â", "ê"],
    ["ô", "ơ", "ư", "´", "`", "?", "~", ".", DELETE],
    [CLEAR, SPACE],
]


def _base(ch: str) -> str:
    """A letter without its tone mark, keeping its shape marks (ấ -> â)."""
    decomposed = unicodedata.normalize("NFD", ch)
    kept = "".join(c for c in decomposed if c not in TONES.values())
    return unicodedata.normalize("NFC", kept)


def _tone_target(word: str) -> int | None:
    """Where the tone goes in ``word``: the usual modern placement, simply put."""
    bases = [_base(c).lower() for c in word]
    vowels = [i for i, b in enumerate(bases) if b in VOWELS]
    if not vowels:
        return None
    for i in vowels:  # a vowel with a shape mark takes the tone: "giấy", "người"
        if bases[i] in "ăâêôơư":
            target = i
            if bases[i] == "ư" and i + 1 < len(bases) and bases[i + 1] == "ơ":
                target = i + 1
            return target
    run = vowels
    # "qu" and "gi" start words: their u / i belong to the consonant when more vowels follow
    if len(run) > 1 and run[0] == 1 and bases[0] in "qg" and bases[1] in "ui":
        run = run[1:]
    if len(run) >= 2 and run[-1] == len(bases) - 1:
        return run[-2]  # "hóa", "tùy": the tone sits on the first of a final pair
    return run[-1] if len(run) >= 2 else run[0]


def apply_key(text: str, key: str, max_length: int = 80) -> str:
    """The text after one key; pure, for the screen and for tests."""
    if key == DELETE:
        return text[:-1]
    if key == CLEAR:
        return ""
    if key in TONES:
        head, _, word = text.rpartition(" ")
        target = _tone_target(word)
        if target is None:
            return text
        letter = _base(word[target]) + TONES[key]
        word = word[:target] + unicodedata.normalize("NFC", letter) + word[target + 1 :]
        return f"{head} {word}" if head or text.startswith(" ") else word
    if len(text) >= max_length:
        return text
    if key == SPACE:
        return text + " "
    return text + key
