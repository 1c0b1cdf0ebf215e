"""What the board shows, kept from the hub's snapshot and its events: no Kivy, no network.

:class:`Board` starts from ``GET /api/v1/state`` and applies each event in order. It answers the
questions the screen asks (the newest call and whether it is still highlighted, the counters
with the number each serves, the last calls, waiting counts, the notice) and decides which
events are announced: a call or recall in this display's zone, unless it is stale — older than
``stale_after_s`` when it reaches the display, as happens when events are replayed after the
display was cut off. Those still update the board but are not read out, so a room never hears a
string of calls from ten minutes ago.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

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
    def from_ticket(cls, ticket: dict[str, Any], recall: bool = False) -> Call | None:
        """The call a ticket view describes, or None if it names no counter."""
        if ticket.get("counter") is None:
            return None
        return cls(
            int(ticket["id"]),
            str(ticket["number"]),
            int(ticket["counter"]),
            str(ticket.get("counter_name") or ""),
            str(ticket.get("service") or ""),
            recall,
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

    def has_counter(self, counter: dict[str, Any]) -> bool:
        """Whether a counter belongs on this display."""
        if self.counters and int(counter["number"]) not in self.counters:
            return False
        return not self.services or bool(self.services & set(counter.get("services") or []))

    def has_service(self, service: dict[str, Any], counters: Iterable[dict[str, Any]]) -> bool:
        """Whether a service's waiting count belongs on this display."""
        if self.services:
            return service["code"] in self.services
        if self.counters:
            return any(service["code"] in (c.get("services") or []) for c in counters)
        return True


class Board:
    """The board's state and the rules that change it."""

    def __init__(
        self,
        zone: Zone = Zone(),
        *,
        recent_size: int = 6,
        highlight_s: float = 10.0,
        stale_after_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.zone = zone
        self.recent_size = recent_size
        self.highlight_s = highlight_s
        self.stale_after_s = stale_after_s
        self._clock = clock
        self.day = ""
        self.counters: dict[int, dict[str, Any]] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []  # newest first; calls[0] is the big one
        self.notice: tuple[str, str] = ("", "")
        self.last_event_id = 0
        self.highlight_until = 0.0
        self.version = 0  # bumped on every visible change, so a screen redraws only then

    # --- loading and applying -------------------------------------------------------------

    def load(self, state: dict[str, Any]) -> None:
        """Start from a ``GET /api/v1/state`` snapshot (nothing in it is announced)."""
        self.day = str(state.get("day") or "")
        self.counters = {int(c["number"]): c for c in state.get("counters", [])}
        self.services = {s["code"]: s for s in state.get("services", [])}
        calls = (Call.from_ticket(t) for t in state.get("recent_calls", []))
        self.calls = [c for c in calls if c is not None and self.zone.has_call(c)]
        self.calls = self.calls[: self.recent_size + 1]
        self._set_notice(state.get("notice"))
        self.last_event_id = int(state.get("last_event_id") or 0)
        self.highlight_until = 0.0
        self.version += 1

    def announcement(
        self, event_id: int, kind: str, data: dict[str, Any], age_s: float | None = None
    ) -> Announcement | None:
        """The announcement an event makes, if any: a fresh call or recall in this zone.

        Reads only the zone and the stale limit, which never change, so the controller asks
        on the stream's thread and the chime starts without waiting for the next frame.
        """
        if kind not in CALL_EVENTS:
            return None
        call = Call.from_ticket(data.get("ticket") or {}, recall=kind == "ticket.recalled")
        if call is None or not self.zone.has_call(call):
            return None
        if age_s is not None and age_s > self.stale_after_s:
            return None
        return Announcement(call.number, call.counter, call.recall, event_id)

    def apply(
        self, event_id: int, kind: str, data: dict[str, Any], age_s: float | None = None
    ) -> Announcement | None:
        """Apply one event; return the announcement to make, if any.

        ``age_s`` is how old the event was when it arrived, measured on the hub's clock (None:
        unknown, taken as fresh). Events at or below the snapshot's id are ignored.
        """
        if event_id <= self.last_event_id:
            return None
        self.last_event_id = event_id
        if kind in ("day.opened", "day.closed"):
            self.day = str(data.get("day") or self.day)
            self.calls = []
            for counter in self.counters.values():
                counter["current"] = None
            self.highlight_until = 0.0
            self.version += 1
            return None
        if kind == "notice.updated":
            self._set_notice(data.get("notice"))
            self.version += 1
            return None
        changed = self._merge(data)
        if kind not in CALL_EVENTS:
            if changed:
                self.version += 1
            return None
        call = Call.from_ticket(data.get("ticket") or {}, recall=kind == "ticket.recalled")
        if call is None or not self.zone.has_call(call):
            if changed:
                self.version += 1
            return None
        self.calls = [call, *(c for c in self.calls if c.ticket_id != call.ticket_id)]
        del self.calls[self.recent_size + 1 :]
        stale = age_s is not None and age_s > self.stale_after_s
        if not stale:
            self.highlight_until = self._clock() + self.highlight_s
        self.version += 1
        return self.announcement(event_id, kind, data, age_s)

    def _merge(self, data: dict[str, Any]) -> bool:
        """Take the fresh counter and service views an event carries; True if any."""
        changed = False
        counter = data.get("counter")
        if isinstance(counter, dict) and "number" in counter:
            self.counters[int(counter["number"])] = counter
            changed = True
        for service in data.get("services") or []:
            self.services[service["code"]] = service
            changed = True
        return changed

    def _set_notice(self, notice: Any) -> None:
        notice = notice if isinstance(notice, dict) else {}
        self.notice = (str(notice.get("text_vi") or ""), str(notice.get("text_en") or ""))

    # --- what the screen asks ---------------------------------------------------------------

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

    def open_counters(self) -> list[dict[str, Any]]:
        """This zone's counters that are open or paused, by number (closed ones are hidden)."""
        return [
            c
            for n, c in sorted(self.counters.items())
            if c.get("state") != "closed" and self.zone.has_counter(c)
        ]

    def waiting(self) -> list[dict[str, Any]]:
        """This zone's services with their waiting counts, in code order."""
        counters = [c for c in self.counters.values() if self.zone.has_counter(c)]
        return [s for _, s in sorted(self.services.items()) if self.zone.has_service(s, counters)]
