"""Serving the hub: waitress, sized for Server-Sent Events, logging to stdout.

Waitress runs the app in a fixed pool of threads; an open event stream holds one thread for its
lifetime, so ``threads`` must cover every appliance's stream plus the request load (the default
160 holds 100 appliances and leaves 60 for requests). Waitress writes each chunk a stream yields
straight to the socket (``send_bytes=1``), so events are not held back in a buffer.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import signal
import sys
from typing import Any

from flask import Flask

from hub.config import HubConfig

log = logging.getLogger("motcua.hub")


def setup_logging(level: int = logging.INFO) -> None:
    """One line per record on stdout, as service managers expect (flushed per line)."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    logging.basicConfig(
        stream=sys.stdout,
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread malloc arenas: with ~160 server threads the default (8 per core)
    multiplies resident memory for no gain, since the GIL serialises Python anyway."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def build_server(app: Flask, settings: HubConfig) -> Any:
    """A waitress server for ``app`` bound to the configured address (not yet running)."""
    import waitress.server

    return waitress.server.create_server(
        app,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        # Every stream is a connection: allow all threads' worth plus queued keep-alive clients.
        connection_limit=settings.threads + 100,
        send_bytes=1,
        # Backpressure: a stream whose reader is slow blocks its own thread once this much is
        # buffered, instead of growing the hub's memory; it catches up from the event log.
        outbuf_high_watermark=32 * 1024,
        channel_timeout=max(120, int(settings.heartbeat_s * 4)),
        ident="motcua-hub",
        asyncore_use_poll=True,  # poll(2) scales with open streams where select(2) does not
        expose_tracebacks=False,
    )


def serve(settings: HubConfig) -> int:
    """Run the hub until SIGTERM or Ctrl-C."""
    from hub import backup, core, create_app

    setup_logging()
    limit_malloc_arenas()
    app = create_app(settings)
    app.extensions["motcua.writer"].start()
    try:  # the dossier relay's periodic sync, when that part is installed
        from hub.dossiers.setup import start_sync

        start_sync(app)
    except ImportError:
        pass
    server = build_server(app, settings)
    # Everything built so far lives as long as the process: keep the cycle collector off it, and
    # let it run less often (the hub's garbage is mostly acyclic, freed by reference counting),
    # so a full collection does not stall every stream at once.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    scheduler = backup.Scheduler(settings, app.extensions["motcua.clock"], settings.backup_at)
    scheduler.start()

    def stop(signum: int, frame: Any) -> None:
        log.info("signal %s: stopping", signum)
        # End the event streams first: waitress waits for busy threads when it stops.
        app.extensions["motcua.bus"].close()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "hub listening on http://%s:%s (db %s, %d threads)",
        settings.host,
        server.effective_port,
        settings.db_path,
        settings.threads,
    )
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        app.extensions["motcua.bus"].close(wait_s=0)
        server.close()
        core.shutdown(app)
        log.info("hub stopped")
    return 0
