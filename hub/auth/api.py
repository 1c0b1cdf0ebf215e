"""Enrolment, device heartbeats, clerk and admin sessions.

Login is rate-limited per (username, address), per address and for the whole hub, before any
password is checked: guessing is slow whether it targets one account or sprays many, and nobody
can lock a clerk out by spending the clerk's attempts from elsewhere. Enrolment is limited per
address and for the whole hub, and every failed attempt leaves an audit row.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request

from hub.api_util import get_int, get_str, json_body, json_response, perform
from hub.auth import accounts, enrolment
from hub.auth.access import (
    SESSION_HOURS,
    Principal,
    check_password,
    hash_token,
    new_token,
    optional_principal,
    require,
)
from hub.auth.audit import audit
from hub.auth.ratelimit import RateLimiter
from hub.errors import ApiError, bad_request
from hub.queue.writer import Tx

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__, url_prefix="/api/v1")
GLOBAL_FACTOR = 6  # the hub's login attempts a minute, as a multiple of one address's
ENROLMENTS_PER_MINUTE = 20  # for the whole hub: see hub.auth.enrolment
# A fixed hash to check against when the username is unknown, so timing does not tell.
_DUMMY_HASH = "pbkdf2:sha256:200000$dummysalt$" + "0" * 64


def _limiter() -> RateLimiter:
    return current_app.extensions["motcua.login_limiter"]


@bp.post("/devices/enroll")
def enroll() -> Response:
    """Trade a one-time enrolment code for a device token (shown once, stored hashed)."""
    data = json_body()
    code = get_str(data, "code", max_len=20) or ""
    name = get_str(data, "name", max_len=80) or ""
    try:
        digits = enrolment.parse(code)
    except enrolment.CodeFormatError as exc:
        raise bad_request(str(exc), "code") from None
    address = request.remote_addr or "?"
    _limiter().check(f"enroll:{address}", "enrolment attempts")
    current_app.extensions["motcua.enroll_limiter"].check("enroll", "enrolment attempts")
    digest = enrolment.digest(current_app.extensions["motcua.enroll_key"], digits)
    refused = ApiError(
        401, "unauthorized", "the enrolment code is unknown, used or expired", "code"
    )
    usable = (
        "SELECT role, counter FROM enroll_codes WHERE code_hash = ? AND used_at IS NULL"
        " AND expires_at > ?"
    )
    with current_app.extensions["motcua.store"].borrow() as conn:  # enrolments are rare
        now = current_app.extensions["motcua.clock"].now()
        found = conn.execute(usable, (digest, now)).fetchone()
    if found is None:
        current_app.extensions["motcua.writer"].run(
            lambda tx: audit(tx, None, "device.enroll_failed", None, {"name": name},
                             username=None, address=address)
        )  # fmt: skip
        raise refused

    def op(tx: Tx) -> dict[str, Any]:
        row = tx.conn.execute(usable, (digest, tx.now)).fetchone()
        if row is None:  # used by a request that got in just before this one
            raise refused

        token = new_token("d")
        cur = tx.conn.execute(
            "INSERT INTO devices (name, role, counter, token_hash, enrolled_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (name, row["role"], row["counter"], hash_token(token), tx.now),
        )
        device_id = int(cur.lastrowid or 0)
        tx.conn.execute(
            "UPDATE enroll_codes SET used_at = ?, device_id = ? WHERE code_hash = ?",
            (tx.now, device_id, digest),
        )
        audit(tx, None, "device.enroll", str(device_id), {"name": name, "role": row["role"]},
              username=None, address=address)  # fmt: skip
        return {"device_id": device_id, "role": row["role"], "counter": row["counter"],
                "token": token}  # fmt: skip

    return perform(op, 201, secret=True)


@bp.post("/devices/heartbeat")
@require("kiosk", "display", "counter")
def heartbeat() -> Response:
    """A device says it is alive, with free-form status (printer paper, screen, version)."""
    data = json_body(required=False)
    status = data.get("status", {})
    if not isinstance(status, dict):
        raise bad_request("'status' must be a JSON object", "status")
    text = json.dumps(status, ensure_ascii=False)
    if len(text) > 4000:
        raise bad_request("'status' is too large (4000 characters at most)", "status")
    device_id = g.principal.device_id

    def op(tx: Tx) -> None:
        tx.conn.execute(
            "UPDATE devices SET last_seen_at = ?, status = ? WHERE id = ?",
            (tx.now, text, device_id),
        )

    response = perform(op, 204)
    alert_watch_check()  # a printer out of paper reaches the panels now, not in 30 s
    return response


def alert_watch_check() -> None:
    """Publish a change of the active alerts; a failure is logged, never the heartbeat's."""
    try:
        current_app.extensions["motcua.alert_watch"].check()
    except Exception:
        log.exception("alert check after a heartbeat failed")


def check_login_limits(username: str, address: str) -> None:
    """A 429 ApiError when this login attempt is over a limit: per (username, address), per
    address, or for the whole hub. The API and the console share the buckets."""
    _limiter().check(f"login-user:{username.lower()}@{address}", "login attempts")
    _limiter().check(f"login-addr:{address}", "login attempts")
    current_app.extensions["motcua.global_login_limiter"].check("login", "login attempts")


def verify_credentials(username: str, password: str) -> sqlite3.Row | None:
    """The active account if ``password`` is its password, else None; an unknown name costs
    the same hashing, so timing does not tell which."""
    with current_app.extensions["motcua.store"].borrow() as conn:  # logins are rare
        user = conn.execute(
            "SELECT id, username, display_name, role, password_hash FROM users"
            " WHERE username = ? AND active = 1",
            (username,),
        ).fetchone()
    if not check_password(user["password_hash"] if user else _DUMMY_HASH, password):
        return None
    return user


