"""Wiring of the outbox into the hub app: the writer's hook and an unstarted delivery worker.

With no ``[outbox] url`` nothing is installed: no hook, no rows, no thread. Items are queued
from the moment an endpoint is configured; what happened before is not sent (the event log
keeps it, and the daily summaries cover only days opened since).
"""

from __future__ import annotations

from flask import Flask

from hub.config import HubConfig
from hub.outbox.delivery import Delivery
from hub.outbox.store import OutboxStore, hub_identity


def init_app(app: Flask) -> None:
    """Hook the outbox into the queue's writer and build its delivery (started by the server
    with :func:`start_outbox`); record this hub's id on first use."""
    settings: HubConfig = app.config["MOTCUA"]
    config = settings.outbox
    app.extensions["motcua.outbox"] = None
    if not config.enabled:
        return
    clock = app.extensions["motcua.clock"]
    writer = app.extensions["motcua.writer"]
    with app.extensions["motcua.store"].write() as conn:
        hub_id, since = hub_identity(conn, clock.now())
    hub = {"id": hub_id, "site": config.site, "name": settings.agency_name}
    delivery = Delivery(config, settings.db_path, writer, hub, lambda ts: clock.iso(ts) or "")
    writer.before_commit = OutboxStore(since, clock.now, delivery.wake).record
    app.extensions["motcua.outbox"] = delivery


def start_outbox(app: Flask) -> Delivery | None:
    """Start ``app``'s delivery thread (the hub server calls this); None: no outbox."""
    delivery: Delivery | None = app.extensions.get("motcua.outbox")
    if delivery is not None:
        delivery.start()
    return delivery


def stop_outbox(app: Flask) -> None:
    """Stop the delivery thread, before the writer stops and the database closes."""
    delivery: Delivery | None = app.extensions.get("motcua.outbox")
    if delivery is not None:
        delivery.stop()
