"""The citizen-facing rating screen on a second display, in plain Python.

When the panel's ``rating`` setting is ``second_screen``, a second process (``motcua counter
--rating-screen``) drives a small screen facing the citizen. It follows the hub through the
shared live view: when a ticket is finished at this counter it asks that citizen for a rating
and stores it (the same :class:`~counter_panel.rating.Rating` part as the panel's) with the
counter device's token; the hub ties it to the ticket, the counter and the clerk logged in. The
next call at the counter, or a timeout, puts the question away.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from appliance.hublink import EventStream, HubClient
from appliance.live import LiveOffice, Update
from appliance.observable import Observable
from appliance.records import Ticket
from appliance.tasks import Tasks
from counter_panel.messages import Notice
from counter_panel.rating import Rating
from counter_panel.sender import ActionSender

SERVING = ("ticket.called", "ticket.recalled", "ticket.started")
GONE = ("ticket.no_show", "ticket.transferred", "ticket.cancelled")


class RatingStation(Observable):
    """What the second screen shows; exposes the same rating interface as the panel controller."""

    def __init__(
        self,
        client: HubClient,
        counter: int,
        tasks: Tasks,
        *,
        timeout_s: float = 20.0,
        clock: Callable[[], float] = time.time,
        stream_factory: Callable[..., Any] = EventStream,
    ) -> None:
        super().__init__()
        self.client = client
        self.counter_number = counter
        self.timeout_s = timeout_s
        self.clock = clock
        self.live = LiveOffice(
            client, tasks, topics=("ticket",), stream_factory=stream_factory, wall=clock
        )
        self.sender = ActionSender(client, tasks, clock, self.changed)
        self.rating = Rating(self.sender, clock, self._say, self.changed)
        self.serving: str = ""  # the number being served at this counter, for the idle screen
        self.notice: Notice | None = None
        self.rate = self.rating.rate
        self.skip_rating = self.rating.skip
        self.live.subscribe(self._update)

    def _say(self, notice: Notice | None) -> None:
        self.notice = notice

    def start(self) -> None:
        """Follow the hub (only tickets finished from now on are asked about)."""
        self.live.start()

    def stop(self) -> None:
        """Stop following the hub; close the connections."""
        self.live.stop()
        self.client.close()

    @property
    def online(self) -> bool:
        """Whether the hub answers and its events arrive."""
        return self.live.online is True

    @property
    def busy(self) -> str | None:
        """The rating on its way, if any."""
        return self.sender.busy

    @property
    def rating_ticket(self) -> Ticket | None:
        """The finished ticket whose citizen is asked."""
        return self.rating.ticket

    @property
    def rated_at(self) -> float | None:
        """When the last rating was stored (for the thanks)."""
        return self.rating.rated_at

    def _update(self, update: Update) -> None:
        event = update.event
        if update.kind != "event" or event is None or update.known:
            self.changed()  # online or offline
            return
        ticket = event.ticket
        if ticket is None or ticket.counter != self.counter_number:
            return
        if event.type in SERVING:
            self.serving = ticket.number
            if event.type == "ticket.called":
                self.rating.ticket = None  # the next citizen is on the way: the last one left
        elif event.type == "ticket.finished":
            self.serving = ""
            self.rating.ask(ticket)
            self.notice = None
        elif event.type in GONE:
            self.serving = ""
        self.changed()

    def tick(self, now: float | None = None) -> None:
        """Put an unanswered question away after ``timeout_s``."""
        self.rating.tick(self.timeout_s, now)
