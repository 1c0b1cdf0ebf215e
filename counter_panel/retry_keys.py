"""One idempotency key per press, the same one again when that press is retried.

A press whose answer was lost (the hub may or may not have done it) is pressed again: it must go
with the key it went with before, so the hub does it once. Once the hub has answered, or after
``window_s`` (a recall minutes later is a new intention and must recall), a press gets a new key.
"""

from __future__ import annotations

from collections.abc import Callable

from appliance.hublink import new_idempotency_key

Press = tuple[str, str]  # (action, its parameters as text)


class RetryKeys:
    """The keys of presses the hub has not answered yet."""

    def __init__(self, clock: Callable[[], float], window_s: float = 60.0) -> None:
        self._clock = clock
        self.window_s = window_s
        self._keys: dict[Press, tuple[str, float]] = {}

    def key_for(self, press: Press) -> str:
        """The key to send ``press`` with: its unanswered one if it is a retry, else a new one."""
        now = self._clock()
        known = self._keys.get(press)
        if known is None or now - known[1] > self.window_s:
            known = (new_idempotency_key(), now)
            self._keys[press] = known
        return known[0]

    def answered(self, press: Press) -> None:
        """The hub answered ``press``: pressing it again is a new action."""
        self._keys.pop(press, None)

    def clear(self) -> None:
        """Forget every unanswered press (another action succeeded, or the clerk left)."""
        self._keys.clear()

    def pending(self) -> dict[Press, str]:
        """The unanswered presses and their keys."""
        return {press: key for press, (key, _at) in self._keys.items()}
