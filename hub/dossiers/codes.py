"""Dossier codes as printed on receipts, and everything people and scanners make of them.

A code is ``{agency}-{yyMMdd}-{sequence}``. The agency part is dot-separated segments that carry
the province code (``H21`` is Gia Lai) or a ministry code (``G01``…): older codes lead with
``000.xx.xx.Hnn``, newer ones with ``Hnn.…``. The sequence has 4 digits in provinces and more at
ministries. What arrives can be typed in lower case with spaces, or scanned: a bare code, a
lookup URL carrying it (``…/tra-cuu?ma=H21.22-241105-0012``), a barcode payload with an AIM
symbology prefix and a trailing CR/LF, or a ``key: value`` pair.

Pure functions, no I/O: :func:`normalize_code` returns the canonical code or raises
:class:`InvalidCode` whose message names what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import parse_qsl, unquote, urlsplit

from hub.digits import is_digits

MAX_INPUT = 512  # a lookup URL with tracking junk fits; anything longer is not a receipt
MAX_CODE = 48

# Query keys lookup pages use for the code, compared in lower case.
URL_KEYS = ("ma", "code", "mahoso", "ma_ho_so", "ma-ho-so", "sohoso", "hoso", "q", "id")

_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")  # e.g. "]Q1", "]C1" added by scanners
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−_"), "-")
_SEGMENT = re.compile(r"^[A-Z0-9]{1,8}$")
_REGION = re.compile(r"^[HG]\d{2}$")  # a province (Hnn) or a ministry (Gnn) code
_ALLOWED = re.compile(r"^[A-Z0-9.\-]+$")
_KEY_VALUE = re.compile(r"^[A-Za-z_ ]{1,20}[:=]\s*(.+)$")


class InvalidCode(ValueError):
    """What was typed or scanned is not a dossier code; ``str(exc)`` says what is wrong."""


def normalize_code(raw: str) -> str:
    """The canonical code in ``raw`` (typed or scanned), or :class:`InvalidCode`."""
    if not isinstance(raw, str):
        raise InvalidCode("the code must be text")
    text = unicodedata.normalize("NFKC", raw)  # full-width digits from some IMEs become ASCII
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")  # CR, LF, GS, …
    text = text.strip()
    if not text:
        raise InvalidCode("the code is empty")
    if len(text) > MAX_INPUT:
        raise InvalidCode(f"the input is too long ({len(text)} characters) to be a dossier code")
    text = _AIM_PREFIX.sub("", text)
    text = _unwrap(text)
    return _check(text)


def is_code(raw: str) -> bool:
    """True when ``raw`` normalizes to a dossier code."""
    try:
        normalize_code(raw)
    except InvalidCode:
        return False
    return True


def _unwrap(text: str) -> str:
    """The code inside a scanned URL or ``key: value`` payload; ``text`` itself otherwise."""
    lowered = text.lower()
    if lowered.startswith(("http://", "https://", "www.")) or "/" in text or "?" in text:
        return _from_url(text)
    match = _KEY_VALUE.match(text)
    if match:
        return match.group(1).strip()
    return text


def _from_url(text: str) -> str:
    try:
        parts = urlsplit(text if "://" in text else f"https://{text}")
    except ValueError:  # e.g. an unclosed '[' reads as a broken IPv6 address
        raise InvalidCode("the scanned link is not a valid address") from None
    params = {k.strip().lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    params.update(
        {k.strip().lower(): v for k, v in parse_qsl(parts.fragment, keep_blank_values=True)}
    )
    for key in URL_KEYS:
        if params.get(key, "").strip():
            return params[key].strip()
    segments = [unquote(s) for s in parts.path.split("/") if s.strip()]
    if segments and "-" in segments[-1]:
        return segments[-1].strip()
    raise InvalidCode(
        "the scanned link carries no dossier code (expected ?ma=… or ?code=… or a code at its end)"
    )


def _check(text: str) -> str:
    code = re.sub(r"\s+", "", text).translate(_DASHES).upper()
    if not code:
        raise InvalidCode("the code is empty")
    if len(code) > MAX_CODE:
        raise InvalidCode(f"the code is too long ({len(code)} characters, at most {MAX_CODE})")
    bad = sorted({ch for ch in code if not _ALLOWED.match(ch)})
    if bad:
        shown = " ".join(repr(ch) for ch in bad[:5])
        raise InvalidCode(f"the code may hold only letters, digits, dots and dashes; found {shown}")
    parts = code.split("-")
    if len(parts) != 3:
        raise InvalidCode(
            f"a dossier code has three parts separated by dashes (agency-yyMMdd-number), "
            f"this has {len(parts)}"
        )
    agency, day, sequence = parts
    _check_agency(agency)
    _check_day(day)
    if not is_digits(sequence, 8) or len(sequence) < 4:
        raise InvalidCode(
            f"the last part must be the receipt number, 4 to 8 digits, not {sequence!r}"
        )
    return code


def _check_agency(agency: str) -> None:
    if not agency:
        raise InvalidCode("the agency part (before the first dash) is missing")
    segments = agency.split(".")
    if len(segments) > 6 or any(not _SEGMENT.match(s) for s in segments):
        raise InvalidCode(
            f"the agency part {agency!r} must be up to 6 dot-separated groups of letters and digits"
        )
    if not any(_REGION.match(s) for s in segments):
        raise InvalidCode(
            f"the agency part {agency!r} carries no province or ministry code (such as H21 or G01)"
        )


def _check_day(day: str) -> None:
    if not (len(day) == 6 and is_digits(day)):
        raise InvalidCode(f"the middle part must be the receipt date as yyMMdd, not {day!r}")
    try:
        dt.date(2000 + int(day[:2]), int(day[2:4]), int(day[4:]))
    except ValueError:
        raise InvalidCode(f"the middle part {day!r} is not a real date (yyMMdd)") from None
