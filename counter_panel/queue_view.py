"""What the panel knows about the queue: the live view of the office, seen from one counter.

Pure data, no network and no Kivy: :class:`QueueView` reads the services and the other counters
from the shared :class:`~appliance.live.Office`, keeps this counter's own view (which an
action's answer updates before the event that echoes it arrives) and the waiting tickets seen
on the stream, and answers the questions the panel's screen asks (this counter's state and
current ticket, waiting counts and the oldest wait for each service the counter serves).
"""

from __future__ import annotations

from dataclasses import dataclass

from appliance import timefmt
from appliance.live import Office
from appliance.records import Counter, Event, Service, Ticket

# Ticket states in which a ticket is at a counter (the clerk is dealing with it).
ACTIVE_STATES = ("called", "serving")


@dataclass(frozen=True)
class OldestWait:
    """How long the longest-waiting ticket of a service has waited.

    ``exact`` is False when some waiting tickets were issued before the panel started following
    the stream and the hub's view does not say when: the wait is then *at least* ``seconds``.
    """

    seconds: float
    exact: bool


class QueueView:
    """One counter's view of the queue; feed it after the office: :meth:`load_snapshot`, then
    :meth:`apply_event` and the answers to this counter's actions."""

    def __init__(self, office: Office, counter_number: int) -> None:
        self.office = office
        self.counter_number = counter_number
        self.counter: Counter | None = None
        # Waiting tickets seen on the stream: id -> (service, issued_at, target counter). Tickets
        # issued before ``since`` may be missing, which :meth:`oldest_wait` owns up to.
        self._waiting: dict[int, tuple[str, float, int | None]] = {}
        self.since: float | None = None

    # -- feeding ---------------------------------------------------------------------------

    def load_snapshot(self, now: float, *, continuous: bool = False) -> None:
        """The office was loaded from a snapshot taken at hub time ``now``.

        ``continuous`` says the event stream has been followed without a gap since the last
        snapshot (it resumes by event id), so the waiting tickets seen so far are still right.
        """
        self.counter = self.office.counters.get(self.counter_number)
        if not continuous or self.since is None:
            self._waiting.clear()
            self.since = now

    def new_day(self, now: float) -> None:
        """Numbering restarted: yesterday's line is gone."""
        self._waiting.clear()
        self.since = now

    def apply_counter(self, counter: Counter) -> None:
        """Take a fresh view of this counter (from an action's answer or an event)."""
        if counter.number == self.counter_number:
            self.counter = counter

    def apply_ticket(self, ticket: Ticket) -> None:
        """Follow one ticket in or out of the waiting line."""
        issued = timefmt.unix(ticket.issued_at)
        if ticket.state == "waiting" and issued is not None:
            self._waiting[ticket.id] = (ticket.service, issued, ticket.counter)
        elif ticket.state != "waiting":
            self._waiting.pop(ticket.id, None)

    def apply_event(self, event: Event, *, mine: bool = True) -> None:
        """Apply one event; ``mine=False`` leaves this counter's own view alone."""
        if event.ticket is not None:
            self.apply_ticket(event.ticket)
        if event.counter is not None and mine:
            self.apply_counter(event.counter)

    # -- questions -------------------------------------------------------------------------

    @property
    def services(self) -> dict[str, Service]:
        """Every service, by code."""
        return self.office.services

    @property
    def counters(self) -> dict[int, Counter]:
        """Every counter, by number."""
        return self.office.counters

    @property
    def current(self) -> Ticket | None:
        """The ticket this counter is dealing with (called or being served), if any."""
        ticket = self.counter.current if self.counter else None
        return ticket if ticket is not None and ticket.state in ACTIVE_STATES else None

    @property
    def counter_state(self) -> str:
        """'open', 'paused' or 'closed' ('closed' until the hub has said)."""
        return self.counter.state if self.counter else "closed"

    @property
    def served_services(self) -> list[Service]:
        """The services this counter serves, in its order of preference."""
        codes = self.counter.services if self.counter else ()
        return [self.services[c] for c in codes if c in self.services]

    def waiting_total(self) -> int:
        """Tickets waiting for this counter: its services' lines and those sent to it by name."""
        served = {s.code for s in self.served_services}
        sent_here = sum(
            1
            for code, _issued, target in self._waiting.values()
            if target == self.counter_number and code not in served
        )
        return sum(s.waiting for s in self.served_services) + sent_here

    def oldest_wait(self, service: str, now: float) -> OldestWait | None:
        """The longest wait in ``service``'s line, or None when nobody is waiting."""
        view = self.services.get(service)
        if view is None or view.waiting <= 0:
            return None
        hub_oldest = timefmt.unix(view.oldest_issued_at)
        if hub_oldest is not None:  # the hub says it outright: use that
            return OldestWait(max(0.0, now - hub_oldest), True)
        seen = [issued for code, issued, _target in self._waiting.values() if code == service]
        if len(seen) >= view.waiting and seen:
            return OldestWait(max(0.0, now - min(seen)), True)
        # Some waiting tickets predate what this panel has followed: they were issued before
        # ``since``, so they have waited at least that long.
        since = self.since if self.since is not None else now
        return OldestWait(max(0.0, now - since), False)

    def transfer_targets(self) -> tuple[list[Service], list[Counter]]:
        """(services, other counters) a ticket can be transferred to."""
        counters = [
            c for number, c in sorted(self.counters.items()) if number != self.counter_number
        ]
        return list(self.services.values()), counters
