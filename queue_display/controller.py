"""The display's controller: the live view of the office, the board and the announcer together.

Plain Python, so it is tested without a window. The :class:`~appliance.live.LiveOffice` follows
the hub (snapshot, events, a restored hub, the hub's clock); this controller keeps the board's
calls in step with it on the UI thread, and announces fresh calls from the stream's own thread
so the chime does not wait for the next frame.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from appliance.live import LiveOffice, Update
from appliance.records import Event
from queue_display.announcer import Announcer
from queue_display.board import Board

log = logging.getLogger(__name__)


class DisplayController:
    """Keeps the board in step with the live office and hands fresh calls to the announcer.

    Screens subscribe to :attr:`live` (after this controller, so the board has changed first).
    """

    def __init__(self, live: LiveOffice, board: Board, announcer: Announcer | None = None) -> None:
        self.live = live
        self.board = board
        self.announcer = announcer
        self.heartbeat_error: str | None = None
        # for the bench's stopwatch: an event off the wire (stream thread), and on the board
        self.on_received: Callable[[Event], None] | None = None
        self.on_applied: Callable[[Event], None] | None = None
        live.on_arrival = self._arrived
        live.subscribe(self._update)

    @property
    def loaded(self) -> bool:
        """Whether the first snapshot has come."""
        return self.live.loaded

    @property
    def online(self) -> bool:
        """Whether the hub is being followed now."""
        return self.live.online is True

    def start(self) -> None:
        """Load the snapshot in the background, then follow the hub."""
        self.live.start()

    def stop(self) -> None:
        """Stop following the hub and the announcer."""
        self.live.stop()
        if self.announcer is not None:
            self.announcer.stop()

    def heartbeat(self, extra: dict[str, Any] | None = None) -> None:
        """Tell the hub this display is alive and how it is (in the background; needs a token)."""
        client = self.live.client
        if not client.token:
            return
        status: dict[str, Any] = {
            "online": self.online,
            "last_event_id": self.board.last_event_id,
            "announcements_pending": self.announcer.pending if self.announcer else 0,
            **(extra or {}),
        }
        self.live.tasks.run(
            lambda: client.post("/api/v1/devices/heartbeat", {"status": status}),
            lambda _answer: setattr(self, "heartbeat_error", None),
            lambda error: setattr(self, "heartbeat_error", str(error)),
        )

    def _arrived(self, event: Event, age_s: float | None) -> None:
        """On the stream's thread: speak at once (the announcer has its own thread)."""
        if self.on_received is not None:
            self.on_received(event)
        announcement = self.board.announcement(event, age_s)
        if announcement is not None and self.announcer is not None:
            self.announcer.announce(announcement)

    def _update(self, update: Update) -> None:
        """On the UI thread: the board follows the office."""
        if update.kind == "snapshot":
            self.board.load()
        elif update.kind == "event" and update.event is not None and not update.known:
            self.board.apply(update.event, update.age_s)
            if self.on_applied is not None:
                self.on_applied(update.event)
