"""Console pages for staff accounts: the admin's list (create, reset a password, disable) and
everyone's own password change.

Passwords are hashed before the change goes to the writer (a slow hash on purpose: it must not
hold up the queue's writes). A reset, a disable or a change ends the account's open sessions.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask import Response, current_app, redirect, request, url_for
from markupsafe import Markup

from hub.auth.access import USER_ROLES, check_password, hash_password
from hub.auth.accounts import MIN_PASSWORD
from hub.auth.audit import audit
from hub.queue.writer import Tx
from hub.web import staff
from hub.web.console import bp, done_message, page, run
from hub.web.texts import bi, both


def _field(msgid: str) -> str:
    return both(msgid)[0]


def _users() -> list[dict[str, Any]]:
    with current_app.extensions["motcua.store"].borrow() as conn:
        return [
            dict(r)
            for r in conn.execute(
                "SELECT username, display_name, role, active FROM users ORDER BY role, username"
            )
        ]


def _accounts_page(status: int = 200, **extra: Any) -> Response:
    return page("console/accounts.html", status, users=_users(), roles=USER_ROLES, **extra)


def _refused(message: Markup) -> Response:
    return _accounts_page(400, message=message, message_kind="error", form=request.form)


def _ender(user_id: int) -> Any:
    """What ends an account's sessions inside a writer job (which runs outside the request, so
    the token cache is fetched now)."""
    tokens = current_app.extensions["motcua.tokens"]

    def end(tx: Tx) -> None:
        tx.conn.execute(
            "UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
            (tx.now, user_id),
        )
        tx.after_commit.append(tokens.clear)

    return end


@bp.get("/accounts")
@staff.staff("admin")
def accounts() -> Response:
    """Every staff account (never a password hash), and the form for a new one."""
    return _accounts_page(**done_message())


@bp.post("/accounts")
@staff.staff("admin")
def add_account() -> Response:
    """Create a staff account; every field is checked before anything is written."""
    username = request.form.get("username", "").strip()
    name = unicodedata.normalize("NFC", request.form.get("display_name", "").strip())
    role = request.form.get("role", "")
    password = request.form.get("password", "")
    if not (0 < len(username) <= 60 and username.isprintable() and " " not in username):
        return _refused(bi("{field}: 1 to 60 characters without spaces", field=_field("Username")))
    if not 0 < len(name) <= 80 or not name.isprintable():
        return _refused(bi("{field}: 1 to 80 characters", field=_field("Full name")))
    if role not in USER_ROLES:
        return _refused(bi("{field}: not a valid choice", field=_field("Role")))
    if not MIN_PASSWORD <= len(password) <= 200:
        return _refused(bi("{field}: at least {n} characters", field=_field("Password"),
                           n=MIN_PASSWORD))  # fmt: skip
    hashed = hash_password(password)
    p = staff.current()

    def op(tx: Tx) -> bool:
        if tx.conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
            return False
        tx.conn.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (username, name, role, hashed, tx.now),
        )
        audit(tx, p, "user.add", username, {"role": role, "via": "console"})
        return True

    if not run(op):
        return _refused(bi("{field}: this name is taken", field=_field("Username")))
    return redirect(url_for("console.accounts", done="account_added"), 303)


def _user_id(username: str) -> int | None:
    with current_app.extensions["motcua.store"].borrow() as conn:
        row = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
    return None if row is None else int(row[0])


@bp.post("/accounts/<username>/password")
@staff.staff("admin")
def reset_password(username: str) -> Response:
    """Give an account a new password (the person changes it after logging in)."""
    user_id = _user_id(username)
    password = request.form.get("password", "")
    if user_id is None:
        return _refused(bi("No such account"))
    if not MIN_PASSWORD <= len(password) <= 200:
        return _refused(bi("{field}: at least {n} characters", field=_field("New password"),
                           n=MIN_PASSWORD))  # fmt: skip
    hashed = hash_password(password)
    p = staff.current()
    end_sessions = _ender(user_id)

    def op(tx: Tx) -> None:
        tx.conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (hashed, user_id))
        end_sessions(tx)
        audit(tx, p, "user.password", username, {"via": "console"})

    run(op)
    return redirect(url_for("console.accounts", done="password_reset"), 303)


@bp.post("/accounts/<username>/active")
@staff.staff("admin")
def set_active(username: str) -> Response:
    """Disable (and log out) or enable an account; an admin cannot disable their own."""
    user_id = _user_id(username)
    active = request.form.get("active") == "1"
    p = staff.current()
    assert p is not None
    if user_id is None:
        return _refused(bi("No such account"))
    if user_id == p.user_id and not active:
        return _refused(bi("You cannot disable your own account"))
    end_sessions = _ender(user_id)

    def op(tx: Tx) -> None:
        tx.conn.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))
        if not active:
            end_sessions(tx)
        audit(tx, p, "user.enable" if active else "user.disable", username, {"via": "console"})

    run(op)
    return redirect(url_for("console.accounts", done="enabled" if active else "disabled"), 303)


@bp.route("/password", methods=["GET", "POST"])
@staff.staff(*staff.CONSOLE_ROLES)
def own_password() -> Response:
    """Change one's own password: the current one, then the new one twice."""
    if request.method == "GET":
        return page("console/password.html", **done_message())
    p = staff.current()
    assert p is not None
    with current_app.extensions["motcua.store"].borrow() as conn:
        stored = conn.execute("SELECT password_hash FROM users WHERE id = ?", (p.user_id,))
        stored_hash = stored.fetchone()[0]
    new = request.form.get("new", "")
    if not check_password(stored_hash, request.form.get("current", "")[:200]):
        message = bi("{field}: wrong password", field=_field("Current password"))
    elif not MIN_PASSWORD <= len(new) <= 200:
        message = bi("{field}: at least {n} characters", field=_field("New password"),
                     n=MIN_PASSWORD)  # fmt: skip
    elif new != request.form.get("again", ""):
        message = bi("{field}: the two do not match", field=_field("New password again"))
    else:
        hashed = hash_password(new)
        end_sessions = _ender(p.user_id)  # other browsers too: that is the point of changing it

        def op(tx: Tx) -> None:
            tx.conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (hashed, p.user_id))
            end_sessions(tx)
            audit(tx, p, "user.password", p.username, {"via": "console", "own": True})

        run(op)
        response = redirect(url_for("console.login", done="password_changed"), 303)
        response.delete_cookie(staff.COOKIE, path="/")
        return response
    return page("console/password.html", 400, message=message, message_kind="error")
