"""The citizen-facing rating screen on a second display, in plain Python.

When the panel's ``rating`` setting is ``second_screen``, a second process (``motcua counter
--rating-screen``) drives a small screen facing the citizen. It follows the hub's event stream:
when a ticket is finished at this counter it asks that citizen for a rating and stores it with
the counter device's token (the hub ties it to the ticket, the counter and the clerk logged in).
The next call at the counter, or a timeout, puts the question away.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from appliance.hublink import Event, EventStream, HubClient, HubError, new_idempotency_key
from appliance.tasks import Tasks
from counter_panel.messages import ERRORS, Notice


class RatingStation:
    """What the second screen shows; exposes the same rating interface as the panel controller."""

    def __init__(
        self,
        client: HubClient,
        counter: int,
        tasks: Tasks,
        *,
        timeout_s: float = 20.0,
        clock: Callable[[], float] = time.time,
        stream_factory: Callable[..., Any] | None = None,
    ) -> None:
        self.client = client
        self.counter_number = counter
        self.tasks = tasks
        self.timeout_s = timeout_s
        self.clock = clock
        self._stream_factory = stream_factory or (
            lambda on_event, on_online, last_id: EventStream(
                client.base_url, on_event, on_online, topics=["ticket"], last_event_id=last_id
            )
        )
        self.rating_ticket: dict[str, Any] | None = None
        self.rated_at: float | None = None
        self.shown_at: float | None = None
        self.serving: str = ""  # the number being served at this counter, for the idle screen
        self.busy: str | None = None
        self.online = False
        self.notice: Notice | None = None
        self.listeners: list[Callable[[], None]] = []
        self._stream: Any = None
        self._key: tuple[int, str] | None = None

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    def start(self) -> None:
        """Follow the stream (from now on: only tickets finished from here on are asked about)."""
        self._stream = self._stream_factory(
            lambda event: self.tasks.call_soon(lambda: self._event(event)),
            lambda online: self.tasks.call_soon(lambda: self._set_online(online)),
            None,
        )
        self._stream.start()

    def stop(self) -> None:
        """Stop following the stream; close the connections."""
        if self._stream is not None:
            self._stream.stop()
            self._stream = None
        self.client.close()

    def _set_online(self, online: bool) -> None:
        self.online = online
        self._changed()

    def _event(self, event: Event) -> None:
        ticket = event.data.get("ticket") or {}
        if ticket.get("counter") != self.counter_number:
            return
        if event.type in ("ticket.called", "ticket.recalled", "ticket.started"):
            self.serving = str(ticket.get("number", ""))
            if event.type == "ticket.called":
                self.rating_ticket = None  # the next citizen is on the way: the last one left
        elif event.type == "ticket.finished":
            self.serving = ""
            self.rating_ticket = ticket
            self.shown_at = self.clock()
            self.notice = None
        elif event.type in ("ticket.no_show", "ticket.transferred", "ticket.cancelled"):
            self.serving = ""
        self._changed()

    def tick(self, now: float | None = None) -> None:
        """Put an unanswered question away after ``timeout_s``."""
        now = self.clock() if now is None else now
        if (
            self.rating_ticket is not None
            and self.shown_at is not None
            and now - self.shown_at >= self.timeout_s
        ):
            self.skip_rating()

    def rate(self, level: int) -> bool:
        """Store the citizen's rating (1 = Rất hài lòng … 5 = Rất không hài lòng)."""
        ticket = self.rating_ticket
        if ticket is None or self.busy is not None:
            return False
        if level not in range(1, 6):
            raise ValueError(f"rating level must be 1..5, not {level!r}")
        if self._key is None or self._key[0] != ticket["id"]:
            self._key = (ticket["id"], new_idempotency_key())  # reused if the answer is lost
        key = self._key[1]
        self.busy = "rating"
        self._changed()

        def done(_answer: Any) -> None:
            self.busy = None
            self.rating_ticket = None
            self.rated_at = self.clock()
            self.notice = Notice("info", "Thank you for your rating!")
            self._changed()

        def failed(exc: Exception) -> None:
            self.busy = None
            code = exc.code if isinstance(exc, HubError) else "error"
            if code == "conflict":
                self.rating_ticket = None  # already rated
            self.notice = Notice(
                "error", ERRORS.get(code, "The hub refused: {code}"), {"code": code}
            )
            self._changed()

        self.tasks.run(
            lambda: self.client.post(
                f"/api/v1/tickets/{ticket['id']}/rating", {"level": level}, idempotency_key=key
            ),
            done,
            failed,
        )
        return True

    def skip_rating(self) -> None:
        """No rating this time."""
        self.rating_ticket = None
        self._changed()
