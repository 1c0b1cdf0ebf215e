"""The citizen's rating of a finished ticket (đánh giá mức độ hài lòng), on the panel or on the
second screen facing the citizen: the same part in both, sent as one press with its retry key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from appliance.records import Ticket
from counter_panel.messages import Notice
from counter_panel.sender import ActionSender, Say, error_code, refused
from motcua.i18n import N_

LEVELS = range(1, 6)  # 1 = Rất hài lòng … 5 = Rất không hài lòng


class Rating:
    """The ticket whose citizen is asked (``ticket``), and when the last rating was stored."""

    def __init__(
        self,
        sender: ActionSender,
        clock: Callable[[], float],
        say: Say,
        changed: Callable[[], None],
        token: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._sender = sender
        self._clock = clock
        self._say = say
        self._changed = changed
        self._token = token  # the clerk's session, else the device's own token
        self.ticket: Ticket | None = None
        self.shown_at: float | None = None
        self.rated_at: float | None = None  # when the last rating was stored (for the thanks)

    def ask(self, ticket: Ticket) -> None:
        """Ask the citizen of ``ticket`` (just finished) for a rating."""
        self.ticket, self.shown_at = ticket, self._clock()

    def rate(self, level: int) -> bool:
        """Store the citizen's rating; False when there is nothing to rate or a press is on its
        way. A retry after a lost answer goes with the same key: one rating, not two."""
        ticket = self.ticket
        if ticket is None or self._sender.busy is not None:
            return False
        if level not in LEVELS:
            raise ValueError(f"rating level must be 1..5, not {level!r}")

        def done(_answer: Any) -> None:
            self.ticket, self.rated_at = None, self._clock()
            self._say(Notice("info", N_("Thank you for your rating!")))
            self._changed()

        def failed(exc: Exception) -> None:
            code = error_code(exc)
            if code == "conflict":  # already rated (another screen, an earlier lost answer)
                self.ticket = None
            self._say(refused(code))
            self._changed()

        return self._sender.send(
            "rating",
            f"/api/v1/tickets/{ticket.id}/rating",
            {"level": level},
            press=("rating", str(ticket.id)),
            token=self._token(),
            done=done,
            failed=failed,
        )

    def skip(self) -> None:
        """The citizen left without rating: put the question away."""
        if self.ticket is not None:
            self._sender.retry_keys.answered(("rating", str(self.ticket.id)))
        self.ticket = None
        self._changed()

    def put_away(self) -> None:
        """The clerk calls the next citizen: the question (or the thanks) goes at once."""
        self.rated_at = None
        self.skip()

    def tick(self, timeout_s: float, now: float | None = None) -> None:
        """Put a question unanswered for ``timeout_s`` away (the citizen walked away)."""
        now = self._clock() if now is None else now
        if (
            self.ticket is not None
            and self.shown_at is not None
            and now - self.shown_at >= timeout_s
        ):
            self.skip()
