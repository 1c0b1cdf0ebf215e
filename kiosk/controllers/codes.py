"""Dossier codes as citizens type them: without their dots or dashes, or with spaces instead.

A code is ``{agency}-{yyMMdd}-{sequence}`` (DESIGN.md "Dossier"): the agency part is
dot-separated groups carrying a province (``Hnn``) or ministry (``Gnn``) code, in one of two
layouts, ``Hnn.xx`` (newer) and ``000.xx.xx.Hnn`` (older); the sequence has 4 digits in
provinces and 4 to 8 at ministries. From what was typed, :func:`readings` lists every code it
can stand for under those rules; the kiosk asks the hub when there is exactly one, and asks the
citizen to type the separators when there are several. The hub remains the judge of what a code
is (it checks, normalizes and answers): this only puts back what a keypad user left out.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_REGION = re.compile(r"^[HG]\d{2}$")
_SEGMENT = re.compile(r"^[A-Z0-9]{1,8}$")
_NEW_LAYOUT = re.compile(r"^([HG]\d{2})([A-Z0-9]{1,8})$")  # "H2122" is H21.22
_OLD_LAYOUT = re.compile(r"^(\d{3})(\d{2})(\d{2})([HG]\d{2})$")  # "0000021H21" is 000.00.21.H21
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−_]+")
FIRST_YEAR = 2000


def _agency(raw: str) -> str | None:
    """The agency part with its dots put back, or None when it cannot be one."""
    raw = raw.strip(".")
    if "." not in raw:
        for layout in (_NEW_LAYOUT, _OLD_LAYOUT):
            match = layout.match(raw)
            if match:
                raw = ".".join(match.groups())
                break
    segments = raw.split(".")
    if not 0 < len(segments) <= 6 or not all(_SEGMENT.match(s) for s in segments):
        return None
    regions = [s for s in segments if _REGION.match(s)]
    return raw if regions else None


def _valid_day(day: str, today: dt.date) -> bool:
    """A receipt date: yyMMdd, a real date, not after today."""
    if len(day) != 6 or not day.isdigit():
        return False
    try:
        date = dt.date(FIRST_YEAR + int(day[:2]), int(day[2:4]), int(day[4:]))
    except ValueError:
        return False
    return date <= today


def _code(agency_raw: str, day: str, sequence: str, today: dt.date) -> str | None:
    agency = _agency(agency_raw)
    if agency is None or not _valid_day(day, today) or not sequence.isdigit():
        return None
    province = any(s.startswith("H") and _REGION.match(s) for s in agency.split("."))
    if not (len(sequence) == 4 if province else 4 <= len(sequence) <= 8):
        return None
    return f"{agency}-{day}-{sequence}"


def readings(typed: str, today: dt.date) -> list[str]:
    """Every code ``typed`` can stand for (in a stable order), given receipts up to ``today``.

    ``["H21.22-241105-0012"]`` for "h21.22 241105 0012", "H2122-241105-0012" or
    "H21222411050012"; more than one when the separators left out matter; none when it cannot
    be a code at all (the hub then says why).
    """
    text = unicodedata.normalize("NFKC", typed).strip().upper()
    parts = [p for p in _SEPARATORS.split(text) if p]
    found: list[str] = []

    def consider(agency: str, day: str, sequence: str) -> None:
        code = _code(agency, day, sequence, today)
        if code is not None and code not in found:
            found.append(code)

    # Separators that were typed are kept: only what was left out is guessed.
    if len(parts) >= 3:  # the date and number were kept apart: spaces in the agency are dots
        consider(".".join(parts[:-2]), parts[-2], parts[-1])
    elif len(parts) == 2:  # one separator: it stands before the number, or before the date
        head, tail = parts
        consider(head[:-6], head[-6:], tail)
        consider(head, tail[:6], tail[6:])
    elif parts:  # no separator at all: the date and number are the digits at the end
        flat = parts[0]
        for length in range(4, 9):
            cut = len(flat) - length - 6
            if cut > 0:
                consider(flat[:cut], flat[cut : cut + 6], flat[cut + 6 :])
    return found


def understood(typed: str, today: dt.date) -> tuple[str, list[str]]:
    """What to ask the hub for, and the readings: the one reading when there is exactly one,
    else the text as typed (the hub explains a malformed code; several readings are shown)."""
    found = readings(typed, today)
    return (found[0] if len(found) == 1 else typed.strip()), found
