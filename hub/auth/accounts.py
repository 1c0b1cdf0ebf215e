"""Administration of staff accounts, enrolment codes and devices (used by the CLI and the demo).

These run on a connection inside a transaction, against the same database file the hub serves
(SQLite lets the CLI write beside a running hub). Each change leaves an audit line.
"""

from __future__ import annotations

import sqlite3
import time
import unicodedata
from typing import Any

from hub.auth import enrolment
from hub.auth.access import DEVICE_ROLES, USER_ROLES, hash_password, hash_token, new_token
from hub.auth.audit import audit

ENROLL_CODE_TTL_S = 24 * 3600
MIN_PASSWORD = 8


class AccountError(ValueError):
    """A refused administration request; the message says why."""


def add_user(
    conn: sqlite3.Connection, username: str, password: str, role: str, display_name: str
) -> int:
    """Create a staff account; refuses a duplicate username, a weak password, an unknown role."""
    username = username.strip()
    if not username or len(username) > 60 or not username.isprintable() or " " in username:
        raise AccountError("the username must be 1-60 characters without spaces")
    if role not in USER_ROLES:
        raise AccountError(f"role must be one of {', '.join(USER_ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
        raise AccountError(f"user {username!r} already exists")
    cur = conn.execute(
        "INSERT INTO users (username, display_name, role, password_hash, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (username, unicodedata.normalize("NFC", display_name.strip() or username), role,
         hash_password(password), time.time()),
    )  # fmt: skip
    audit(conn, None, "user.add", username, {"role": role})
    return int(cur.lastrowid or 0)


def set_password(conn: sqlite3.Connection, username: str, password: str) -> None:
    """Change a password and end the user's open sessions."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    row = _user(conn, username)
    conn.execute(
        "UPDATE users SET password_hash = ? WHERE id = ?", (hash_password(password), row[0])
    )
    conn.execute(
        "UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
        (time.time(), row[0]),
    )
    audit(conn, None, "user.password", username)


def set_active(conn: sqlite3.Connection, username: str, active: bool) -> None:
    """Disable (and log out) or re-enable an account; accounts are never deleted."""
    row = _user(conn, username)
    conn.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), row[0]))
    if not active:
        conn.execute(
            "UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
            (time.time(), row[0]),
        )
    audit(conn, None, "user.enable" if active else "user.disable", username)


def _user(conn: sqlite3.Connection, username: str) -> sqlite3.Row:
    row = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
    if row is None:
        raise AccountError(f"no user {username!r}")
    return row


def set_counters(conn: sqlite3.Connection, username: str, counters: list[int]) -> None:
    """The counters ``username`` (a clerk) may log in at; none: any counter."""
    user = conn.execute("SELECT id, role FROM users WHERE username = ?", (username,)).fetchone()
    if user is None:
        raise AccountError(f"no user {username!r}")
    if user[1] != "clerk":
        raise AccountError(f"{username!r} is not a clerk")
    known = {r[0] for r in conn.execute("SELECT number FROM counters")}
    unknown = sorted(set(counters) - known)
    if unknown:
        raise AccountError(f"no counter {', '.join(map(str, unknown))}")
    conn.execute("DELETE FROM user_counters WHERE user_id = ?", (user[0],))
    conn.executemany(
        "INSERT INTO user_counters (user_id, counter) VALUES (?, ?)",
        [(user[0], n) for n in sorted(set(counters))],
    )


def counters_of(conn: sqlite3.Connection, user_id: int) -> list[int]:
    """The counters this user may log in at, in order; empty: any."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT counter FROM user_counters WHERE user_id = ? ORDER BY counter", (user_id,)
        )
    ]


