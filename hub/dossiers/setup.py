"""Wiring of the dossier and procedure relay into the hub app (built from its settings)."""

from __future__ import annotations

import zoneinfo

from flask import Flask

from hub.auth.ratelimit import RateLimiter
from hub.catalogue import api as procedures_api
from hub.catalogue.procedures import Catalogue
from hub.config import HubConfig
from hub.db import Store
from hub.dossiers import api
from hub.dossiers.cache import DossierCache
from hub.dossiers.guard import MissGuard
from hub.dossiers.lookup import LookupService
from hub.upstream import build_adapter
from hub.upstream.http import HttpAdapter
from hub.upstream.mapping import Mapping
from hub.upstream.sync import SyncWorker

# Codes that find nothing, per caller: enough for a kiosk's worth of typos, far too few to walk
# through codes (a day's sequence numbers at one agency run to thousands).
MISSES_PER_MINUTE = 10.0
MISS_BURST = 20.0


def init_app(app: Flask) -> None:
    """Register lookup, webhook and procedure routes; keep an unstarted sync worker.

    The hub server starts the worker with :func:`start_sync`; tests and the CLI do not.
    """
    settings: HubConfig = app.config["MOTCUA"]
    store: Store = app.extensions["motcua.store"]
    upstream = settings.upstream
    adapter = build_adapter(upstream)
    mapping = adapter.mapping if isinstance(adapter, HttpAdapter) else Mapping()
    if adapter is None and upstream.mapping_file:
        mapping = Mapping.load(upstream.mapping_file)
    cache = DossierCache(store)
    catalogue = Catalogue(store)
    catalogue.prepare()  # shipped synonyms, text cleaned and indexes rebuilt after an upgrade
    sync = (
        None
        if adapter is None
        else SyncWorker(adapter, cache, catalogue, interval_s=upstream.sync_interval_s)
    )
    lookup = LookupService(
        cache,
        adapter,
        zoneinfo.ZoneInfo(settings.timezone),
        stale_after_s=upstream.stale_after_s,
        # The citizen waits at most about a second; the fetch may finish in the background.
        wait_s=min(upstream.timeout_s, 0.8),
        fetch_timeout_s=max(upstream.timeout_s, 1.0),
        synced_through=lambda: sync.synced_through if sync is not None else 0.0,
    )
    rate = settings.lookups_per_minute
    parts = {
        "cache": cache,
        "lookup": lookup,
        "limiter": RateLimiter(rate),
        "guard": MissGuard(per_minute=MISSES_PER_MINUTE, burst=MISS_BURST),
        "mapping": mapping,
        "webhook_secret": upstream.webhook_secret,
        "sync": sync,
    }
    api.init_app(app, parts)
    procedures_api.init_app(app, catalogue)


def start_sync(app: Flask) -> SyncWorker | None:
    """Start ``app``'s periodic sync thread (the hub server calls this); None: no back end."""
    worker: SyncWorker | None = app.extensions["motcua.dossiers"]["sync"]
    if worker is not None:
        worker.start()
    return worker
