"""Offline tickets and the hub: upload what was issued offline, fetch each day's blocks.

The numbers themselves are kept by :class:`kiosk.offline.OfflineBook`; the ticket controller
takes one from it when the hub cannot be reached. This part talks to the hub for the book: once
the hub answers, every ticket issued offline is sent (oldest first, each keyed by its number, so a
repeat after a crash changes nothing), then today's blocks are asked for when the book has none
for the day. The network is used off the UI thread; the book is changed on it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from appliance.hublink import HubClient, HubError, HubUnreachable
from appliance.tasks import Tasks
from kiosk.controllers.base import Observable
from kiosk.offline import REFUSED, TAKEN_IN, BookError, OfflineBook

log = logging.getLogger(__name__)

BLOCKS_RETRY_S = 60.0  # after the hub refused the blocks (an older hub), ask again this late
RETRY_S = 5.0  # after a round that failed half-way, the next one waits this long


class OfflineSync(Observable):
    """Keeps the offline book and the hub in step whenever the hub answers.

    ``taken_in`` and ``refused`` count the tickets the hub took or turned down since start.
    """

    def __init__(
        self,
        client: HubClient,
        tasks: Tasks,
        book: OfflineBook,
        hub_now: Callable[[], float],
        saw: Callable[[Exception | None], None],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.book = book
        self._client = client
        self._tasks = tasks
        self._hub_now = hub_now
        self._saw = saw
        self._monotonic = monotonic
        self._busy = False
        self._blocks_refused_at: float | None = None
        self._not_before = 0.0
        self.taken_in = 0
        self.refused = 0

    def due(self) -> bool:
        """Whether there is something to send or fetch."""
        if self._monotonic() < self._not_before:
            return False
        if self.book.pending():
            return True
        if not self.book.needs_blocks(self._hub_now()):
            return False
        refused = self._blocks_refused_at
        return refused is None or self._monotonic() - refused >= BLOCKS_RETRY_S

    def sync(self) -> None:
        """Upload pending tickets and fetch blocks in the background, if there is anything to do
        (call it whenever the hub is known to answer)."""
        if self._busy or not self.due():
            return
        self._busy = True
        pending = self.book.pending()
        bodies = [self.book.upload_body(ticket) for ticket in pending]
        want_blocks = self.book.needs_blocks(self._hub_now())

        def work() -> tuple[list[tuple[str, str | None]], Any, Exception | None]:
            outcomes: list[tuple[str, str | None]] = []
            try:
                for body in bodies:
                    try:
                        self._client.post("/api/v1/kiosk/offline-tickets", body)
                        outcomes.append((TAKEN_IN, None))
                    except HubError as exc:
                        if (
                            isinstance(exc, HubUnreachable)
                            or exc.status >= 500
                            or exc.status
                            in (
                                401,
                                429,
                            )
                        ):
                            raise  # the hub cannot take it now: the ticket stays pending
                        # Refused for good (outside the block, a day that is over): keep why.
                        outcomes.append((REFUSED, f"{exc.code}: {exc.message}"))
                blocks = self._client.post("/api/v1/kiosk/blocks") if want_blocks else None
            except HubError as exc:
                return outcomes, None, exc
            return outcomes, blocks, None

        self._tasks.run(work, lambda result: self._done(pending, *result), self._failed)

    def _done(
        self, pending: list[dict[str, Any]], outcomes: list[tuple[str, str | None]],
        blocks: Any, error: Exception | None,
    ) -> None:  # fmt: skip
        self._busy = False
        try:
            for ticket, (state, why) in zip(pending, outcomes, strict=False):
                self.book.mark(ticket, state, why)
                if state == TAKEN_IN:
                    self.taken_in += 1
                else:
                    self.refused += 1
                    log.error("the hub refused offline ticket %s: %s", ticket["number"], why)
            if blocks is not None:
                self.book.set_blocks(blocks)
                self._blocks_refused_at = None
        except (BookError, OSError, KeyError, TypeError, ValueError) as exc:
            log.error("offline book not updated: %s", exc)
            self._blocks_refused_at = self._monotonic()
        if error is not None:
            self._not_before = self._monotonic() + RETRY_S
        if isinstance(error, HubUnreachable):
            self._saw(error)
        elif error is not None and len(outcomes) == len(pending):
            log.warning("the hub gave no offline blocks: %s", error)
            self._blocks_refused_at = self._monotonic()
        elif error is not None:
            log.warning("offline tickets wait: %s", error)
        self.changed()

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        self._not_before = self._monotonic() + RETRY_S
        log.error("offline sync failed: %s", exc)
