"""Staff sessions of the office console: a cookie, CSRF on every form, and the role check.

The cookie holds an ordinary hub session token (``s.…``, stored hashed in ``sessions``), so a
password change, a disabled account or a logout ends a console session exactly as it ends an API
one, and the token cache and expiry rules are the API's. The cookie is HttpOnly and
SameSite=Strict; on top of that every POST carries a CSRF token: an HMAC of the session token
under the console key, so nothing more is stored. Before login, a random cookie and the same value
in the form stand in (double submit), so a foreign page cannot log a browser in.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, abort, current_app, g, redirect, request, url_for

from hub.auth.access import Principal, hash_token, principal_of

F = TypeVar("F", bound=Callable[..., Any])

COOKIE = "motcua_console"
LOGIN_COOKIE = "motcua_login"
# Who may open the console and what each may do (checked on the server for every route).
CONSOLE_ROLES = ("admin", "supervisor")


def _key() -> bytes:
    return current_app.extensions["motcua.console_key"]


def csrf_for(secret: str) -> str:
    """The form token that goes with a session (or pre-login) secret."""
    return hmac.new(_key(), b"csrf:" + secret.encode(), hashlib.sha256).hexdigest()


def current() -> Principal | None:
    """The staff member whose cookie this request carries, if the session is still valid."""
    if "console_principal" in g:
        return g.console_principal
    token = request.cookies.get(COOKIE, "")
    found = None
    if token.startswith("s.") and len(token) < 200:
        found = principal_of(token, request.remote_addr)
    g.console_principal = found
    return found


def csrf_token() -> str:
    """The CSRF token for forms on this page (the session's, or the pre-login cookie's)."""
    token = request.cookies.get(COOKIE, "")
    if current() is not None:
        return csrf_for(hash_token(token))
    return csrf_for(g.get("login_nonce") or request.cookies.get(LOGIN_COOKIE, ""))


def check_csrf() -> None:
    """403 unless the form's ``csrf`` field matches this browser's session or login cookie."""
    sent = request.form.get("csrf", "")
    if current() is not None:
        wanted = csrf_for(hash_token(request.cookies.get(COOKIE, "")))
    else:
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        wanted = csrf_for(nonce) if len(nonce) >= 20 else ""
    if not (sent and wanted and hmac.compare_digest(sent, wanted)):
        abort(403, description="csrf")


def login_nonce(response: Response) -> None:
    """Give a browser without one the pre-login cookie its login form is checked against."""
    if not request.cookies.get(LOGIN_COOKIE):
        response.set_cookie(
            LOGIN_COOKIE, g.login_nonce, httponly=True, samesite="Strict",
            secure=request.is_secure, path="/console",
        )  # fmt: skip


def new_login_nonce() -> None:
    """Pick the pre-login secret this response will set (kept if the browser has one)."""
    g.login_nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)


def set_session_cookie(response: Response, token: str, max_age: int) -> None:
    """Hand the browser its session."""
    response.set_cookie(
        COOKIE, token, max_age=max_age, httponly=True, samesite="Strict",
        secure=request.is_secure, path="/",
    )  # fmt: skip


def staff(*roles: str) -> Callable[[F], F]:
    """View decorator: to the login page without a session; 403 for a role not in ``roles``;
    every POST also needs the CSRF token."""
    unknown = set(roles) - set(CONSOLE_ROLES)
    if unknown:
        raise ValueError(f"unknown console roles {unknown}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            p = current()
            if p is None or p.role not in CONSOLE_ROLES:
                if request.method == "POST" or p is not None:
                    abort(403, description="role")
                return redirect(url_for("console.login", next=request.path))
            if p.role not in roles:
                abort(403, description="role")
            if request.method == "POST":
                check_csrf()
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def init_app(app: Flask) -> None:
    """The console key: ``secret_key`` when set, else derived from the enrolment key file kept
    beside the database (not in it, so a copied database or backup cannot forge tokens)."""
    configured = app.config["MOTCUA"].secret_key
    if configured:
        key = hashlib.sha256(configured.encode()).digest()
    else:
        key = hmac.new(app.extensions["motcua.enroll_key"], b"console", hashlib.sha256).digest()
    app.extensions["motcua.console_key"] = key
