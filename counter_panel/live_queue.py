"""This counter's queue, followed live: the shared live view of the office, seen from one counter.

The :class:`~appliance.live.LiveOffice` loads the snapshot and follows the events; this part
feeds the counter's :class:`~counter_panel.queue_view.QueueView` from it, and shows an action's
answer at once while events older than that answer are still on their way: until the event of
the action itself arrives (it says the same as the answer), older events leave this counter's
own view alone, so a call never flickers back to the ticket before it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from appliance.live import LiveOffice, Update
from appliance.records import Counter, Event, Ticket
from counter_panel.queue_view import QueueView

ECHO_WAIT_S = 3.0  # how long to hold older events off this counter's view after an answer


class LiveQueue:
    """Feeds one counter's view from the live office; tells ``changed`` after each change."""

    def __init__(
        self,
        live: LiveOffice,
        counter: int,
        clock: Callable[[], float],
        changed: Callable[[], None],
        clerk_changed: Callable[[Counter], None],
    ) -> None:
        self.live = live
        self.counter_number = counter
        self.view = QueueView(live.office, counter)
        self._clock = clock
        self._changed = changed
        self._clerk_changed = clerk_changed  # someone logged in or out at this counter
        self._loaded = False
        self._echo: tuple[str, int | None, float] | None = None
        self._seen: deque[tuple[str, int | None]] = deque(maxlen=16)  # this counter's events
        live.subscribe(self._update)

    @property
    def online(self) -> bool:
        """Whether the hub answers and its events arrive."""
        return self.live.online is True

    def hub_now(self, now: float | None = None) -> float:
        """The hub's time now (Unix seconds), whatever this panel's own clock says."""
        return self.live.hub_now(now)

    def pressed(self) -> None:
        """An action goes out: from now on, only events it may have caused count as its echo."""
        self._seen.clear()

    def answered(self, echo: str, counter: Counter | None, ticket: Ticket | None) -> None:
        """The hub answered an action whose event is ``echo``: show the answer now."""
        self.live.saw(None)
        if counter is not None:
            self.view.apply_counter(counter)
        if ticket is not None:
            self.view.apply_ticket(ticket)
        echo_id = ticket.id if ticket else None
        if (echo, echo_id) not in self._seen:
            self._echo = (echo, echo_id, self._clock() + ECHO_WAIT_S)

    def _update(self, update: Update) -> None:
        if update.kind == "snapshot":
            self.view.load_snapshot(self.hub_now(), continuous=self._loaded)
            self._loaded = True
            self._echo = None
        elif update.kind == "event" and update.event is not None:
            self._event(update.event, update.known)
        self._changed()

    def _event(self, event: Event, known: bool) -> None:
        if known:
            # The snapshot already holds its effect; but when a waiting ticket was issued is
            # news to the panel (the snapshot only counts them), so follow the line with it.
            if event.ticket is not None:
                self.view.apply_ticket(event.ticket)
            return
        if event.topic == "day":
            self.view.new_day(self.hub_now())
        ours = event.counter is not None and event.counter.number == self.counter_number
        self.view.apply_event(event, mine=not ours or self._is_newer(event))
        if ours and event.reason in ("clerk_in", "clerk_out"):
            assert event.counter is not None
            self._clerk_changed(event.counter)

    def _is_newer(self, event: Event) -> bool:
        """Whether an event of this counter is not older than the answer shown."""
        ticket_id = event.ticket.id if event.ticket else None
        self._seen.append((event.type, ticket_id))
        if self._echo is None:
            return True
        echo_type, echo_ticket, until = self._echo
        if event.type == echo_type and echo_ticket in (None, ticket_id):
            self._echo = None  # the event of our own action: everything after is newer
            return True
        if self._clock() < until:
            return False  # older than the answer we already show
        self._echo = None
        return True
