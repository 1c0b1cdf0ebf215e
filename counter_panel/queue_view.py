"""What the panel knows about the queue, kept from the hub's snapshot and its event stream.

Pure data, no network and no Kivy: :class:`QueueView` takes the ``GET /api/v1/state`` snapshot
and each event, and answers the questions the panel's screen asks (this counter's state and
current ticket, waiting counts and the oldest wait for each service the counter serves).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Ticket states in which a ticket is at a counter (the clerk is dealing with it).
ACTIVE_STATES = ("called", "serving")


def parse_time(value: str | None) -> float | None:
    """An API time ('2026-11-29T08:15:02+07:00') as Unix seconds, None when absent."""
    if not value:
        return None
    return datetime.fromisoformat(value).timestamp()


@dataclass(frozen=True)
class OldestWait:
    """How long the longest-waiting ticket of a service has waited.

    ``exact`` is False when some waiting tickets were issued before the panel started following
    the stream and the hub's view does not say when: the wait is then *at least* ``seconds``.
    """

    seconds: float
    exact: bool


class QueueView:
    """This counter's view of the queue; feed it :meth:`load_snapshot` then :meth:`apply_event`."""

    def __init__(self, counter_number: int) -> None:
        self.counter_number = counter_number
        self.counter: dict[str, Any] | None = None
        self.services: dict[str, dict[str, Any]] = {}
        self.counters: dict[int, dict[str, Any]] = {}
        self.last_event_id: int | None = None
        # Waiting tickets seen on the stream: id -> (service, issued_at, target counter). Tickets
        # issued before ``since`` may be missing, which :meth:`oldest_wait` owns up to.
        self._waiting: dict[int, tuple[str, float, int | None]] = {}
        self.since: float | None = None

    # -- feeding ---------------------------------------------------------------------------

    def load_snapshot(self, state: dict[str, Any], now: float, *, continuous: bool = False) -> None:
        """Take a ``GET /api/v1/state`` answer taken at ``now``.

        ``continuous`` says the event stream has been followed without a gap since the last
        snapshot (it resumes by event id), so the waiting tickets seen so far are still right.
        """
        self.services = {s["code"]: s for s in state.get("services", [])}
        self.counters = {c["number"]: c for c in state.get("counters", [])}
        self.counter = self.counters.get(self.counter_number)
        self.last_event_id = state.get("last_event_id")
        if not continuous or self.since is None:
            self._waiting.clear()
            self.since = now

    def new_day(self, now: float) -> None:
        """Numbering restarted: yesterday's line is gone."""
        self._waiting.clear()
        self.since = now

    def apply_counter(self, counter: dict[str, Any]) -> None:
        """Take a fresh Counter view (from an action's answer or an event)."""
        self.counters[counter["number"]] = counter
        if counter["number"] == self.counter_number:
            self.counter = counter

    def apply_services(self, services: list[dict[str, Any]]) -> None:
        """Take fresh Service views (waiting counts, estimated waits)."""
        for service in services:
            self.services[service["code"]] = service

    def apply_ticket(self, ticket: dict[str, Any]) -> None:
        """Follow one ticket in or out of the waiting line."""
        if ticket.get("state") == "waiting":
            issued = parse_time(ticket.get("issued_at"))
            if issued is not None:
                self._waiting[ticket["id"]] = (ticket["service"], issued, ticket.get("counter"))
        else:
            self._waiting.pop(ticket["id"], None)

    def apply_event(self, data: dict[str, Any], *, mine: bool = True) -> None:
        """Apply one event's payload; ``mine=False`` leaves this counter's own view alone."""
        if data.get("ticket"):
            self.apply_ticket(data["ticket"])
        if data.get("services"):
            self.apply_services(data["services"])
        counter = data.get("counter")
        if counter and (mine or counter.get("number") != self.counter_number):
            self.apply_counter(counter)
        if "id" in data:
            self.last_event_id = data["id"]

    # -- questions -------------------------------------------------------------------------

    @property
    def current(self) -> dict[str, Any] | None:
        """The ticket this counter is dealing with (called or being served), if any."""
        ticket = (self.counter or {}).get("current")
        if ticket and ticket.get("state") in ACTIVE_STATES:
            return ticket
        return None

    @property
    def counter_state(self) -> str:
        """'open', 'paused' or 'closed' ('closed' until the hub has said)."""
        return str((self.counter or {}).get("state", "closed"))

    @property
    def served_services(self) -> list[dict[str, Any]]:
        """The Service views of the services this counter serves, in its order of preference."""
        codes = (self.counter or {}).get("services", [])
        return [self.services[c] for c in codes if c in self.services]

    def waiting_total(self) -> int:
        """Tickets waiting for this counter: its services' lines and those sent to it by name."""
        served = {s["code"] for s in self.served_services}
        sent_here = sum(
            1
            for code, _issued, target in self._waiting.values()
            if target == self.counter_number and code not in served
        )
        return sum(int(s.get("waiting", 0)) for s in self.served_services) + sent_here

    def oldest_wait(self, service: str, now: float) -> OldestWait | None:
        """The longest wait in ``service``'s line, or None when nobody is waiting."""
        view = self.services.get(service, {})
        waiting = int(view.get("waiting", 0))
        if waiting <= 0:
            return None
        hub_oldest = parse_time(view.get("oldest_issued_at"))
        if hub_oldest is not None:  # the hub says it outright: use that
            return OldestWait(max(0.0, now - hub_oldest), True)
        seen = [issued for code, issued, _target in self._waiting.values() if code == service]
        if len(seen) >= waiting and seen:
            return OldestWait(max(0.0, now - min(seen)), True)
        # Some waiting tickets predate what this panel has followed: they were issued before
        # ``since``, so they have waited at least that long.
        since = self.since if self.since is not None else now
        return OldestWait(max(0.0, now - since), False)

    def transfer_targets(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(services, other counters) a ticket can be transferred to."""
        services = list(self.services.values())
        counters = [
            c for number, c in sorted(self.counters.items()) if number != self.counter_number
        ]
        return services, counters
