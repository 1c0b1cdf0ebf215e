"""Periodic pull from the back end: changed dossiers since the saved cursor, and the catalogue.

Runs on one background thread that the hub server starts (:meth:`SyncWorker.start`); tests call
:meth:`SyncWorker.run_once` directly. Each page is committed together with the cursor after it,
so a crash mid-sync resumes where it stopped and never skips a change. Failures back off
exponentially (with jitter, so a province's hubs do not hammer a recovering back end in step).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.catalogue.procedures import Catalogue
from hub.dossiers.cache import DossierCache
from hub.upstream.base import Adapter, UpstreamBadData, UpstreamError

log = logging.getLogger(__name__)

CURSOR_KEY = "dossier_cursor"
MAX_PAGES = 100_000  # a back end that says "more" forever is broken, not busy


@dataclass
class SyncReport:
    """What one pass of :meth:`SyncWorker.run_once` did."""

    pages: int = 0
    dossiers: int = 0
    rejected: int = 0
    seconds: float = 0.0


class SyncWorker:
    """Pulls changes from ``adapter`` into ``cache`` (and procedures into ``catalogue``)."""

    def __init__(
        self,
        adapter: Adapter,
        cache: DossierCache,
        catalogue: Catalogue | None = None,
        interval_s: float = 60.0,
        catalogue_every_s: float = 6 * 3600.0,
        max_backoff_s: float = 900.0,
        rng: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.adapter = adapter
        self.cache = cache
        self.catalogue = catalogue
        self.interval_s = interval_s
        self.catalogue_every_s = catalogue_every_s
        self.max_backoff_s = max_backoff_s
        self.rng = rng
        self.failures = 0
        self.last_error: str | None = None
        self.last_success: float | None = None
        self.synced_through = 0.0  # unix time up to which every change is known (0: not yet)
        self.clock = clock
        self._catalogue_at: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> SyncReport:
        """Pull every page of changes since the saved cursor; raises UpstreamError on failure."""
        report = SyncReport()
        started, asked_at = time.monotonic(), self.clock()
        cursor = self.cache.state(CURSOR_KEY)
        while report.pages < MAX_PAGES and not self._stop.is_set():
            page = self.adapter.changes(cursor)
            self.cache.put_many(page.dossiers, source="sync", state={CURSOR_KEY: page.cursor})
            report.pages += 1
            report.dossiers += len(page.dossiers)
            report.rejected += page.rejected
            if not page.more:
                # Every change made before this pass began is now in the cache, so a cached
                # dossier that did not change is known to be current as of then.
                self.synced_through = asked_at
                break
            if page.cursor == cursor:
                raise UpstreamBadData("the back end says there is more but its cursor did not move")
            cursor = page.cursor
        report.seconds = time.monotonic() - started
        return report

    def sync_catalogue(self) -> int:
        """Pull the whole procedure catalogue; return how many procedures were stored."""
        if self.catalogue is None:
            return 0
        cursor: str | None = None
        stored = 0
        for _ in range(MAX_PAGES):
            if self._stop.is_set():
                break  # stopping: the rest waits for the next start
            page = self.adapter.procedures(cursor)
            stored += self.catalogue.upsert_many(page.procedures)
            if page.rejected:
                log.warning("catalogue: %d procedures refused: %s", page.rejected, page.errors[:3])
            if not page.more or page.cursor in (None, cursor):
                break
            cursor = page.cursor
        return stored

    def delay(self) -> float:
        """Seconds to wait before the next pass: the interval, or a jittered backoff."""
        if not self.failures:
            return self.interval_s
        backoff = min(self.max_backoff_s, self.interval_s * 2 ** min(self.failures, 16))
        return backoff * (0.5 + 0.5 * self.rng())

    def tick(self) -> None:
        """One pass of the loop: catalogue when due, then changes; never raises."""
        try:
            now = time.monotonic()
            if self._catalogue_at is None or now - self._catalogue_at > self.catalogue_every_s:
                count = self.sync_catalogue()
                self._catalogue_at = now
                log.info("catalogue synced: %d procedures", count)
            report = self.run_once()
            if report.dossiers:
                log.info("sync: %d dossiers in %d pages", report.dossiers, report.pages)
            self.failures = 0
            self.last_error = None
            self.last_success = time.time()
        except UpstreamError as exc:
            self.failures += 1
            self.last_error = str(exc)
            log.warning("sync failed (%d in a row): %s", self.failures, exc)
        except Exception as exc:  # a bug here must not kill the thread or the hub
            self.failures += 1
            self.last_error = f"internal error: {exc}"
            log.exception("sync crashed")

    def start(self) -> None:
        """Run :meth:`tick` on a daemon thread until :meth:`stop`."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="upstream-sync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to finish and wait until it has.

        It finishes the page in hand (each back-end call has its own timeout) and takes no
        other: the caller closes the database next, which must never happen under a thread
        still inside it.
        """
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def status(self) -> dict[str, Any]:
        """For the console and /healthz: failures in a row, last error, last success."""
        return {
            "failures": self.failures,
            "last_error": self.last_error,
            "last_success": self.last_success,
            "cursor": self.cache.state(CURSOR_KEY),
            "synced_through": self.synced_through or None,
        }

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.delay())
