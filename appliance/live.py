"""The live view of the office that every appliance app reads: snapshot, then events, typed.

:class:`Office` is the state itself, plain data: the day, the services with their lines, the
counters with their tickets, the notice, the recent calls and the active alerts, fed a
:class:`~appliance.records.Snapshot` then :class:`~appliance.records.Event` records in order.
:class:`LiveOffice` keeps one in step with a hub:

- it loads ``GET /api/v1/state`` (the one place an app asks for it) and follows
  ``GET /api/v1/events`` on from the snapshot's event id, so nothing falls between the two;
- events that arrive while a snapshot is on its way are held, then applied on top of it (those
  it already holds are passed on marked ``known``), so the view never steps back in time;
- when the stream finds the hub's log behind what was seen (the hub was restored from a backup),
  what was built from the lost events is dropped and the snapshot is loaded again;
- it estimates how far the hub's clock is from this one (a Pi has no battery-backed clock), so
  times from the hub and the age of an event read right;
- listeners get one :class:`Update` per change, on the UI thread (through ``tasks``).
"""

from __future__ import annotations

import dataclasses
import email.utils
import http.client
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from appliance import hublink, timefmt
from appliance.hublink import EventStream, HubClient, HubUnreachable
from appliance.records import (
    Alert,
    Counter,
    Event,
    Notice,
    RecordError,
    Service,
    Snapshot,
    Ticket,
)
from appliance.tasks import Tasks

log = logging.getLogger(__name__)

TOPICS = ("ticket", "counter", "day", "notice", "office")
RELOAD_RETRY_S = 1.0  # a failed reload while the stream is up: the hub should answer soon


