"""App-level fixtures for the hub's logic tests: a seeded office on a fake clock.

The database is seeded once per session (password hashing is slow on purpose) and copied for
each test, so every test starts from the same office with its own file.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hub import core, create_app, db, demo
from hub.clock import Clock
from hub.testing import seed_copy

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ).timestamp()  # a Monday morning


class Office:
    """A hub app with the demo office, its credentials, and a clock the test moves."""

    def __init__(self, app: Flask, creds: dict[str, Any], now: list[float]) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.creds = creds
        self._now = now
        self.kiosk = creds["kiosk"]["token"]
        self.display = creds["display"]["token"]
        self._sessions: dict[int, str] = {}

    @property
    def now(self) -> float:
        return self._now[0]

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self._now[0] += seconds

    def req(
        self, method: str, path: str, body: Any = None, token: str | None = None,
        headers: dict[str, str] | None = None, raw: bytes | None = None,
    ) -> tuple[int, Any]:  # fmt: skip
        """(status, JSON body or None) of one request under /api/v1."""
        head = dict(headers or {})
        if token:
            head["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        answer = self.client.open(
            f"/api/v1{path}", method=method, data=data, headers=head,
            content_type="application/json",
        )  # fmt: skip
        return answer.status_code, answer.get_json(silent=True)

    def issue(self, service: str = "A", priority: bool = False, **extra: Any) -> dict[str, Any]:
        """Issue a ticket at the kiosk; fails the test if refused."""
        status, body = self.req(
            "POST", "/tickets", {"service": service, "priority": priority, **extra}, self.kiosk
        )
        assert status == 201, body
        return body

    def clerk(self, counter: int) -> str:
        """The demo clerk of ``counter``, logged in there (cached per test)."""
        if counter not in self._sessions:
            who = next(c for c in self.creds["clerks"] if c["counter"] == counter)
            status, body = self.req(
                "POST", "/sessions",
                {"username": who["username"], "password": who["password"], "counter": counter},
                self.creds["counters"][str(counter)]["token"],
            )  # fmt: skip
            assert status == 201, body
            self._sessions[counter] = body["token"]
        return self._sessions[counter]

    def admin(self) -> str:
        """An admin session."""
        status, body = self.req("POST", "/sessions", dict(self.creds["admin"]))
        assert status == 201, body
        return body["token"]

    def act(self, counter: int, action: str, body: Any = None) -> tuple[int, Any]:
        """A counter action by that counter's clerk."""
        return self.req("POST", f"/counters/{counter}/{action}", body, self.clerk(counter))

    def events(self, after: int = 0) -> list[dict[str, Any]]:
        """Every event in the log after ``after``, as dicts."""
        conn = self.app.extensions["motcua.store"].conn()
        rows = conn.execute(
            "SELECT id, type, payload FROM events WHERE id > ? ORDER BY id", (after,)
        ).fetchall()
        return [{"id": r[0], "type": r[1], **json.loads(r[2])} for r in rows]


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The demo office seeded once (per test process: the hub fixtures of tests/conftest.py
    copy the same seeding, see :func:`hub.testing.seed_copy`)."""
    path = tmp_path_factory.mktemp("seed") / "hub.sqlite3"
    creds = seed_copy(path, demo.OFFICE)
    return path, creds


def make_office(tmp_path: Path, seeded: tuple[Path, dict[str, Any]], **settings: Any) -> Office:
    """A fresh app over a copy of the seeded database."""
    path = tmp_path / "hub.sqlite3"
    shutil.copy(seeded[0], path)
    shutil.copy(f"{seeded[0]}.key", f"{path}.key")  # the key its enrolment codes are kept under
    now = [START]
    clock = Clock("Asia/Ho_Chi_Minh", "06:00", now=lambda: now[0])
    app = create_app(
        {"db_path": str(path), "public_url": "http://hub.test", **settings}, clock=clock
    )
    app.testing = True
    return Office(app, seeded[1], now)


@pytest.fixture
def office(tmp_path: Path, seeded_db: tuple[Path, dict[str, Any]]) -> Iterator[Office]:
    """The demo office on a fake clock (Monday 09:00 in Hà Nội time)."""
    o = make_office(tmp_path, seeded_db)
    try:
        yield o
    finally:
        core.shutdown(o.app)


def _import_bundled(path: Path) -> None:
    """Import the 1,601 bundled procedures into a new hub database at ``path``."""
    from hub.upstream.fileimport import import_records
    from hub.upstream.sim_data import bundled_procedures

    store = db.Store(path)
    db.migrate(store.conn())
    try:
        assert import_records("procedures", bundled_procedures(), store) == (1601, [])
    finally:
        store.close()


@pytest.fixture(scope="session")
def bundled_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hub database holding the 1,601 bundled procedures, imported once per test session (an
    import takes seconds); tests copy it before opening it.

    Under pytest-xdist the workers share one import: the first to need it builds it in the
    session's base folder (under a lock, renamed into place once complete), the others wait
    for it there.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        path = tmp_path_factory.mktemp("bundled-catalogue") / "hub.sqlite3"
        _import_bundled(path)
        return path
    shared = tmp_path_factory.getbasetemp().parent  # this session's, common to its workers
    path = shared / "bundled-catalogue.sqlite3"
    with (shared / "bundled-catalogue.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            partial = tmp_path_factory.mktemp("bundled-catalogue") / "hub.sqlite3"
            _import_bundled(partial)
            os.replace(partial, path)
    return path
