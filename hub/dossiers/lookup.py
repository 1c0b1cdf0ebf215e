"""A citizen's dossier lookup: from the cache when fresh, else ask the back end briefly.

The back end is asked on a small thread pool and the lookup waits at most ``wait_s`` for it: a
slow back end costs the citizen under a second and the answer comes from the cache, saying how
old it is; the fetch keeps going in the background and refreshes the cache for the next person.
"Not found" (the back end was asked and has no such dossier) is kept apart from "could not check
now" (not cached and the back end cannot be reached).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from hub.dossiers import status as words
from hub.dossiers.cache import DossierCache
from hub.upstream.base import Adapter, UpstreamError

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 32  # more concurrent fetches than this means the back end is drowning


class DossierNotFound(Exception):
    """The back end (or, with none configured, the hub) has no dossier with this code."""


class UpstreamUnavailable(Exception):
    """Not cached, and the back end cannot be asked now."""


class LookupService:
    """Answers lookups from ``cache``, refreshing through ``adapter`` (None: cache only)."""

    def __init__(
        self,
        cache: DossierCache,
        adapter: Adapter | None,
        zone: dt.tzinfo,
        stale_after_s: float = 300.0,
        wait_s: float = 0.8,
        fetch_timeout_s: float = 5.0,
        negative_ttl_s: float = 60.0,
        clock: Callable[[], float] = time.time,
        synced_through: Callable[[], float] = lambda: 0.0,
        executor: Executor | None = None,
    ) -> None:
        self.cache = cache
        self.adapter = adapter
        self.zone = zone
        self.stale_after_s = stale_after_s
        self.wait_s = wait_s
        self.fetch_timeout_s = fetch_timeout_s
        self.negative_ttl_s = negative_ttl_s
        self.clock = clock
        # Unix time up to which the periodic sync has brought in every change: a cached dossier
        # is at least that fresh even if it was fetched long before.
        self.synced_through = synced_through
        self._executor = executor  # tests may run fetches in a given executor
        self._pool: Executor | None = None
        self._in_flight: dict[str, Future[dict[str, Any] | None]] = {}
        self._misses: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, code: str) -> dict[str, Any]:
        """The API answer for canonical ``code``; raises DossierNotFound / UpstreamUnavailable."""
        cached = self.cache.get(code)
        now = self.clock()
        if cached is not None:
            cached["fetched_at"] = max(cached["fetched_at"], self.synced_through())
            if now - cached["fetched_at"] < self.stale_after_s:
                return self.present(cached, "cache", "skipped")
        if self.adapter is None:
            if cached is None:
                raise DossierNotFound("no dossier with this code in the hub's records")
            return self.present(cached, "cache", "not_configured")
        if cached is None and self._recent_miss(code, now):
            raise DossierNotFound("the back end has no dossier with this code")
        outcome, record = self._fetch(code)
        if outcome == "ok" and record is not None:
            return self.present(record, "upstream", "ok", fetched_at=self.clock())
        if outcome == "ok":  # asked, and the back end has none
            if cached is None:
                raise DossierNotFound("the back end has no dossier with this code")
            # A back end answering 404 for a dossier we hold is more likely a hiccup than a
            # deletion; keep showing what we know, marked stale.
            return self.present(cached, "cache", "not_found")
        if cached is None:
            raise UpstreamUnavailable("the back end cannot be reached now; try again later")
        return self.present(cached, "cache", "unavailable")

    def _fetch(self, code: str) -> tuple[str, dict[str, Any] | None]:
        """("ok", record-or-None) if the back end answered in time, else ("unavailable", None)."""
        started = False
        with self._lock:
            future = self._in_flight.get(code)
            if future is None:
                if len(self._in_flight) >= MAX_IN_FLIGHT:
                    return "unavailable", None
                if self._pool is None:
                    self._pool = self._executor or ThreadPoolExecutor(
                        8, thread_name_prefix="dossier-fetch"
                    )
                future = self._pool.submit(self._fetch_and_store, code)
                self._in_flight[code] = future
                started = True
        if started:
            # Outside the lock: a future that is already done runs its callback right here,
            # and the callback takes the lock.
            future.add_done_callback(lambda done, c=code: self._done(c, done))
        try:
            return "ok", future.result(timeout=self.wait_s)
        except FutureTimeout:
            return "unavailable", None
        except UpstreamError as exc:
            log.info("lookup of %s upstream failed: %s", code, exc)
            return "unavailable", None
        except Exception:  # e.g. the store busy: the citizen still gets the cached answer
            log.exception("lookup of %s: fetch failed", code)
            return "unavailable", None

    def _fetch_and_store(self, code: str) -> dict[str, Any] | None:
        assert self.adapter is not None
        try:
            record = self.adapter.lookup(code, timeout_s=self.fetch_timeout_s)
        except UpstreamError:
            raise
        except Exception as exc:  # an adapter bug must not take the hub down
            log.exception("adapter lookup of %s crashed", code)
            raise UpstreamError(f"adapter failed: {exc}") from exc
        if record is None:
            with self._lock:
                self._misses[code] = self.clock()
                while len(self._misses) > 10_000:
                    self._misses.popitem(last=False)
            return None
        self.cache.put_many([record], source="lookup")
        return record

    def _done(self, code: str, future: Future[dict[str, Any] | None]) -> None:
        with self._lock:
            if self._in_flight.get(code) is future:
                del self._in_flight[code]

    def _recent_miss(self, code: str, now: float) -> bool:
        with self._lock:
            seen = self._misses.get(code)
            return seen is not None and now - seen < self.negative_ttl_s

    def close(self) -> None:
        """Stop the fetch threads (waiting for none)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def present(
        self,
        record: dict[str, Any],
        source: str,
        upstream: str,
        fetched_at: float | None = None,
    ) -> dict[str, Any]:
        """The API's dossier lookup body for a clean record."""
        now = self.clock()
        fetched = fetched_at if fetched_at is not None else record.get("fetched_at", now)
        age = max(0, int(now - fetched))
        status = int(record["status"])
        status_vi, status_en = words.status_words(status)
        next_vi, next_en = words.next_step(status)
        due = parse_time(record.get("due_at"))
        finished = parse_time(record.get("finished_at")) or parse_time(record.get("returned_at"))
        when = words.timeliness(status, due, finished, dt.datetime.fromtimestamp(now, self.zone))
        time_vi, time_en = words.TIMELINESS_WORDS.get(when or "", (None, None))
        dossier = {
            key: record.get(key)
            for key in (
                "code",
                "procedure_code",
                "procedure_name",
                "applicant_masked",
                "received_at",
                "due_at",
                "finished_at",
                "returned_at",
            )
        }
        dossier.update(
            status=status,
            status_vi=status_vi,
            status_en=status_en,
            timeliness=when,
            timeliness_vi=time_vi,
            timeliness_en=time_en,
            channel=record.get("channel"),
            steps=list(record.get("steps") or []),
            next_vi=next_vi,
            next_en=next_en,
        )
        freshness = {
            "fetched_at": dt.datetime.fromtimestamp(fetched, self.zone).isoformat(
                timespec="seconds"
            ),
            "age_s": age,
            "source": source,
            "stale": upstream in ("unavailable", "not_found") or age >= self.stale_after_s,
            "upstream": upstream,
        }
        return {"dossier": dossier, "freshness": freshness}


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 time from the back end's record, or None when absent or malformed."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None