def hub_clock_offset(
    base_url: str, timeout: float = 2.0, wall: Callable[[], float] = time.time
) -> float | None:
    """Seconds the hub's clock is ahead of ``wall`` (±0.5 s), from the ``Date`` header of
    ``GET /healthz``; None when the hub does not say (or cannot be reached)."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=timeout)
    try:
        before = wall()
        conn.request("GET", parts.path.rstrip("/") + "/healthz")
        response = conn.getresponse()
        response.read()
        after = wall()
        header = response.getheader("Date")
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()
    try:
        hub_now = email.utils.parsedate_to_datetime(header or "").timestamp()
    except (TypeError, ValueError):
        return None
    # Date is truncated to the second: its middle is half a second later.
    return hub_now + 0.5 - (before + after) / 2


class Office:
    """The office as last heard from the hub: no network, no threads."""

    def __init__(self) -> None:
        self.day = ""
        self.services: dict[str, Service] = {}  # in the hub's display order
        self.counters: dict[int, Counter] = {}
        self.notice = Notice()
        self.recent_calls: tuple[Ticket, ...] = ()  # as of the last snapshot, newest first
        self.alerts: tuple[Alert, ...] = ()  # kiosk printers and devices in trouble
        self.last_event_id: int | None = None  # None until a snapshot was loaded

    def load(self, snapshot: Snapshot) -> None:
        """Start again from ``snapshot``."""
        self.day = snapshot.day
        self.services = {s.code: s for s in snapshot.services}
        self.counters = {c.number: c for c in snapshot.counters}
        self.notice = snapshot.notice
        self.recent_calls = snapshot.recent_calls
        self.alerts = snapshot.alerts
        self.last_event_id = snapshot.last_event_id

    def apply(self, event: Event) -> bool:
        """Apply ``event``; False (and nothing changes) when the state already holds it."""
        if self.last_event_id is not None and event.id <= self.last_event_id:
            return False
        self.last_event_id = event.id
        if event.topic == "day":
            self.day = event.day or self.day
            self.counters = {
                n: dataclasses.replace(c, current=None) for n, c in self.counters.items()
            }
        if event.notice is not None:
            self.notice = event.notice
        if event.alerts is not None:
            self.alerts = event.alerts
        if event.counter is not None:
            self.counters[event.counter.number] = event.counter
        for service in event.services:
            self.services[service.code] = service
        return True


@dataclass(frozen=True)
class Update:
    """What changed, as told to listeners.

    ``kind``: ``snapshot`` (the office was loaded again), ``event`` (``event`` arrived ``age_s``
    seconds after the hub stamped it; ``known`` when the snapshot already held its effect),
    ``online`` (the link came or went: see :attr:`LiveOffice.online`) or ``failed`` (a reload
    failed with ``error``).
    """

    kind: str
    event: Event | None = None
    age_s: float | None = None
    known: bool = False
    error: Exception | None = None


Listener = Callable[[Update], None]


class LiveOffice:
    """Keeps an :class:`Office` in step with the hub. Call its methods on the UI thread."""

    def __init__(
        self,
        client: HubClient,
        tasks: Tasks,
        *,
        topics: tuple[str, ...] = TOPICS,
        stream_factory: Callable[..., Any] = EventStream,
        later: Callable[[float, Callable[[], None]], None] | None = None,
        wall: Callable[[], float] = time.time,
        clock_probe: Callable[..., float | None] = hub_clock_offset,
    ) -> None:
        self.client = client
        self.tasks = tasks
        self.topics = list(topics)
        self.office = Office()
        self.online: bool | None = None  # None until the hub first answered (or failed to)
        self.loaded = False
        self.clock_offset = 0.0  # seconds the hub's clock is ahead of ``wall``
        self.stream: Any = None
        # Called on the stream's thread as each event arrives, before the UI thread sees it:
        # for what must not wait for the next frame (the display's chime, a stopwatch).
        self.on_arrival: Callable[[Event, float | None], None] | None = None
        self._stream_factory = stream_factory
        self._later = later
        self._wall = wall
        self._clock_probe = clock_probe
        self._listeners: list[Listener] = []
        self._held: list[tuple[Event, float | None]] | None = None
        self._reload_seq = 0
        self._following = False  # start() was called: follow the stream once loaded
        self._stopped = threading.Event()

    # -- listening --------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(update)`` on the UI thread after each change; returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _tell(self, update: Update) -> None:
        for listener in list(self._listeners):
            listener(update)

    # -- following --------------------------------------------------------------------------

    def start(self) -> None:
        """Load the snapshot, then follow the stream on from it (until :meth:`stop`)."""
        self._following = True
        self.reload()

    def stop(self) -> None:
        """Stop following the hub (results still on their way are dropped)."""
        self._stopped.set()
        if self.stream is not None:
            self.stream.stop()
            self.stream = None

    @property
    def stream_online(self) -> bool:
        """Whether the event stream is connected now."""
        return bool(self.stream is not None and self.stream.online)

    def _follow(self, last_event_id: int | None) -> None:
        if self.stream is not None or not self._following or self._stopped.is_set():
            return
        self.stream = self._stream_factory(
            self.client.base_url,
            self._on_stream_event,
            self._on_stream_online,
            on_reset=self._on_stream_reset,
            topics=self.topics,
            last_event_id=last_event_id,
        )
        self.stream.start()

    def reload(self) -> None:
        """Load the true state from the hub (at start, after a refusal, after a restore).

        Events arriving meanwhile are held and applied on top of it; only the latest of
        overlapping reloads counts.
        """
        if self._stopped.is_set():
            return  # a retry still scheduled when the app stopped
        self._reload_seq += 1
        seq = self._reload_seq
        if self._held is None:
            self._held = []
        first = not self.loaded

        def work() -> tuple[Snapshot, float | None]:
            snapshot = Snapshot.from_wire(self.client.get("/api/v1/state"))
            offset = self._measure_clock() if first else None
            return snapshot, offset

        def loaded(result: tuple[Snapshot, float | None]) -> None:
            if seq != self._reload_seq or self._stopped.is_set():
                return
            snapshot, offset = result
            if offset is not None:
                self.clock_offset = offset
            self.office.load(snapshot)
            self.loaded = True
            self._tell(Update("snapshot"))
            self._release_held()
            self.saw(None)
            self._follow(snapshot.last_event_id)

        def failed(exc: Exception) -> None:
            if seq != self._reload_seq or self._stopped.is_set():
                return
            if isinstance(exc, RecordError):
                log.error("the hub's state is malformed: %s", exc)
            else:
                log.info("state reload failed: %s", exc)
            self._release_held()
            # Whatever the reason (no answer, an error, a malformed state), the office is not
            # being followed: the app shows it is offline until a load succeeds.
            self.saw(exc if isinstance(exc, HubUnreachable) else HubUnreachable(str(exc)))
            self._tell(Update("failed", error=exc))
            self._follow(None)  # once it connects, the hub is back: load then
            if self._later is not None and self.stream_online:
                self._later(RELOAD_RETRY_S, self.reload)

        self.tasks.run(work, loaded, failed)

    def _release_held(self) -> None:
        held, self._held = self._held or [], None
        for event, age in held:
            self._arrived(event, age)

    def saw(self, exc: Exception | None) -> None:
        """Record what a call to the hub showed: None (it answered) or the error it raised."""
        online = not isinstance(exc, HubUnreachable)
        if online != self.online:
            self.online = online
            self._tell(Update("online"))

    # -- the hub's clock --------------------------------------------------------------------

    def _measure_clock(self) -> float | None:
        """Blocking: ask the hub's clock (off the UI thread)."""
        return self._clock_probe(self.client.base_url, min(2.0, self.client.timeout), self._wall)

    def hub_now(self, now: float | None = None) -> float:
        """The hub's time (Unix seconds) at local time ``now`` (default: now)."""
        return (self._wall() if now is None else now) + self.clock_offset

    def age(self, event: Event, now: float | None = None) -> float | None:
        """How old ``event`` is on the hub's clock; None when it carries no usable time."""
        stamp = timefmt.unix(event.at)
        return None if stamp is None else self.hub_now(now) - stamp

    # -- on the stream's thread -------------------------------------------------------------

    def _on_stream_event(self, raw: hublink.Event) -> None:
        try:
            event = Event.from_wire(raw.id, raw.type, raw.data)
        except RecordError as exc:
            log.error("event %s refused: %s", raw.id, exc)
            return
        age = self.age(event)
        if self.on_arrival is not None:
            self.on_arrival(event, age)
        self.tasks.call_soon(lambda: self._arrived(event, age))

    def _on_stream_online(self, online: bool) -> None:
        log.info("event stream %s", "connected" if online else "lost; reconnecting")
        if online:
            # Before the backlog arrives (same thread): measure the hub's clock again, so a
            # replayed event's age is judged right even if either clock moved meanwhile.
            offset = self._measure_clock()
            if offset is not None:
                self.clock_offset = offset
        self.tasks.call_soon(lambda: self._stream_online(online))

    def _on_stream_reset(self, hub_last_id: int) -> None:
        log.warning("hub's event log went back to %s (restored?): reloading", hub_last_id)
        self.tasks.call_soon(lambda: self._reset(hub_last_id))

    # -- on the UI thread -------------------------------------------------------------------

    def _stream_online(self, online: bool) -> None:
        if online and not self.loaded:
            self.reload()
        elif online:
            self.saw(None)
        else:
            self.saw(HubUnreachable("the event stream dropped"))

    def _reset(self, hub_last_id: int) -> None:
        """The hub's newest events carry ids already seen: follow it from its own newest id."""
        self.office.last_event_id = hub_last_id
        self.reload()

    def _arrived(self, event: Event, age: float | None) -> None:
        if self._held is not None:
            self._held.append((event, age))  # a snapshot is on its way: apply this on top
            return
        known = not self.office.apply(event)
        self._tell(Update("event", event, age, known))
        if event.topic == "office" and not known:
            # Services, counters or hours changed in the console: the event says only that.
            self.reload()
