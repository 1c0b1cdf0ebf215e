"""A real hub served from a thread of the test's own process: for tests of the appliances'
controllers, where the hub's process boundary is not what the test is about.

The real Flask app, writer and SQLite store on a seeded copy of the demo office, served over
HTTP on 127.0.0.1 by werkzeug's threaded server (streams included), on a clock the test can
move. It offers what tests use of :class:`hub.testing.HubProcess` (``.url``, the tokens,
``.clerks``, ``.request(...)``, ``.clerk_token(n)``, ``.restart()``) without the seconds a
subprocess takes to start; crashes, ``kill -9`` and the ``motcua`` command stay with
``HubProcess``.

>>> hub = InProcessHub(tmp_path).start()
>>> hub.advance(3600)                     # the hub's clock jumps an hour
>>> hub.stop()
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from hub import core, create_app
from hub.clock import Clock
from hub.config import HubConfig
from hub.dossiers.setup import start_sync
from hub.testing import SeededHub
from motcua import config as config_loader


class FakeClock:
    """Wall-clock time plus however far the test moved it (``advance``): the hub stays in step
    with the appliances' own clocks until a test makes a day pass in a moment."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the hub's clock forward by ``seconds``."""
        self.offset += seconds


def _handler(clock: FakeClock) -> type[WSGIRequestHandler]:
    class Handler(WSGIRequestHandler):
        """Quiet, and dating its answers by the hub's clock, as a real hub's server does by
        the one clock its machine has (the display reads the hub's time from ``Date``)."""

        def date_time_string(self, timestamp: float | None = None) -> str:
            return email.utils.formatdate(clock() if timestamp is None else timestamp, usegmt=True)

        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    return Handler


class InProcessHub(SeededHub):
    """The hub app on a seeded copy of an office, served from a thread on a free port."""

    def __init__(
        self,
        workdir: Path,
        settings: dict[str, Any] | None = None,
        office: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(workdir, office)
        self.clock = FakeClock()
        overrides = {"host": "127.0.0.1", "port": self.port, "db_path": str(self.db_path),
                     "backup_dir": str(self.workdir / "backups"), "heartbeat_s": 15.0}  # fmt: skip
        overrides.update(settings or {})
        # Only what the test says: no MOTCUA_* variables or config file of the machine.
        self.settings = config_loader.load(HubConfig, env={}, overrides=overrides)
        self.app: Any = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> InProcessHub:
        """Build the app on the database file and serve it; returns once the port listens."""
        assert self._server is None, "already running"
        clock = Clock(self.settings.timezone, self.settings.day_starts_at, now=self.clock)
        self.app = create_app(self.settings, clock=clock)
        self.app.extensions["motcua.writer"].start()
        start_sync(self.app)  # the dossier relay's periodic sync, as the server starts it
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = make_server(
            "127.0.0.1", self.port, self.app, threaded=True, request_handler=_handler(self.clock)
        )
        self._server.daemon_threads = True  # an open event stream must not hold up a stop
        # A short poll: stop() waits for the loop to look, and each test using it stops one.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """End the event streams, stop serving, stop the writer and close the database."""
        if self._server is None:
            return
        sync = self.app.extensions["motcua.dossiers"]["sync"]
        if sync is not None:
            sync.stop()
        self.app.extensions["motcua.bus"].close(wait_s=0)
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        core.shutdown(self.app)
        self._server = self._thread = None

    def restart(self) -> InProcessHub:
        """Stop and start again on the same port and database (a graceful restart)."""
        self.stop()
        return self.start()

    def advance(self, seconds: float) -> None:
        """Move the hub's clock forward."""
        self.clock.advance(seconds)


def start_in_process_hub(
    workdir: Path, settings: dict[str, Any] | None = None, office: dict[str, Any] | None = None
) -> InProcessHub:
    """Seed and serve a hub in this process; the caller stops it (``.stop()``)."""
    return InProcessHub(workdir, settings, office).start()
