"""Services with their queues, and whether the hub can be reached at all."""

from __future__ import annotations

import time
from typing import Any

from appliance.hublink import HubClient, HubUnreachable
from appliance.tasks import Tasks
from kiosk.controllers.base import Observable


class Services(Observable):
    """The hub's services (waiting counts, estimated waits, open/closed/full) and the link state.

    ``online`` is None until the first answer, then True or False. Other controllers call
    :meth:`saw` with each result or error so one unreachable call turns the kiosk offline at once,
    and the periodic :meth:`refresh` turns it back online when the hub answers again.
    """

    def __init__(self, client: HubClient, tasks: Tasks) -> None:
        super().__init__()
        self._client = client
        self._tasks = tasks
        self.services: list[dict[str, Any]] = []
        self.day: str | None = None
        self.online: bool | None = None
        self.loaded_at: float | None = None
        self.loading = False

    def refresh(self) -> None:
        """Fetch ``GET /api/v1/services`` in the background (skipped if one is under way)."""
        if self.loading:
            return
        self.loading = True
        self._tasks.run(lambda: self._client.get("/api/v1/services"), self._loaded, self._failed)

    def _loaded(self, answer: dict[str, Any]) -> None:
        self.loading = False
        self.services = list(answer.get("services", []))
        self.day = answer.get("day")
        self.loaded_at = time.monotonic()
        self.saw(None)
        self.changed()

    def _failed(self, exc: Exception) -> None:
        self.loading = False
        self.saw(exc)
        self.changed()

    def saw(self, exc: Exception | None) -> None:
        """Record what a call to the hub showed: None (it answered) or the error it raised."""
        online = not isinstance(exc, HubUnreachable)
        if online != self.online:
            self.online = online
            self.changed()

    def apply_event(self, event_type: str, data: dict[str, Any]) -> None:
        """Take the fresh queue figures a hub event carries, so waits shown are live.

        Ticket events carry the services they touched (hub/API.md); a new day changes every
        service, so it is fetched whole.
        """
        if event_type.startswith("day."):
            self.refresh()
            return
        fresh = {s.get("code"): s for s in data.get("services") or [] if isinstance(s, dict)}
        if not fresh or not self.services:
            return
        self.services = [fresh.get(s.get("code"), s) for s in self.services]
        self.changed()

    def find(self, code: str) -> dict[str, Any] | None:
        """The service with ``code``, if the hub listed it."""
        return next((s for s in self.services if s.get("code") == code), None)