def list_users(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every account (without password hashes)."""
    return [
        {"username": r[0], "display_name": r[1], "role": r[2], "active": bool(r[3])}
        for r in conn.execute(
            "SELECT username, display_name, role, active FROM users ORDER BY username"
        )
    ]


def _check_device_role(role: str, counter: int | None) -> None:
    if role not in DEVICE_ROLES:
        raise AccountError(f"role must be one of {', '.join(DEVICE_ROLES)}, not {role!r}")
    if counter is not None and role != "counter":
        raise AccountError("only a counter device is bound to a counter")


def enroll_code(
    conn: sqlite3.Connection, role: str, counter: int | None = None,
    ttl_s: float = ENROLL_CODE_TTL_S,
) -> str:  # fmt: skip
    """A one-time code ``1234-5678`` that enrols one device of ``role`` (valid ``ttl_s``)."""
    _check_device_role(role, counter)
    key = enrolment.load_key(enrolment.key_file(conn))
    while True:
        digits = enrolment.new_digits()
        digest = enrolment.digest(key, digits)
        if not conn.execute("SELECT 1 FROM enroll_codes WHERE code_hash = ?", (digest,)).fetchone():
            break
    now = time.time()
    conn.execute(
        "INSERT INTO enroll_codes (code_hash, role, counter, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (digest, role, counter, now, now + ttl_s),
    )
    audit(conn, None, "device.enroll_code", role, {"counter": counter})
    return enrolment.shown(digits)


def add_device(
    conn: sqlite3.Connection, name: str, role: str, counter: int | None = None
) -> tuple[int, str]:
    """Enrol a device directly (demo, tests, provisioning); returns (id, token)."""
    _check_device_role(role, counter)
    token = new_token("d")
    cur = conn.execute(
        "INSERT INTO devices (name, role, counter, token_hash, enrolled_at) VALUES (?, ?, ?, ?, ?)",
        (name, role, counter, hash_token(token), time.time()),
    )
    audit(conn, None, "device.add", str(cur.lastrowid), {"name": name, "role": role})
    return int(cur.lastrowid or 0), token


def revoke_device(conn: sqlite3.Connection, device_id: int) -> int:
    """Revoke a device token at once (its next request gets 401), and end the clerk sessions
    opened on it: a stolen counter panel must not keep a clerk's session alive for hours.
    Returns how many sessions ended."""
    row = conn.execute("SELECT revoked_at FROM devices WHERE id = ?", (device_id,)).fetchone()
    if row is None:
        raise AccountError(f"no device {device_id}")
    if row[0] is not None:
        raise AccountError(f"device {device_id} is already revoked")
    now = time.time()
    conn.execute("UPDATE devices SET revoked_at = ? WHERE id = ?", (now, device_id))
    ended = conn.execute(
        "UPDATE sessions SET ended_at = ? WHERE device_id = ? AND ended_at IS NULL",
        (now, device_id),
    ).rowcount
    audit(conn, None, "device.revoke", str(device_id), {"sessions_ended": ended})
    return ended


def list_devices(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every device with its role, state and last heartbeat."""
    return [
        {"id": r[0], "name": r[1], "role": r[2], "counter": r[3], "revoked": r[4] is not None,
         "last_seen_at": r[5], "status": r[6]}
        for r in conn.execute(
            "SELECT id, name, role, counter, revoked_at, last_seen_at, status FROM devices"
            " ORDER BY id"
        )
    ]  # fmt: skip


def ensure_device(
    conn: sqlite3.Connection, name: str, role: str, counter: int | None = None
) -> tuple[int, str]:
    """The demo's fixed devices: give the active device of this name and role a fresh token
    (tokens are stored hashed, so the old one cannot be shown again), creating it if needed."""
    _check_device_role(role, counter)
    row = conn.execute(
        "SELECT id FROM devices WHERE name = ? AND role = ? AND revoked_at IS NULL",
        (name, role),
    ).fetchone()
    if row is None:
        return add_device(conn, name, role, counter)
    token = new_token("d")
    conn.execute(
        "UPDATE devices SET token_hash = ?, counter = ? WHERE id = ?",
        (hash_token(token), counter, row[0]),
    )
    return int(row[0]), token


def ensure_user(
    conn: sqlite3.Connection, username: str, password: str, role: str, display_name: str
) -> None:
    """Create the account, or reset its password, role and name (demo and test seeding)."""
    if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone() is None:
        add_user(conn, username, password, role, display_name)
        return
    conn.execute(
        "UPDATE users SET password_hash = ?, role = ?, display_name = ?, active = 1"
        " WHERE username = ?",
        (hash_password(password), role, display_name, username),
    )
