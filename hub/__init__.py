"""The on-site hub: queue engine, event stream, dossier and procedure relay, auth, backups.

Use :func:`create_app`; nothing here connects or reads configuration at import time.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from hub import db, errors
from hub.clock import Clock
from hub.config import HubConfig
from motcua import config as config_loader


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in the hub's routes: at most a SQLite integer, so a larger id is simply not
    found (404) instead of overflowing the query."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(*args, **kwargs)


def create_app(
    test_config: dict[str, Any] | HubConfig | None = None, *, clock: Clock | None = None
) -> Flask:
    """Build the hub's Flask app.

    ``test_config`` is either a ready :class:`HubConfig` or a mapping of overrides laid over the
    defaults, the TOML file named by ``MOTCUA_CONFIG`` and the ``MOTCUA_*`` environment.
    ``clock`` replaces the wall clock (tests of day rollover).
    """
    from hub import core

    if isinstance(test_config, HubConfig):
        settings = test_config
    else:
        settings = config_loader.load(HubConfig, overrides=test_config)
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.url_map.converters["int"] = RowIdConverter
    app.config["MOTCUA"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # Vietnamese stays readable
    app.json.sort_keys = False  # answers keep their built order
    errors.init_app(app)
    db.init_app(app, settings.db_path)
    core.init_app(app, clock)
    for register in _BLUEPRINTS:
        register(app)
    return app


def _queue(app: Flask) -> None:
    from hub import openapi, updates
    from hub.auth import api as api_auth
    from hub.queue import api as api_queue
    from hub.queue import events
    from hub.queue import offline_api as api_offline
    from hub.web import alerts, console, public

    for part in (events, api_queue, api_offline, api_auth, public, console, updates, openapi,
                 alerts):  # fmt: skip
        part.init_app(app)


def _dossier_relay(app: Flask) -> None:
    from hub.dossiers.setup import init_app  # dossier lookup, webhook, procedures

    init_app(app)


def _sms(app: Flask) -> None:
    from hub.sms.setup import init_app  # SMS lookup through a GSM modem, when enabled

    init_app(app)


def _outbox(app: Flask) -> None:
    from hub.outbox.setup import init_app  # reports to the back end, when [outbox] url is set

    init_app(app)


def _reports(app: Flask) -> None:
    from hub.web import console_reports, public_stats  # reports and the public statistics page

    console_reports.init_app(app)
    public_stats.init_app(app)


# Each part of the hub adds its ``init_app(app)`` here; order matters only in that SMS uses the
# dossier relay's lookup.
_BLUEPRINTS: list[Any] = [_queue, _dossier_relay, _sms, _outbox, _reports]
