"""Wires the queue's parts into an app: clock, writer, event bus, views, engine, health check.

Everything lives in ``app.extensions`` under ``motcua.*`` keys so blueprints find it per app
(tests build many apps in one process).
"""

from __future__ import annotations

from flask import Flask, Response

from hub import office
from hub.api_util import json_response
from hub.clock import Clock
from hub.config import HubConfig
from hub.counter_ops import CounterOps
from hub.events import EventBus, last_event_id
from hub.queue import QueueEngine
from hub.views import Estimator, Views
from hub.writer import Writer


def init_app(app: Flask, clock: Clock | None = None) -> None:
    """Build the queue's parts for ``app`` and load the office file if one is configured."""
    settings: HubConfig = app.config["MOTCUA"]
    store = app.extensions["motcua.store"]
    clock = clock or Clock(settings.timezone, settings.day_starts_at)
    if settings.office_file is not None:
        with store.write() as conn:
            office.load(conn, office.read_file(settings.office_file))
    bus = EventBus(last_event_id(store.conn()))
    writer = Writer(settings.db_path, clock, bus.publish)
    views = Views(clock, Estimator())
    engine = QueueEngine(views, settings.base_url, settings.priority_burst)
    app.extensions.update(
        {
            "motcua.clock": clock,
            "motcua.bus": bus,
            "motcua.writer": writer,
            "motcua.views": views,
            "motcua.engine": engine,
            "motcua.counter_ops": CounterOps(engine),
        }
    )

    @app.get("/healthz")
    def healthz() -> Response:
        """Liveness: the database answers; the newest event id."""
        return json_response({"ok": True, "last_event_id": last_event_id(store.conn())})


def shutdown(app: Flask) -> None:
    """Stop the writer thread and close connections (tests and server shutdown)."""
    app.extensions["motcua.writer"].stop()
    app.extensions["motcua.store"].close()
