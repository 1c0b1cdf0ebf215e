"""The clerk at the panel: log in with username and PIN/password, log out, lock when idle.

The lock screen checks the PIN against a salted hash kept in memory only, so unlocking works
while the hub is unreachable and nothing is written to disk.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appliance.hublink import HubClient
from appliance.tasks import Tasks
from counter_panel.messages import LOGIN_ERRORS, Notice
from counter_panel.sender import ActionSender, Say, error_code
from motcua.i18n import N_

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
    """Who is logged in at this counter, and whether the panel is locked."""

    def __init__(
        self,
        client: HubClient,
        tasks: Tasks,
        counter: int,
        sender: ActionSender,
        clock: Callable[[], float],
        idle_timeout_s: float,
        say: Say,
        changed: Callable[[], None],
        *,
        refresh: Callable[[], None],
        ended: Callable[[], None],
    ) -> None:
        self._client = client
        self._tasks = tasks
        self._counter = counter
        self._sender = sender
        self._clock = clock
        self.idle_timeout_s = idle_timeout_s
        self._say = say
        self._changed = changed
        self._refresh = refresh  # the counter's state changed at the hub: load it again
        self._ended = ended  # what goes with the session (a rating asked, keys of presses)
        self.session: Session | None = None
        self.locked = False
        self.last_activity = clock()
        self._salt = b""
        self._verifier = b""
        self._unlock_failures = 0

    def token(self) -> str | None:
        """The session's token for the hub, None when nobody is logged in."""
        return self.session.token if self.session else None

    def login(self, username: str, password: str) -> bool:
        """Open a clerk session bound to this counter. False when refused at once."""
        self.touch()
        if self._sender.busy is not None:
            return False
        username = username.strip()
        if not username or not password:
            self._say(Notice("error", LOGIN_ERRORS["invalid"]))
            self._changed()
            return False
        body = {"username": username, "password": password, "counter": self._counter}
        self._say(None)

        def done(answer: dict[str, Any]) -> None:
            user = answer.get("user") or {}
            name = str(user.get("display_name") or username)
            self.session = Session(str(answer["token"]), username, name)
            self._salt = os.urandom(16)
            self._verifier = _verifier(password, self._salt)
            self.locked = False
            self._unlock_failures = 0
            self._say(Notice("info", N_("Welcome, {name}"), {"name": name}))
            self._changed()
            self._refresh()  # the counter now shows this clerk

        def failed(exc: Exception) -> None:
            code = error_code(exc)
            msgid = LOGIN_ERRORS.get(code, "The hub refused: {code}")
            self._say(Notice("error", msgid, {"code": code}))
            self._changed()

        return self._sender.send(
            "login", "/api/v1/sessions", body, press=None, token=None, done=done, failed=failed
        )

    def end(self) -> None:
        """Forget the session here (the hub ended it, or the clerk logged out)."""
        self.session = None
        self.locked = False
        self._verifier = b""
        self._ended()

    def logout(self) -> None:
        """End the clerk's session here and at the hub."""
        session = self.session
        if session is None:
            return
        self.end()
        self._say(Notice("info", N_("Logged out.")))
        self._changed()

        def failed(exc: Exception) -> None:
            # The token is already forgotten here; it expires at the hub by itself.
            self._say(Notice("error", N_("Logged out here, but the hub could not be told.")))
            self._changed()

        self._tasks.run(
            lambda: self._client.request("DELETE", "/api/v1/sessions/current", token=session.token),
            lambda _answer: self._refresh(),
            failed,
        )

    def lock(self) -> None:
        """Hide the panel behind the PIN; the session and the counter stay as they are."""
        if self.session is not None and not self.locked:
            self.locked = True
            self._say(None)
            self._changed()

    def unlock(self, password: str) -> bool:
        """Unlock with the clerk's PIN/password (checked here, so it works offline too)."""
        if self.session is None or not self.locked:
            return False
        self.touch()
        if _verifier(password, self._salt) == self._verifier:
            self.locked = False
            self._unlock_failures = 0
            self._say(None)
            self._changed()
            return True
        self._unlock_failures += 1
        if self._unlock_failures >= MAX_UNLOCK_ATTEMPTS:
            self.logout()
            self._say(Notice("error", N_("Too many wrong PINs: logged out.")))
        else:
            self._say(Notice("error", N_("Wrong PIN or password.")))
        self._changed()
        return False

    def touch(self, now: float | None = None) -> None:
        """Someone used the panel: the idle lock starts counting again."""
        self.last_activity = self._clock() if now is None else now

    def check_idle(self, now: float | None = None) -> None:
        """Lock if nobody has used the panel for ``idle_timeout_s`` (call it now and then)."""
        now = self._clock() if now is None else now
        if self.session and not self.locked and now - self.last_activity >= self.idle_timeout_s:
            self.lock()
