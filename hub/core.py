"""Wires the queue's parts into an app: clock, writer, event bus, views, engine, health check.

Everything lives in ``app.extensions`` under ``motcua.*`` keys so blueprints find it per app
(tests build many apps in one process).
"""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask, Response, g, request

from hub.api_util import json_response
from hub.auth.access import TokenCache
from hub.clock import Clock
from hub.config import HubConfig
from hub.queue import office
from hub.queue.counter_ops import CounterOps
from hub.queue.engine import QueueEngine
from hub.queue.events import EventBus, last_event_id
from hub.queue.state import QueueState
from hub.queue.writer import Writer

log = logging.getLogger(__name__)
access = logging.getLogger("motcua.access")


def init_app(app: Flask, clock: Clock | None = None) -> None:
    """Build the queue's parts for ``app`` and load the office file if one is configured."""
    settings: HubConfig = app.config["MOTCUA"]
    store = app.extensions["motcua.store"]
    clock = clock or Clock(settings.timezone, settings.day_starts_at)
    if settings.office_file is not None:
        with store.write() as conn:
            office.load(conn, office.read_file(settings.office_file))
    bus = EventBus(last_event_id(store.conn()))
    state = QueueState(clock, settings.priority_burst)

    tokens = TokenCache()

    def mark_dirty() -> None:
        state.dirty = True

    def before_batch(conn: sqlite3.Connection, now: float, changed: bool) -> None:
        if changed:  # another process wrote: a revoked device, a new password, new services
            tokens.clear()
        state.refresh(conn, now, changed)

    writer = Writer(
        settings.db_path, clock, bus.publish,
        lock=state.lock, before_batch=before_batch, on_failure=mark_dirty,
    )  # fmt: skip
    engine = QueueEngine(state, settings.base_url)
    app.extensions.update(
        {
            "motcua.clock": clock,
            "motcua.bus": bus,
            "motcua.writer": writer,
            "motcua.state": state,
            "motcua.tokens": tokens,
            "motcua.engine": engine,
            "motcua.counter_ops": CounterOps(engine),
        }
    )

    @app.after_request
    def log_change(response: Response) -> Response:
        """A line on stdout per refused request (what an operator looks into), and per state
        change with ``log_changes``. Changes are not logged by default: the audit table already
        records who did what, and a line per change costs a busy hub about a tenth of its core."""
        refused = response.status_code >= 400
        if refused or (settings.log_changes and request.method != "GET"):
            principal = g.get("principal")
            who = (
                "-"
                if principal is None
                else f"{principal.role}:{principal.username or principal.device_id}"
            )
            access.info("%s %s %s %s", request.method, request.path, response.status_code, who)
        return response

    @app.get("/healthz")
    def healthz() -> Response:
        """Liveness: the database answers; the newest event id; the SMS modem when enabled (its
        trouble is reported, not made the hub's: everything else keeps working)."""
        body = {"ok": True, "last_event_id": last_event_id(store.conn())}
        sms = app.extensions.get("motcua.sms")
        if sms is not None:
            body["sms"] = sms.health()
        return json_response(body)


def shutdown(app: Flask) -> None:
    """Stop the sync, SMS, outbox and writer threads, then close connections (tests and server
    shutdown): a connection closed under a thread still using it crashes the process."""
    watch = app.extensions.get("motcua.alert_watch")
    if watch is not None:
        watch.stop()
    relay = app.extensions.get("motcua.dossiers") or {}
    if relay.get("sync") is not None:
        relay["sync"].stop()
    sms = app.extensions.get("motcua.sms")
    if sms is not None:
        sms.stop()
    outbox = app.extensions.get("motcua.outbox")
    if outbox is not None:  # it marks deliveries through the writer: stopped before it
        outbox.stop()
    writer = app.extensions["motcua.writer"]
    writer.stop()
    log.info(
        "writer: %d jobs in %d batches, busy %.1f s", writer.jobs, writer.batches, writer.busy_s
    )
    app.extensions["motcua.store"].close()
