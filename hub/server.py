"""Serving the hub: granian (HTTP in Rust, the Flask app in Python threads), logging to stdout.

Process model: ``motcua hub`` is granian's supervisor; it forks one worker process, which builds
the app, starts the writer, the relay's sync and the backup scheduler, and serves. One worker,
because the live queue is in that process's memory. If the worker dies the supervisor exits
non-zero, so the service manager restarts the hub (and a ``kill -9`` test kills both: the
process group).

Why granian rather than a pure-Python server: granian parses HTTP and moves bytes in Rust
threads, outside the interpreter lock, so the one core Python gets is spent on the app. On the
2-core benchmark machine that took the hub from under to over 1,000 durable operations/s, and
its 100-stream fan-out p99 under 20 ms (README, Performance, has the figures).

An open event stream holds one of the worker's Python threads for its lifetime, so ``threads``
must cover every appliance's stream plus the requests in flight (the default 160 holds 100
appliances and leaves 60 for requests); granian takes no more requests at once than that.
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
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask

from hub.config import HubConfig
from motcua.config import ConfigError

log = logging.getLogger("motcua.hub")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def setup_logging(level: int = logging.INFO) -> None:
    """One line per record on stdout, as service managers expect (flushed per line)."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    logging.basicConfig(stream=sys.stdout, level=level, format=LOG_FORMAT, force=True)


class _ThreadsByDesign(logging.Filter):
    """Drops granian's start-up warning that many threads for two cores looks high: most of them
    are event streams asleep, and an operator should not be told to "review" a default."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Python threads" not in record.getMessage()


def _granian_logging() -> dict[str, Any]:
    """Granian's own records (start, stop, worker trouble) in the hub's format, on stdout."""
    return {
        "formatters": {"generic": {"()": "logging.Formatter", "fmt": LOG_FORMAT}},
        "filters": {"threads": {"()": _ThreadsByDesign}},
        "handlers": {
            "console": {
                "formatter": "generic",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["threads"],
            },
        },
        "loggers": {"_granian": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread malloc arenas: with ~160 server threads the default (8 per core)
    multiplies resident memory for no gain, since the GIL serialises Python anyway."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def buffered(app: Flask) -> WSGIApp:
    """``app`` with every answer but an event stream handed to the server as one list.

    Granian sends a list in one go from its Rust side; any other iterable it walks chunk by
    chunk, taking a Python thread and the interpreter lock per chunk. Flask answers with an
    iterator even when the body is complete, so this joins it here, once, in the request's
    thread. Event streams stay iterators: they are endless.
    """

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        streaming = False

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            nonlocal streaming
            streaming = any(
                k.lower() == "content-type" and v.startswith("text/event-stream")
                for k, v in headers
            )
            return start_response(status, headers, exc_info)

        body = app.wsgi_app(environ, start)
        if streaming:
            return body
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


def worker_app(settings: HubConfig, _target: str = "") -> WSGIApp:
    """In granian's worker process: build the app and start its threads; the WSGI callable."""
    from hub import backup, create_app

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
    scheduler = backup.Scheduler(settings, app.extensions["motcua.clock"], settings.backup_at)
    scheduler.start()
    _end_streams_on_stop(app.extensions["motcua.bus"])
    # The worker ends through multiprocessing's exit path, which runs these finalizers but not
    # atexit: end the streams, then let the writer finish its queued batch and close the file.
    multiprocessing.util.Finalize(app, functools.partial(_stop_app, app), exitpriority=10)
    # Everything built so far lives as long as the process: keep the cycle collector off it, and
    # let it run less often (the hub's garbage is mostly acyclic, freed by reference counting),
    # so a full collection does not stall every stream at once.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    log.info(
        "hub worker serving http://%s:%s (db %s, %d threads)",
        settings.host, settings.port, settings.db_path, settings.threads,
    )  # fmt: skip
    return buffered(app)


def _end_streams_on_stop(bus: Any) -> None:
    """End every event stream as soon as the worker is told to stop.

    Granian's worker stops gracefully: it waits for open answers to finish before it exits, and
    an event stream never finishes by itself, so without this a stop would wait out granian's
    kill timeout. Granian owns the worker's signal handlers; a wakeup fd sees the same signals
    without replacing them (the watcher thread reads the signal numbers written to it).
    """
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)

    def watch() -> None:
        while True:
            received = os.read(read_fd, 64)
            if signal.SIGTERM in received or signal.SIGINT in received:
                log.info("stopping: ending the event streams (clients resume from their last id)")
                bus.close(wait_s=0)
                return

    threading.Thread(target=watch, name="motcua-stop", daemon=True).start()


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

    return Granian(
        "motcua.hub",  # a name only: worker_app builds the app
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=settings.threads,
        # No more requests at once than there are threads: the rest wait in granian, not in a
        # thread that would hold memory and the interpreter lock.
        backpressure=settings.threads,
        http=HTTPModes.http1,
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
    _preload()
    server = build_server(settings)
    log.info("hub listening on http://%s:%s", settings.host, settings.port)
    try:
        server.serve(target_loader=functools.partial(worker_app, settings))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
