"""Services with their queues, and whether the hub can be reached at all."""

from __future__ import annotations

import time
from collections.abc import Callable

from appliance.live import LiveOffice, Update
from appliance.records import Service
from kiosk.controllers.base import Observable

TOPICS = ("ticket", "counter", "day", "office")  # what changes a waiting count or an estimated wait


class Services(Observable):
    """The hub's services (waiting counts, estimated waits, open/closed/full) and the link state,
    read from the live view of the office.

    ``online`` is None until the first answer, then True or False. Other controllers call
    :meth:`saw` with each result or error so one unreachable call turns the kiosk offline at once,
    and the periodic :meth:`refresh` turns it back online when the hub answers again.
    """

    def __init__(self, live: LiveOffice) -> None:
        super().__init__()
        self.live = live
        self.loaded_at: float | None = None
        self.loading = False
        # The services to list when the hub was never heard from (a kiosk restarted while the
        # hub is down): those it can still issue offline.
        self.fallback: Callable[[], list[Service]] = list
        live.subscribe(self._update)

    @property
    def services(self) -> list[Service]:
        """Every service the hub lists, in its order (or the fallback's, before it answered)."""
        return list(self.live.office.services.values()) or self.fallback()

    @property
    def online(self) -> bool | None:
        """Whether the hub answers (None: not asked yet)."""
        return self.live.online

    def start(self) -> None:
        """Load the office, then follow the hub's events (until the kiosk closes)."""
        self.loading = True
        self.live.start()

    def refresh(self) -> None:
        """Load the office again in the background (skipped if a load is under way)."""
        if self.loading:
            return
        self.loading = True
        self.live.reload()

    def _update(self, update: Update) -> None:
        if update.kind in ("snapshot", "failed"):
            self.loading = False
            if update.kind == "snapshot":
                self.loaded_at = time.monotonic()
        elif update.kind == "event" and update.event is not None:
            if update.event.topic == "day":
                self.refresh()  # a new day changes every service: take them whole
                return
            if not update.event.services:
                return  # nothing the kiosk shows changed
        self.changed()

    def saw(self, exc: Exception | None) -> None:
        """Record what a call to the hub showed: None (it answered) or the error it raised."""
        self.live.saw(exc)

    def find(self, code: str) -> Service | None:
        """The service with ``code``, if the hub listed it."""
        return self.live.office.services.get(code)
