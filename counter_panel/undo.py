"""A "not present" (no-show) press that waits a few seconds before it is sent, so that a clerk
who pressed it by mistake, or whose citizen turns up at that moment, can take it back.

Nothing reaches the hub (or the waiting room) until the time is up: an undo is then simply not
sending it. Pressing on to the next citizen sends it at once, first.
"""

from __future__ import annotations

from collections.abc import Callable

UNDO_S = 5.0  # long enough to see the mistake and press again; short enough not to hold up


class PendingNoShow:
    """At most one no-show waiting to be sent: which ticket, and when it goes."""

    def __init__(
        self,
        clock: Callable[[], float],
        send: Callable[[Callable[[], None] | None], bool],
        changed: Callable[[], None],
        later: Callable[[float, Callable[[], None]], None] | None = None,
        delay_s: float = UNDO_S,
    ) -> None:
        self._clock = clock
        self._send = send  # sends the no-show now, then calls its argument once answered
        self._changed = changed
        self._later = later
        self.delay_s = delay_s
        self.number: str | None = None  # the ticket marked, while it can still be undone
        self.due = 0.0

    @property
    def pending(self) -> bool:
        """Whether a no-show is waiting to be sent."""
        return self.number is not None

    def hold(self, number: str) -> None:
        """Mark ``number`` not present in :attr:`delay_s` seconds, unless undone meanwhile."""
        self.number, self.due = number, self._clock() + self.delay_s
        if self._later is not None:
            self._later(self.delay_s, self.tick)
        self._changed()

    def remaining_s(self, now: float | None = None) -> float:
        """Seconds left to undo (0 when nothing is pending)."""
        if self.number is None:
            return 0.0
        return max(0.0, self.due - (self._clock() if now is None else now))

    def undo(self) -> bool:
        """Take the no-show back; False when there was none."""
        if self.number is None:
            return False
        self.number = None
        self._changed()
        return True

    def send_now(self, then: Callable[[], None] | None = None) -> bool:
        """Send the no-show at once (``then`` runs after the hub's answer); False if none."""
        if self.number is None:
            return False
        self.number = None
        return self._send(then)

    def tick(self, now: float | None = None) -> None:
        """Send the no-show once its time is up (called every second, and when it is due)."""
        if self.number is not None and (self._clock() if now is None else now) >= self.due:
            self.send_now()
