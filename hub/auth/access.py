"""Who is calling: device tokens, clerk and admin sessions, and the role checks on every change.

Tokens are random, shown once, and stored only as SHA-256 hashes. A device token starts with
``d.``, a session token with ``s.``, so one lookup finds the right table. Passwords are hashed
with PBKDF2 (werkzeug); enrolment codes are short-lived, single-use and hashed too.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import secrets
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, g, request
from werkzeug.security import check_password_hash, generate_password_hash

from hub.errors import ApiError

F = TypeVar("F", bound=Callable[..., Any])

ROLES = ("kiosk", "display", "counter", "clerk", "supervisor", "admin")
DEVICE_ROLES = ("kiosk", "display", "counter")
USER_ROLES = ("clerk", "supervisor", "admin")  # supervisor: the office console only
PASSWORD_METHOD = "pbkdf2:sha256:200000"  # a few hundred ms on a Pi: logins are rare
SESSION_HOURS = 14  # one working day, with overtime


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    role: str
    device_id: int | None = None
    username: str | None = None
    counter: int | None = None
    user_id: int | None = None
    session_id: int | None = None
    display_name: str | None = None
    address: str | None = None

    @property
    def key(self) -> str:
        """A stable identity for idempotency keys and rate limits."""
        if self.session_id is not None:
            return f"s:{self.session_id}"
        return f"d:{self.device_id}"

    def by(self) -> dict[str, Any]:
        """The ``by`` object of events: who acted, as the public may see it. Events go out on an
        anonymous stream, so no username (it is half of a login, and the audit keeps it)."""
        return {"name": self.display_name, "counter": self.counter, "device": self.device_id}


def hash_token(token: str) -> str:
    """SHA-256 hex of a token or code: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(kind: str) -> str:
    """A fresh unguessable token: ``d.…`` for devices, ``s.…`` for sessions."""
    return f"{kind}.{secrets.token_urlsafe(32)}"


def hash_password(password: str) -> str:
    """A salted slow hash of ``password``."""
    return generate_password_hash(password, method=PASSWORD_METHOD)


def check_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash."""
    return check_password_hash(stored, password)


class TokenCache:
    """Recently seen tokens, so a busy panel does not cost a query per request.

    Cleared whenever a session or device changes through the hub (login, logout) and whenever
    another process changes the database (the CLI revoking a device, a password change); entries
    also expire after :data:`TTL_S` whatever happens, and never outlive their session.
    """

    TTL_S = 5.0

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, now: float) -> Principal | None:
        """The cached principal for a token hash, if still fresh."""
        entry = self._entries.get(digest)
        if entry is None or entry[0] < now:
            return None
        return entry[1]

    def put(self, digest: str, principal: Principal, until: float) -> None:
        """Remember a principal until ``until`` (wall-clock seconds)."""
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[digest] = (until, principal)

    def clear(self) -> None:
        """Forget everything (a session or device changed)."""
        with self._lock:
            self._entries.clear()


def _lookup(token: str, address: str | None) -> Principal | None:
    now = current_app.extensions["motcua.clock"].now()
    digest = hash_token(token)
    cache: TokenCache = current_app.extensions["motcua.tokens"]
    principal = cache.get(digest, now)
    if principal is None:
        queried = _query(digest, token, now)
        if queried is None:
            return None
        principal, valid_until = queried
        cache.put(digest, principal, min(now + TokenCache.TTL_S, valid_until))
    return dataclasses.replace(principal, address=address)


def principal_of(token: str, address: str | None) -> Principal | None:
    """Who a session or device token belongs to (the console's cookie holds a session token)."""
    return _lookup(token, address)


def _query(digest: str, token: str, now: float) -> tuple[Principal, float] | None:
    # A cache miss is rare (a token's first use, or after the TTL): a pooled connection, so
    # that each of the server's many threads does not keep a connection of its own open.
    with current_app.extensions["motcua.store"].borrow() as conn:
        return _query_in(conn, digest, token, now)


def _query_in(
    conn: sqlite3.Connection, digest: str, token: str, now: float
) -> tuple[Principal, float] | None:
    if token.startswith("d."):
        row = conn.execute(
            "SELECT id, role, counter FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
            (digest,),
        ).fetchone()
        if row is None:
            return None
        return Principal(role=row[1], device_id=row[0], counter=row[2]), float("inf")
    if token.startswith("s."):
        row = conn.execute(
            "SELECT s.id, s.counter, s.device_id, u.id, u.username, u.role, u.display_name,"
            " s.expires_at"
            " FROM sessions s JOIN users u ON u.id = s.user_id"
            " LEFT JOIN devices d ON d.id = s.device_id"
            " WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? AND u.active = 1"
            " AND d.revoked_at IS NULL",  # a session opened on a revoked device ends with it
            (digest, now),
        ).fetchone()
        if row is None:
            return None
        return Principal(
            role=row[5],
            device_id=row[2],
            username=row[4],
            counter=row[1],
            user_id=row[3],
            session_id=row[0],
            display_name=row[6],
        ), row[7]
    return None


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def optional_principal() -> Principal | None:
    """The caller if it sent a valid token; None for no token or an unknown/revoked one.

    Never raises: public endpoints use it to rate-limit per device while staying public.
    """
    if "principal" in g:
        return g.principal
    token = _bearer()
    found = _lookup(token, request.remote_addr) if token else None
    if found is not None:
        g.principal = found
    return found


def authenticate() -> Principal:
    """The caller, or a 401 when there is no valid token."""
    token = _bearer()
    if token is None:
        raise ApiError(401, "unauthorized", "this call needs an Authorization: Bearer token")
    found = _lookup(token, request.remote_addr)
    if found is None:
        raise ApiError(401, "unauthorized", "the token is unknown, revoked or expired")
    g.principal = found
    return found


def require(*roles: str) -> Callable[[F], F]:
    """View decorator: 401 without a valid token, 403 when its role is not one of ``roles``."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            principal = authenticate()
            if principal.role not in roles:
                raise ApiError(
                    403,
                    "forbidden",
                    f"a {principal.role} may not do this (needs {' or '.join(roles)})",
                )
            return view(*args, **kwargs)

        return wrapped

    return decorate


def require_counter(principal: Principal, number: int) -> None:
    """403 unless ``principal`` is an admin or the clerk logged in at counter ``number``."""
    if principal.role == "admin":
        return
    if principal.role == "clerk" and principal.counter == number:
        return
    raise ApiError(
        403, "forbidden", f"only the clerk of counter {number} or an admin may act on it"
    )
