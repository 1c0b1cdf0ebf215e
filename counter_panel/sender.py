"""Sending the clerk's presses to the hub: one at a time, each with an idempotency key.

A second press while the first is in flight is refused, and a press sent again after its answer
was lost goes with the key it went with before, so the hub does it once whatever happens to the
network (see :mod:`counter_panel.retry_keys`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from appliance.hublink import HubClient, HubError
from appliance.tasks import Tasks
from counter_panel.messages import ERRORS, Notice
from counter_panel.retry_keys import Press, RetryKeys

RETRY_WINDOW_S = 60.0  # a press again within this time of an unanswered one is its retry

Say = Callable[[Notice | None], None]  # shows a line to the clerk (None: clears it)


def error_code(exc: Exception) -> str:
    """The API error code of a failed call ("offline" when the hub could not be reached)."""
    return exc.code if isinstance(exc, HubError) else "error"


def refused(code: str) -> Notice:
    """What the clerk reads when the hub refused with ``code``."""
    return Notice("error", ERRORS.get(code, "The hub refused: {code}"), {"code": code})


class ActionSender:
    """Sends one press at a time; ``busy`` names the press on its way."""

    def __init__(
        self,
        client: HubClient,
        tasks: Tasks,
        clock: Callable[[], float],
        changed: Callable[[], None],
    ) -> None:
        self._client = client
        self._tasks = tasks
        self._clock = clock
        self._changed = changed
        self.busy: str | None = None
        self.busy_since = 0.0
        self.retry_keys = RetryKeys(clock, RETRY_WINDOW_S)  # presses not answered yet

    def send(
        self,
        name: str,
        path: str,
        body: dict[str, Any],
        *,
        press: Press | None,
        token: str | None,
        done: Callable[[Any], None],
        failed: Callable[[Exception], None],
        parse: Callable[[Any], Any] = lambda answer: answer,
    ) -> bool:
        """POST ``body`` to ``path`` as press ``press`` (None: a request without a key, as a
        login); False when another press is still on its way. ``done`` gets the answer as
        ``parse`` reads it, in the background, so a malformed answer fails like a refusal."""
        if self.busy is not None:
            return False
        key = self.retry_keys.key_for(press) if press is not None else None
        self.busy, self.busy_since = name, self._clock()
        self._changed()

        def answered(answer: Any) -> None:
            self.busy = None
            if press is not None:
                self.retry_keys.answered(press)
            done(answer)

        def not_answered(exc: Exception) -> None:
            self.busy = None
            if press is not None and error_code(exc) != "offline":
                self.retry_keys.answered(press)  # the hub answered: a new press is a new action
            failed(exc)

        self._tasks.run(
            lambda: parse(
                self._client.request("POST", path, body, idempotency_key=key, token=token)
            ),
            answered,
            not_answered,
        )
        return True
