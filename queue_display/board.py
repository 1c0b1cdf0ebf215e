"""What the board shows, read from the live view of the office: no Kivy, no network.

:class:`Board` keeps the calls (from the snapshot's recent calls, then each call event) and
reads the rest from the :class:`~appliance.live.Office` it is given: the counters with the
number each serves, the waiting counts, the notice. It answers the questions the screen asks
(the newest call and whether it is still highlighted) and decides which events are announced:
a call or recall in this display's zone, unless it is stale — older than ``stale_after_s`` when
it reaches the display, as happens when events are replayed after the display was cut off.
Those still update the board but are not read out, so a room never hears a string of calls from
ten minutes ago.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from appliance.live import Office
from appliance.records import Counter, Event, Service, Ticket
from queue_display.announcer import Announcement

CALL_EVENTS = ("ticket.called", "ticket.recalled")


@dataclass(frozen=True)
class Call:
    """A ticket called to a counter."""

    ticket_id: int
    number: str
    counter: int
    counter_name: str
    service: str
    recall: bool = False

    @classmethod
    def from_ticket(cls, ticket: Ticket | None, recall: bool = False) -> Call | None:
        """The call a ticket describes, or None if it names no counter."""
        if ticket is None or ticket.counter is None:
            return None
        return cls(
            ticket.id, ticket.number, ticket.counter, ticket.counter_name, ticket.service, recall
        )


@dataclass(frozen=True)
class Zone:
    """The counters and services one display shows; empty means all."""

    counters: frozenset[int] = frozenset()
    services: frozenset[str] = frozenset()

    @classmethod
    def of(cls, counters: Iterable[int] = (), services: Iterable[str] = ()) -> Zone:
        """A zone from settings lists."""
        return cls(frozenset(counters), frozenset(services))

    def has_call(self, call: Call) -> bool:
        """Whether this display shows and announces ``call``."""
        if self.counters and call.counter not in self.counters:
            return False
        return not self.services or call.service in self.services

    def has_counter(self, counter: Counter) -> bool:
        """Whether a counter belongs on this display."""
        if self.counters and counter.number not in self.counters:
            return False
        return not self.services or bool(self.services & set(counter.services))

    def has_service(self, service: Service, counters: Iterable[Counter]) -> bool:
        """Whether a service's waiting count belongs on this display."""
        if self.services:
            return service.code in self.services
        if self.counters:
            return any(service.code in c.services for c in counters)
        return True


class Board:
    """The calls on the board and the rules that change them; the rest is read from ``office``."""

    def __init__(
        self,
        office: Office,
        zone: Zone = Zone(),
        *,
        recent_size: int = 6,
        highlight_s: float = 10.0,
        stale_after_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.office = office
        self.zone = zone
        self.recent_size = recent_size
        self.highlight_s = highlight_s
        self.stale_after_s = stale_after_s
        self._clock = clock
        self.calls: list[Call] = []  # newest first; calls[0] is the big one
        self.last_event_id = 0
        self.highlight_until = 0.0
        self.version = 0  # bumped on every visible change, so a screen redraws only then

    # --- loading and applying -------------------------------------------------------------

    def load(self) -> None:
        """Start from the office's snapshot (nothing in it is announced)."""
        calls = (Call.from_ticket(t) for t in self.office.recent_calls)
        self.calls = [c for c in calls if c is not None and self.zone.has_call(c)]
        self.calls = self.calls[: self.recent_size + 1]
        self.last_event_id = self.office.last_event_id or 0
        self.highlight_until = 0.0
        self.version += 1

    def announcement(self, event: Event, age_s: float | None = None) -> Announcement | None:
        """The announcement an event makes, if any: a fresh call or recall in this zone.

        Reads only the zone and the stale limit, which never change, so the controller asks
        on the stream's thread and the chime starts without waiting for the next frame.
        """
        if event.type not in CALL_EVENTS:
            return None
        call = Call.from_ticket(event.ticket, recall=event.type == "ticket.recalled")
        if call is None or not self.zone.has_call(call):
            return None
        if age_s is not None and age_s > self.stale_after_s:
            return None
        return Announcement(call.number, call.counter, call.recall, event.id)

    def apply(self, event: Event, age_s: float | None = None) -> Announcement | None:
        """Take one event (the office has applied it); return the announcement to make, if any.

        ``age_s`` is how old the event was when it arrived, measured on the hub's clock (None:
        unknown, taken as fresh). Events at or below the snapshot's id are ignored.
        """
        if event.id <= self.last_event_id:
            return None
        self.last_event_id = event.id
        if event.topic == "day":
            self.calls = []
            self.highlight_until = 0.0
            self.version += 1
            return None
        changed = event.topic == "notice" or event.counter is not None or bool(event.services)
        call = Call.from_ticket(event.ticket, recall=event.type == "ticket.recalled")
        if event.type not in CALL_EVENTS or call is None or not self.zone.has_call(call):
            if changed:
                self.version += 1
            return None
        self.calls = [call, *(c for c in self.calls if c.ticket_id != call.ticket_id)]
        del self.calls[self.recent_size + 1 :]
        stale = age_s is not None and age_s > self.stale_after_s
        if not stale:
            self.highlight_until = self._clock() + self.highlight_s
        self.version += 1
        return self.announcement(event, age_s)

    # --- what the screen asks ---------------------------------------------------------------

    @property
    def day(self) -> str:
        """The hub's business day."""
        return self.office.day

    @property
    def notice(self) -> tuple[str, str]:
        """The notice, (Vietnamese, English)."""
        return (self.office.notice.text_vi, self.office.notice.text_en)

    @property
    def latest(self) -> Call | None:
        """The newest call, shown large."""
        return self.calls[0] if self.calls else None

    @property
    def recent(self) -> list[Call]:
        """The calls before the newest, newest first."""
        return self.calls[1:]

    def highlighted(self) -> bool:
        """Whether the newest call is still in its highlight time."""
        return self._clock() < self.highlight_until

    def open_counters(self) -> list[Counter]:
        """This zone's counters that are open or paused, by number (closed ones are hidden)."""
        return [
            c
            for _n, c in sorted(self.office.counters.items())
            if c.state != "closed" and self.zone.has_counter(c)
        ]

    def waiting(self) -> list[Service]:
        """This zone's services with their waiting counts, in code order."""
        counters = [c for c in self.office.counters.values() if self.zone.has_counter(c)]
        services = sorted(self.office.services.items())
        return [s for _, s in services if self.zone.has_service(s, counters)]
