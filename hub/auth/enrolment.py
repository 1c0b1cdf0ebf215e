"""One-time enrolment codes: eight digits, keyed-hashed, used once, valid for a day.

A code is short enough for a technician to type on a panel's keypad, so its hash alone would fall
to an offline search of every possible code. The database keeps an HMAC of each code under a key
that lives in a file beside the database (``<db>.key``, mode 0600), not in it: a copied database
or backup alone does not reveal a code. Guessing online is held back by rate limits per address
and for the whole hub (:mod:`hub.auth.api`): at the default 20 attempts a minute the whole hub
tries about 29,000 codes a day, against 100,000,000 possible ones.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
from pathlib import Path

DIGITS = 8
_CODE = re.compile(r"^\d{4}-?\d{4}$")


class CodeFormatError(ValueError):
    """The text is not shaped like an enrolment code."""


def parse(text: str) -> str:
    """The code's eight digits from what was typed (``1234-5678``, spaces allowed)."""
    compact = re.sub(r"\s+", "", text)
    if not (compact.isascii() and _CODE.match(compact)):
        raise CodeFormatError("the enrolment code looks like 1234-5678")
    return compact.replace("-", "")


def new_digits() -> str:
    """A fresh random code's digits."""
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def shown(digits: str) -> str:
    """How a code is printed for the technician: ``1234-5678``."""
    return f"{digits[:4]}-{digits[4:]}"


def key_file(conn: sqlite3.Connection) -> Path:
    """The key file beside the database ``conn`` is open on."""
    for _, name, path in conn.execute("PRAGMA database_list"):
        if name == "main" and path:
            return Path(f"{path}.key")
    raise ValueError("enrolment codes need a database file (not an in-memory database)")


def load_key(path: Path) -> bytes:
    """The key in ``path``, created (32 random bytes, mode 0600) if there is none yet."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) < 32:
            raise ValueError(f"{path} is damaged: it holds {len(key)} bytes, not 32") from None
        return key
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


def digest(key: bytes, digits: str) -> str:
    """What the database keeps of a code."""
    return "h1:" + hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()
