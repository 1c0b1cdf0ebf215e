"""The clerk at the panel: log in with username and PIN/password, log out, lock when idle.

A mixin of :class:`counter_panel.controller.PanelController` (it shares the controller's state:
``busy``, ``notice``, the hub client). The lock screen checks the PIN against a salted hash kept
in memory only, so unlocking works while the hub is unreachable and nothing is written to disk.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appliance.hublink import HubError
from counter_panel.messages import LOGIN_ERRORS
from counter_panel.retry_keys import RetryKeys

MAX_UNLOCK_ATTEMPTS = 5


@dataclass(frozen=True)
class Session:
    """A clerk logged in at this counter."""

    token: str
    username: str
    display_name: str


def _verifier(password: str, salt: bytes) -> bytes:
    # Kept only in memory, so the lock screen can check the PIN even while offline.
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 20_000)


class ClerkSession:
    """Login, logout, PIN lock and idle lock (mixed into the panel controller)."""

    # Provided by the controller.
    client: Any
    counter_number: int
    tasks: Any
    busy: str | None
    notice: Any
    locked: bool
    rating_ticket: dict[str, Any] | None
    session: Session | None
    last_activity: float
    clock: Callable[[], float]
    idle_timeout_s: float
    retry_keys: RetryKeys
    _salt: bytes
    _verifier: bytes
    _unlock_failures: int

    def _changed(self) -> None: ...
    def _say(self, kind: str, msgid: str, **values: Any) -> None: ...
    def refresh(self) -> None: ...

    # -- login, logout, lock ---------------------------------------------------------------

    def login(self, username: str, password: str) -> bool:
        """Open a clerk session bound to this counter. False when refused at once."""
        self.touch()
        if self.busy is not None:
            return False
        username = username.strip()
        if not username or not password:
            self._say("error", LOGIN_ERRORS["invalid"])
            self._changed()
            return False
        body = {"username": username, "password": password, "counter": self.counter_number}
        self.busy = "login"
        self.notice = None
        self._changed()

        def done(answer: dict[str, Any]) -> None:
            self.busy = None
            user = answer.get("user") or {}
            self.session = Session(
                str(answer["token"]), username, str(user.get("display_name") or username)
            )
            self._salt = os.urandom(16)
            self._verifier = _verifier(password, self._salt)
            self.locked = False
            self._unlock_failures = 0
            self._say("info", "Welcome, {name}", name=self.session.display_name)
            self._changed()
            self.refresh()  # the counter now shows this clerk

        def failed(exc: Exception) -> None:
            self.busy = None
            code = exc.code if isinstance(exc, HubError) else "error"
            self._say("error", LOGIN_ERRORS.get(code, "The hub refused: {code}"), code=code)
            self._changed()

        self.tasks.run(lambda: self.client.request("POST", "/api/v1/sessions", body), done, failed)
        return True

    def _end_session(self) -> None:
        self.session = None
        self.locked = False
        self.rating_ticket = None
        self._verifier = b""
        self.retry_keys.clear()

    def logout(self) -> None:
        """End the clerk's session here and at the hub."""
        session = self.session
        if session is None:
            return
        self._end_session()
        self._say("info", "Logged out.")
        self._changed()

        def failed(exc: Exception) -> None:
            # The token is already forgotten here; it expires at the hub by itself.
            self._say("error", "Logged out here, but the hub could not be told.")
            self._changed()

        self.tasks.run(
            lambda: self.client.request("DELETE", "/api/v1/sessions/current", token=session.token),
            lambda _answer: self.refresh(),
            failed,
        )

    def lock(self) -> None:
        """Hide the panel behind the PIN; the session and the counter stay as they are."""
        if self.session is not None and not self.locked:
            self.locked = True
            self.notice = None
            self._changed()

    def unlock(self, password: str) -> bool:
        """Unlock with the clerk's PIN/password (checked here, so it works offline too)."""
        if self.session is None or not self.locked:
            return False
        self.touch()
        if _verifier(password, self._salt) == self._verifier:
            self.locked = False
            self._unlock_failures = 0
            self.notice = None
            self._changed()
            return True
        self._unlock_failures += 1
        if self._unlock_failures >= MAX_UNLOCK_ATTEMPTS:
            self.logout()
            self._say("error", "Too many wrong PINs: logged out.")
        else:
            self._say("error", "Wrong PIN or password.")
        self._changed()
        return False

    def touch(self, now: float | None = None) -> None:
        """Someone used the panel: the idle lock starts counting again."""
        self.last_activity = self.clock() if now is None else now

    def check_idle(self, now: float | None = None) -> None:
        """Lock if nobody has used the panel for ``idle_timeout_s`` (call it now and then)."""
        now = self.clock() if now is None else now
        if self.session and not self.locked and now - self.last_activity >= self.idle_timeout_s:
            self.lock()
