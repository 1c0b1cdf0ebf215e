"""Serving the hub: granian (HTTP in Rust) with the hub's ASGI front, logging to stdout.

Process model: ``motcua hub`` is granian's supervisor; it forks one worker process, which builds
the app, starts the writer, the relay's sync and the backup scheduler, and serves. One worker,
because the live queue is in that process's memory. If the worker dies the supervisor exits
non-zero, so the service manager restarts the hub (and a ``kill -9`` test kills both: the
process group).

Why granian rather than a pure-Python server: granian parses HTTP and moves bytes in Rust
threads, outside the interpreter lock, so the one core Python gets is spent on the app.

The worker serves :class:`hub.front.Front` through granian's ASGI interface: event streams are
coroutines on the worker's event loop, request bodies are read there in full, and only then
does one of ``threads`` Python threads run the Flask app. So idle streams and slow clients
cost sockets and coroutines, never threads; granian drops a connection whose headers do not
arrive within ``header_timeout_s``, and holds at most ``max_connections`` at once.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import logging
import multiprocessing.util
import os
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any

from flask import Flask

from hub import restore
from hub.config import HubConfig
from motcua.config import ConfigError

log = logging.getLogger("motcua.hub")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(level: int = logging.INFO) -> None:
    """One line per record on stdout, as service managers expect (flushed per line)."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    logging.basicConfig(stream=sys.stdout, level=level, format=LOG_FORMAT, force=True)


def _granian_logging() -> dict[str, Any]:
    """Granian's own records (start, stop, worker trouble) in the hub's format, on stdout."""
    return {
        "formatters": {"generic": {"()": "logging.Formatter", "fmt": LOG_FORMAT}},
        "handlers": {
            "console": {
                "formatter": "generic",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {"_granian": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread malloc arenas: with dozens of request threads the default (8 per core)
    multiplies resident memory for no gain, since the GIL serialises Python anyway."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def worker_app(settings: HubConfig, _target: str = "") -> Any:
    """In granian's worker process: build the app and start its threads; the ASGI callable."""
    from hub import backup, create_app
    from hub.front import Front

    setup_logging()
    limit_malloc_arenas()
    app = create_app(settings)
    app.extensions["motcua.writer"].start()
    try:  # the dossier relay's periodic sync, when that part is installed
        from hub.dossiers.setup import start_sync

        start_sync(app)
    except ImportError:
        pass
    from hub.sms.setup import start_sms  # a thread that owns the modem, when [sms] enabled

    start_sms(app)
    from hub.outbox.setup import start_outbox  # delivers the outbox, when [outbox] url is set

    start_outbox(app)
    scheduler = backup.Scheduler(settings, app.extensions["motcua.clock"], settings.backup_at)
    scheduler.start()
    # How the console's restore stops the hub: granian's supervisor (this worker's parent)
    # stops gracefully on SIGTERM, then applies the restore and starts again (serve below).
    supervisor = os.getppid()
    app.extensions["motcua.restart"] = lambda: os.kill(supervisor, signal.SIGTERM)
    app.extensions["motcua.alert_watch"].start()  # alert.changed for the counter panels
    # The worker ends through multiprocessing's exit path, which runs these finalizers but not
    # atexit: end the streams, then let the writer finish its queued batch and close the file.
    multiprocessing.util.Finalize(app, functools.partial(_stop_app, app), exitpriority=10)
    # Everything built so far lives as long as the process: keep the cycle collector off it, and
    # let it run less often (the hub's garbage is mostly acyclic, freed by reference counting),
    # so a full collection does not stall every stream at once.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    # The event loop's thread takes the interpreter lock for each step of a request and each
    # round of events; with the default 5 ms switch interval it waits that long behind a
    # request thread each time, which the loop's every client then feels.
    sys.setswitchinterval(0.001)
    log.info(
        "hub worker serving http://%s:%s (db %s, %d threads)",
        settings.host, settings.port, settings.db_path, settings.threads,
    )  # fmt: skip
    return Front(app, settings)


def _stop_app(app: Flask) -> None:
    from hub import core

    app.extensions["motcua.bus"].close(wait_s=0)
    core.shutdown(app)
    log.info("hub stopped")


def _check_database(path: Path) -> None:
    """The database file can be opened (created if new) and is SQLite; closed again before the
    worker is forked, since a connection must not cross a fork."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA schema_version").fetchone()
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError("db_path", f"cannot open {path}: {exc}") from None


def _preload() -> None:
    """Import the app's code before granian forks the worker, and freeze it out of the cycle
    collector: the two processes then share those pages instead of each holding a copy (a
    collection in the worker would otherwise touch, and so copy, every object)."""
    import importlib

    for name in ("hub.core", "hub.queue.api", "hub.auth.api", "hub.queue.events", "hub.web.public",
                 "hub.openapi", "hub.backup", "hub.dossiers.setup", "hub.sms.setup"):  # fmt: skip
        with contextlib.suppress(ImportError):  # a part that is not installed
            importlib.import_module(name)
    gc.collect()
    gc.freeze()


def build_server(settings: HubConfig) -> Any:
    """Granian's supervisor for the hub, bound to the configured address (not yet serving)."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    return Granian(
        "motcua.hub",  # a name only: worker_app builds the app
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,  # with lifespan: the front sets up its streams' loop there
        workers=1,
        # Connections granian holds at once; each costs a socket and a little Rust memory, not
        # a thread, so this is high: slow or idle clients cannot fill it before others.
        backpressure=settings.max_connections,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=int(settings.header_timeout_s * 1000)),
        websockets=False,
        log_dictconfig=_granian_logging(),
        workers_kill_timeout=10,
    )


def serve(settings: HubConfig) -> int:
    """Run the hub until SIGTERM or Ctrl-C; non-zero if its worker failed."""
    from hub.queue import office

    setup_logging()
    # What would stop the worker stops start-up here, named, instead of as its traceback.
    if settings.office_file is not None:
        office.read_file(settings.office_file)
    _check_database(settings.db_path)
    restore.apply_pending(settings.db_path)  # asked for before a power cut or another stop
    _preload()
    server = build_server(settings)
    log.info("hub listening on http://%s:%s", settings.host, settings.port)
    try:
        server.serve(target_loader=functools.partial(worker_app, settings))
    except SystemExit as exc:
        if restore.pending(settings.db_path) is None:
            return int(exc.code or 0)
    if restore.pending(settings.db_path) is not None:
        # The console asked for a restore and stopped the hub for it: apply it now that no
        # worker holds the database, and start again as the same process (same pid, so a
        # supervisor such as systemd or `make demo` sees no exit).
        restore.apply_pending(settings.db_path)
        log.info("starting again after the restore")
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    return 0
