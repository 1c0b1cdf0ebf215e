"""The office layout: services and counters, from a TOML file (or a dict of the same shape).

```toml
[[services]]
code = "A"
name_vi = "A – Đất đai, xây dựng"
name_en = "A – Land and construction"
prefix = "A"            # printed before the number: A001
number_start = 1        # optional; 1001 gives 1001, 1002 …
digits = 3              # optional; zero-padded width
opens_at = "07:30"      # optional, with closes_at: outside these hours no tickets are issued
closes_at = "17:00"
daily_limit = 300       # optional

[[counters]]
number = 1
name = "Quầy 1"
services = ["A", "B"]   # in order of preference
```

Loading is an upsert: services and counters named in the file are created or updated, others
are left alone (set ``active = false`` to retire one; nothing is deleted, history needs it).
"""

from __future__ import annotations

import re
import sqlite3
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_CODE = re.compile(r"^[A-Z0-9]{1,10}$")


SERVICE_KEYS = {"code", "name_vi", "name_en", "prefix", "number_start", "digits", "opens_at",
                "closes_at", "daily_limit", "position", "active"}  # fmt: skip


class OfficeError(ValueError):
    """The office description is wrong; the message names the entry and key."""


def read_file(path: Path | str) -> dict[str, Any]:
    """Parse an office TOML file."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise OfficeError(f"office file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise OfficeError(f"{path} is not valid TOML: {exc}") from None


def _text(entry: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise OfficeError(f"{where}: '{key}' is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise OfficeError(f"{where}: '{key}' must be non-empty text")
    return unicodedata.normalize("NFC", value.strip())


def _int(entry: dict[str, Any], key: str, where: str, default: int | None, lo: int) -> int | None:
    value = entry.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise OfficeError(f"{where}: '{key}' must be a whole number ≥ {lo}")
    return value


def _service(entry: Any, index: int) -> dict[str, Any]:
    where = f"services[{index}]"
    if not isinstance(entry, dict):
        raise OfficeError(f"{where} must be a table")
    unknown = set(entry) - SERVICE_KEYS
    if unknown:
        raise OfficeError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    code = _text(entry, "code", where) or ""
    if not _CODE.match(code):
        raise OfficeError(f"{where}: 'code' must be 1-10 capital letters or digits, not {code!r}")
    hours = {}
    for key in ("opens_at", "closes_at"):
        value = _text(entry, key, where, required=False)
        if value is not None and not _HHMM.match(value):
            raise OfficeError(f"{where}: '{key}' must be HH:MM, not {value!r}")
        hours[key] = value
    active = entry.get("active", True)
    if not isinstance(active, bool):
        raise OfficeError(f"{where}: 'active' must be true or false")
    return {
        "code": code,
        "name_vi": _text(entry, "name_vi", where),
        "name_en": _text(entry, "name_en", where),
        "prefix": _text(entry, "prefix", where, required=False) or code,
        "number_start": _int(entry, "number_start", where, 1, 0),
        "digits": _int(entry, "digits", where, 3, 1),
        **hours,
        "daily_limit": _int(entry, "daily_limit", where, None, 1),
        "position": _int(entry, "position", where, index, 0),
        "active": int(active),
    }


def _counter(entry: Any, index: int, known: set[str]) -> dict[str, Any]:
    where = f"counters[{index}]"
    if not isinstance(entry, dict):
        raise OfficeError(f"{where} must be a table")
    unknown = set(entry) - {"number", "name", "services", "active"}
    if unknown:
        raise OfficeError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    number = _int(entry, "number", where, None, 1)
    if number is None:
        raise OfficeError(f"{where}: 'number' is required")
    services = entry.get("services")
    if (
        not isinstance(services, list)
        or not services
        or not all(isinstance(s, str) for s in services)
    ):
        raise OfficeError(f"{where}: 'services' must be a non-empty list of service codes")
    missing = [s for s in services if s not in known]
    if missing:
        raise OfficeError(f"{where}: unknown service(s) {', '.join(missing)}")
    active = entry.get("active", True)
    if not isinstance(active, bool):
        raise OfficeError(f"{where}: 'active' must be true or false")
    name = _text(entry, "name", where, required=False) or f"Quầy {number}"
    return {"number": number, "name": name, "services": services, "active": int(active)}


def load(conn: sqlite3.Connection, data: dict[str, Any]) -> tuple[int, int]:
    """Check then upsert the services and counters of ``data``; return how many of each.

    Run inside a transaction: a bad entry raises :class:`OfficeError` and nothing is written.
    """
    unknown = set(data) - {"services", "counters"}
    if unknown:
        raise OfficeError(f"unknown section(s) {', '.join(sorted(unknown))}")
    services = [_service(e, i) for i, e in enumerate(data.get("services", []))]
    codes = [s["code"] for s in services]
    if len(set(codes)) != len(codes):
        raise OfficeError("services: a code appears twice")
    known = set(codes) | {r[0] for r in conn.execute("SELECT code FROM services")}
    counters = [_counter(e, i, known) for i, e in enumerate(data.get("counters", []))]
    numbers = [c["number"] for c in counters]
    if len(set(numbers)) != len(numbers):
        raise OfficeError("counters: a number appears twice")
    for s in services:
        conn.execute(
            "INSERT INTO services (code, name_vi, name_en, prefix, number_start, digits, opens_at,"
            " closes_at, daily_limit, position, active) VALUES (:code, :name_vi, :name_en,"
            " :prefix, :number_start, :digits, :opens_at, :closes_at, :daily_limit, :position,"
            " :active) ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi,"
            " name_en = excluded.name_en, prefix = excluded.prefix,"
            " number_start = excluded.number_start, digits = excluded.digits,"
            " opens_at = excluded.opens_at, closes_at = excluded.closes_at,"
            " daily_limit = excluded.daily_limit, position = excluded.position,"
            " active = excluded.active",
            s,
        )
    for c in counters:
        conn.execute(
            "INSERT INTO counters (number, name, active) VALUES (?, ?, ?) ON CONFLICT (number)"
            " DO UPDATE SET name = excluded.name, active = excluded.active",
            (c["number"], c["name"], c["active"]),
        )
        conn.execute("DELETE FROM counter_services WHERE counter = ?", (c["number"],))
        conn.executemany(
            "INSERT INTO counter_services (counter, service, rank) VALUES (?, ?, ?)",
            [(c["number"], code, rank) for rank, code in enumerate(c["services"])],
        )
    return len(services), len(counters)


def describe(conn: sqlite3.Connection) -> dict[str, Any]:
    """The current layout in the file's shape (for ``motcua services list`` and the demo)."""
    services = [
        {k: r[k] for k in r.keys()}  # noqa: SIM118  (sqlite3.Row has keys(), not iteration)
        for r in conn.execute("SELECT * FROM services ORDER BY position, code")
    ]
    counters = []
    for r in conn.execute("SELECT number, name, state, active FROM counters ORDER BY number"):
        codes = [
            x[0]
            for x in conn.execute(
                "SELECT service FROM counter_services WHERE counter = ? ORDER BY rank", (r[0],)
            )
        ]
        counters.append(
            {"number": r[0], "name": r[1], "state": r[2], "active": bool(r[3]), "services": codes}
        )
    return {"services": services, "counters": counters}