@bp.post("/sessions")
def login() -> Response:
    """Log a clerk in at a counter (from a counter device), or an admin anywhere."""
    data = json_body()
    username = get_str(data, "username", max_len=60) or ""
    password = data.get("password")
    if not isinstance(password, str) or not password:
        raise bad_request("'password' is required", "password")
    counter = get_int(data, "counter", required=False, lo=1)
    device = optional_principal()
    if request.headers.get("Authorization") and device is None:
        raise ApiError(401, "unauthorized", "the device token is unknown or revoked")
    address = request.remote_addr or "?"
    check_login_limits(username, address)
    user = verify_credentials(username, password)
    if user is None:
        current_app.extensions["motcua.writer"].run(
            lambda tx: audit(tx, device, "session.login_failed", username, address=address)
        )
        raise ApiError(401, "unauthorized", "wrong username or password")
    if user["role"] == "clerk" or counter is not None:
        with current_app.extensions["motcua.store"].borrow() as conn:
            _check_counter_login(conn, device, counter)
            _check_assigned(conn, user, counter)
    token = new_token("s")
    writer_op = _session_op(user, counter, device, token, address)
    # Idempotency of a login is scoped to the device (or the address for an admin without one).
    if device is not None:
        g.principal = device
    return perform(writer_op, 201, secret=True)


def _check_counter_login(conn: Any, device: Principal | None, counter: int | None) -> None:
    if device is None:
        raise ApiError(401, "unauthorized", "a clerk logs in from a counter device (its token)")
    if device.role != "counter":
        raise ApiError(403, "forbidden", f"a {device.role} device cannot log a clerk in")
    if counter is None:
        raise bad_request("'counter' is required for a clerk", "counter")
    if device.counter is not None and device.counter != counter:
        raise ApiError(403, "forbidden", f"this device belongs to counter {device.counter}")
    row = conn.execute("SELECT active FROM counters WHERE number = ?", (counter,)).fetchone()
    if row is None or not row[0]:
        raise ApiError(404, "not_found", f"no counter {counter}", "counter")


def _check_assigned(conn: Any, user: Any, counter: int | None) -> None:
    """A clerk given counters in the console logs in only at those."""
    allowed = accounts.counters_of(conn, user["id"])
    if user["role"] == "clerk" and allowed and counter not in allowed:
        listed = ", ".join(map(str, allowed))
        raise ApiError(403, "forbidden", f"{user['username']} works at counter {listed} only")


def _session_op(user: Any, counter: int | None, device: Principal | None, token: str, address: str):
    ops = current_app.extensions["motcua.counter_ops"]
    tokens = current_app.extensions["motcua.tokens"]
    hours = SESSION_HOURS

    def op(tx: Tx) -> dict[str, Any]:
        tx.after_commit.append(tokens.clear)  # an earlier session at this counter ended
        if counter is not None:  # one clerk per counter: a new login ends the previous session
            tx.conn.execute(
                "UPDATE sessions SET ended_at = ? WHERE counter = ? AND ended_at IS NULL",
                (tx.now, counter),
            )
        cur = tx.conn.execute(
            "INSERT INTO sessions (token_hash, user_id, counter, device_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (hash_token(token), user["id"], counter, device.device_id if device else None,
             tx.now, tx.now + hours * 3600),
        )  # fmt: skip
        p = Principal(
            role=user["role"], username=user["username"], user_id=user["id"], address=address,
            device_id=device.device_id if device else None, counter=counter,
            session_id=int(cur.lastrowid or 0),
        )  # fmt: skip
        audit(tx, p, "session.login", str(counter) if counter else None)
        if counter is not None:
            ops.clerk_in(tx, p, counter, user["id"], user["display_name"])
        return {
            "token": token,
            "user": {
                "username": user["username"],
                "display_name": user["display_name"],
                "role": user["role"],
            },
            "counter": counter,
        }

    return op


@bp.delete("/sessions/current")
@require("clerk", "admin")
def logout() -> Response:
    """End this session; the counter closes if this clerk was at it."""
    p: Principal = g.principal
    if p.session_id is None:
        raise ApiError(403, "forbidden", "only a session can log out")
    ops = current_app.extensions["motcua.counter_ops"]
    tokens = current_app.extensions["motcua.tokens"]

    def op(tx: Tx) -> None:
        tx.after_commit.append(tokens.clear)
        tx.conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (tx.now, p.session_id))
        audit(tx, p, "session.logout", str(p.counter) if p.counter else None)
        if p.counter is not None and p.user_id is not None:
            ops.clerk_out(tx, p, p.counter, p.user_id)

    return perform(op, 204)


@bp.get("/sessions/current")
@require("clerk", "admin", "kiosk", "display", "counter")
def whoami() -> Response:
    """Who the token belongs to (appliances check their token at start-up)."""
    p: Principal = g.principal
    return json_response(
        {"role": p.role, "username": p.username, "display_name": p.display_name,
         "counter": p.counter, "device_id": p.device_id}
    )  # fmt: skip


def init_app(app: Flask) -> None:
    """Register the auth endpoints and the login rate limiter."""
    settings = app.config["MOTCUA"]
    app.extensions["motcua.login_limiter"] = RateLimiter(settings.login_attempts_per_minute)
    # The whole hub: enough for a busy office's logins, far too few for guessing.
    app.extensions["motcua.global_login_limiter"] = RateLimiter(
        settings.login_attempts_per_minute * GLOBAL_FACTOR
    )
    app.extensions["motcua.enroll_limiter"] = RateLimiter(ENROLMENTS_PER_MINUTE)
    store = app.extensions["motcua.store"]
    app.extensions["motcua.enroll_key"] = enrolment.load_key(enrolment.key_file(store.conn()))
    app.register_blueprint(bp)
