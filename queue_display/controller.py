"""The display's controller: snapshot, event stream, board and announcer wired together.

Plain Python, so it is tested without a window. Network work runs off the UI thread: the first
snapshot on a :class:`~appliance.tasks.Tasks` worker, events on the stream's own thread. Every
change to the board is made on the UI thread (through ``tasks.call_soon``), and listeners are
told afterwards so the screen redraws.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from appliance.hublink import Event, EventStream, HubClient, HubError
from appliance.tasks import Tasks
from queue_display.announcer import Announcer
from queue_display.board import Board

log = logging.getLogger(__name__)

TOPICS = ["ticket", "counter", "day", "notice"]


def hub_clock_offset(base_url: str, timeout: float = 2.0) -> float | None:
    """Seconds the hub's clock is ahead of ours (±0.5 s), from the ``Date`` header of
    ``GET /healthz``; None when the hub does not say (or cannot be reached).

    Staleness is judged on the hub's clock, so a display whose clock is off (a Pi has no
    battery-backed clock) neither announces replayed calls nor silences live ones.
    """
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=timeout)
    try:
        before = time.time()
        conn.request("GET", parts.path.rstrip("/") + "/healthz")
        response = conn.getresponse()
        response.read()
        after = time.time()
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


def event_age(at: str | None, now: float, offset: float) -> float | None:
    """How old an event stamped ``at`` (ISO 8601 with offset) is at local time ``now``."""
    if not at:
        return None
    try:
        stamp = dt.datetime.fromisoformat(at)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        return None  # a naive time cannot be compared across machines
    return now + offset - stamp.timestamp()


class DisplayController:
    """Keeps the board in step with the hub and hands fresh calls to the announcer."""

    def __init__(
        self,
        client: HubClient,
        board: Board,
        tasks: Tasks,
        announcer: Announcer | None = None,
        *,
        stream_factory: Callable[..., EventStream] = EventStream,
        retry_s: tuple[float, float] = (0.5, 10.0),
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.board = board
        self.tasks = tasks
        self.announcer = announcer
        self._stream_factory = stream_factory
        self._retry_s = retry_s
        self._wall = wall
        self.clock_offset = 0.0
        self.heartbeat_error: str | None = None
        self._resync_buffer: list[tuple[Event, float | None]] | None = None
        self.online = False
        self.loaded = False
        self.stream: EventStream | None = None
        self._stopped = threading.Event()
        self._listeners: list[Callable[[], None]] = []
        # for the bench's stopwatch: an event off the wire (stream thread), and on the board
        self.on_received: Callable[[Event], None] | None = None
        self.on_applied: Callable[[Event], None] | None = None

    def listen(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (on the UI thread) after each change to the board or online state."""
        self._listeners.append(callback)

    def _changed(self) -> None:
        for callback in self._listeners:
            callback()

    def start(self) -> None:
        """Load the snapshot in the background (retrying while the hub is away), then follow."""
        self.tasks.run(self._fetch_state, self._loaded, self._load_failed)

    def stop(self) -> None:
        """Stop following the hub and the announcer."""
        self._stopped.set()
        if self.stream is not None:
            self.stream.stop()
        if self.announcer is not None:
            self.announcer.stop()

    def _fetch_state(self) -> dict[str, Any]:
        delay = self._retry_s[0]
        while True:
            try:
                state = self.client.get("/api/v1/state")
                offset = hub_clock_offset(self.client.base_url, self.client.timeout)
                return {"state": state, "offset": offset}
            except HubError as exc:
                if self._stopped.is_set():
                    raise
                log.info("hub not reachable for the snapshot (%s); retrying", exc)
                self.tasks.call_soon(lambda: self._set_online(False))
                self._stopped.wait(delay)
                delay = min(delay * 2, self._retry_s[1])

    def _loaded(self, result: dict[str, Any]) -> None:
        if self._stopped.is_set():
            return
        self.board.load(result["state"])
        if result["offset"] is not None:
            self.clock_offset = result["offset"]
        self.loaded = True
        self.online = True
        self.stream = self._stream_factory(
            self.client.base_url,
            self._on_event,
            self._on_online,
            on_reset=self._on_reset,
            topics=TOPICS,
            last_event_id=self.board.last_event_id,
        )
        self.stream.start()
        self._changed()

    def heartbeat(self, extra: dict[str, Any] | None = None) -> None:
        """Tell the hub this display is alive and how it is (in the background; needs a token)."""
        if not self.client.token:
            return
        status: dict[str, Any] = {
            "online": self.online,
            "last_event_id": self.board.last_event_id,
            "announcements_pending": self.announcer.pending if self.announcer else 0,
            **(extra or {}),
        }
        self.tasks.run(
            lambda: self.client.post("/api/v1/devices/heartbeat", {"status": status}),
            lambda _answer: setattr(self, "heartbeat_error", None),
            lambda error: setattr(self, "heartbeat_error", str(error)),
        )

    def _load_failed(self, error: Exception) -> None:
        log.error("display stopped loading the board: %s", error)

    # --- on the stream's thread -------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if self.on_received is not None:
            self.on_received(event)
        age = event_age(event.data.get("at"), self._wall(), self.clock_offset)
        # Speak straight from here: the announcer has its own thread, and the chime should not
        # wait for the UI's next frame. The board itself changes only on the UI thread.
        announcement = self.board.announcement(event.id, event.type, event.data, age)
        if announcement is not None and self.announcer is not None:
            self.announcer.announce(announcement)
        self.tasks.call_soon(lambda: self.apply(event, age))

    def _on_online(self, online: bool) -> None:
        log.info("event stream %s", "connected" if online else "lost; reconnecting")
        if online:
            # Before the backlog arrives (same thread): re-measure the hub's clock, so a
            # replayed event's age is judged right even if either clock moved meanwhile.
            offset = hub_clock_offset(self.client.base_url, 2.0)
            if offset is not None:
                self.clock_offset = offset
        self.tasks.call_soon(lambda: self._set_online(online))

    def _on_reset(self, hub_last_id: int) -> None:
        """The stream found the hub's log behind what the board has seen: the hub was restored
        from a backup. Its newest events carry ids already seen; reload the board from it."""
        log.warning("hub's event log went back to %s (restored?): reloading the board", hub_last_id)
        self.tasks.call_soon(lambda: self._resync(hub_last_id))

    # --- after the hub's log went back ------------------------------------------------------

    def _resync(self, hub_last_id: int) -> None:
        """Follow the hub from its own newest id, and reload the board from a snapshot."""
        self.board.last_event_id = hub_last_id
        self._resync_buffer = []
        self.tasks.run(self._fetch_state, self._resynced, self._load_failed)

    def _resynced(self, result: dict[str, Any]) -> None:
        buffered, self._resync_buffer = self._resync_buffer or [], None
        self.board.load(result["state"])
        for event, age in buffered:  # what came while the snapshot was on its way
            self.board.apply(event.id, event.type, event.data, age)
        self._changed()

    # --- on the UI thread -------------------------------------------------------------------

    def apply(self, event: Event, age_s: float | None) -> None:
        """Apply one event to the board (its announcement went out when it arrived)."""
        version = self.board.version
        if self._resync_buffer is not None:
            self._resync_buffer.append((event, age_s))
        self.board.apply(event.id, event.type, event.data, age_s)
        if self.on_applied is not None:
            self.on_applied(event)
        if self.board.version != version:
            self._changed()

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self._changed()
