"""Vietnamese numbers in words, and how a queue ticket number is read aloud.

The rules a Vietnamese listener expects (Northern usage by default, Southern on request):

* ``mười`` for a tens digit of 1, ``mươi`` for 2..9: 10 mười, 20 hai mươi.
* a final 1 after ``mươi`` is ``mốt`` (21 hai mươi mốt) but stays ``một`` after ``mười``
  (11 mười một) and when alone or after ``linh`` (101 một trăm linh một).
* a final 5 after ``mười``/``mươi`` is ``lăm`` (15 mười lăm, 25 hai mươi lăm), but ``năm`` when
  alone or after ``linh`` (105 một trăm linh năm).
* a final 4 after ``mươi`` is ``tư`` (24 hai mươi tư); 14 stays mười bốn.
* a zero tens digit with a non-zero unit after hundreds is ``linh`` (North) or ``lẻ`` (South):
  105 một trăm linh năm.
* inside a bigger number every group after the first is read in full, so a zero hundreds digit
  is spoken: 1023 một nghìn không trăm hai mươi ba; an all-zero group is skipped:
  1 000 005 một triệu không trăm linh năm.
* scales: nghìn (North) or ngàn (South), triệu, tỷ; beyond a tỷ the count of tỷ repeats the
  same reading (10^12 một nghìn tỷ).
"""

from __future__ import annotations

from dataclasses import dataclass

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


@dataclass(frozen=True)
class Dialect:
    """Word choices that differ between regions."""

    linh: str = "linh"  # "lẻ" in the South
    thousand: str = "nghìn"  # "ngàn" in the South
    billion: str = "tỷ"


NORTH = Dialect()
SOUTH = Dialect(linh="lẻ", thousand="ngàn")

# The Vietnamese names of the letters a ticket prefix may carry, as they are read out when
# spelling a code (one syllable where usage allows, so the call stays short).
LETTER_NAMES = {
    "A": "a",
    "Ă": "á",
    "Â": "ớ",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "Ê": "ê",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e lờ",
    "M": "em mờ",
    "N": "en nờ",
    "O": "o",
    "Ô": "ô",
    "Ơ": "ơ",
    "P": "pê",
    "Q": "quy",
    "R": "e rờ",
    "S": "ét xì",
    "T": "tê",
    "U": "u",
    "Ư": "ư",
    "V": "vê",
    "W": "vê kép",
    "X": "ích xì",
    "Y": "i dài",
    "Z": "dét",
}


def _group(n: int, full: bool, dialect: Dialect) -> list[str]:
    """Words for 0 < n < 1000; ``full`` reads a zero hundreds digit ("không trăm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append(dialect.linh)
        if units:
            words.append(DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 1:
        words.append("mốt" if tens >= 2 else "một")
    elif units == 4:
        words.append("tư" if tens >= 2 else "bốn")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _words(n: int, full: bool, dialect: Dialect) -> list[str]:
    """Words for n > 0; ``full`` when a higher group was already spoken."""
    billion = 1_000_000_000
    if n >= billion:
        head, rest = divmod(n, billion)
        words = [*_words(head, full, dialect), dialect.billion]
        return words + (_words(rest, True, dialect) if rest else [])
    scales = ((1_000_000, "triệu"), (1_000, dialect.thousand), (1, ""))
    words: list[str] = []
    for size, name in scales:
        group = n // size % 1000
        if group == 0:
            continue
        words += _group(group, full or bool(words), dialect)
        if name:
            words.append(name)
    return words


def number_words(n: int, dialect: Dialect = NORTH) -> str:
    """``n`` (a whole number, 0 or more) in Vietnamese words: 1023 → "một nghìn không trăm hai
    mươi ba"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"number_words needs a whole number, not {n!r}")
    if n < 0:
        raise ValueError(f"number_words needs a number of 0 or more, not {n}")
    if n == 0:
        return DIGITS[0]
    return " ".join(_words(n, False, dialect))


def digits_words(digits: str, dialect: Dialect = NORTH) -> str:
    """A printed run of digits read as a number that keeps its printed width.

    Leading zeros are meaningful on a ticket ("012" is what the citizen holds), so a three-digit
    run under 100 is read with its hundreds: "012" → "không trăm mười hai", "005" → "không trăm
    linh năm". A longer run with leading zeros reads the value the same way ("0012" → "không trăm
    mười hai"), and a run without leading zeros is just the number.
    """
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"expected digits, not {digits!r}")
    value = int(digits)
    if value == 0:
        return DIGITS[0]
    if len(digits) >= 3 and value < 100:
        return " ".join(_group(value, True, dialect))
    return number_words(value, dialect)


READINGS = ("number", "digits")  # how the digits of a ticket are read out


def ticket_words(number: str, dialect: Dialect = NORTH, reading: str = "number") -> str:
    """How a ticket number is announced: "1023" → "một nghìn không trăm hai mươi ba";
    "A012" → "a, không trăm mười hai" (the letter by its Vietnamese name, a pause, the digits).
    With ``reading="digits"`` (the style many centres use) each digit is said on its own, with
    a pause between: "A012" → "a, không, một, hai".

    Raises ValueError naming the problem for a ticket that is not letters followed by digits.
    """
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {', '.join(READINGS)}, not {reading!r}")
    text = number.strip().upper()
    split = len(text) - len(text.lstrip("".join(LETTER_NAMES)))
    letters, digits = text[:split], text[split:]
    if not digits:
        raise ValueError(f"ticket number {number!r} has no digits")
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"ticket number {number!r} must be letters followed by digits")
    if reading == "digits":
        spoken = ", ".join(DIGITS[int(d)] for d in digits)
    else:
        spoken = digits_words(digits, dialect)
    if not letters:
        return spoken
    return " ".join(LETTER_NAMES[c] for c in letters) + ", " + spoken


ENGLISH_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def ticket_words_en(number: str) -> str:
    """The English reading handed to the English voice: a prefixed ticket letter by letter and
    digit by digit ("A012" → "A, zero one two"), a plain number as a number ("1023")."""
    text = number.strip().upper()
    split = len(text) - len(text.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    letters, digits = text[:split], text[split:]
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"ticket number {number!r} must be letters followed by digits")
    if not letters:
        return (
            str(int(digits))
            if not digits.startswith("0")
            else " ".join(ENGLISH_DIGITS[int(d)] for d in digits)
        )
    return " ".join(letters) + ", " + " ".join(ENGLISH_DIGITS[int(d)] for d in digits)
