"""A real hub process for tests of any package: seeded office, tokens, restart and ``kill -9``.

>>> hub = start_hub(tmp_path)            # seeds the demo office, starts ``motcua hub``
>>> hub.request("POST", "/api/v1/tickets", {"service": "A"}, token=hub.kiosk_token)
>>> clerk = hub.clerk_token(1)            # a clerk session at counter 1
>>> hub.kill(); hub.start()               # a crash and a restart on the same port and file
>>> hub.stop()

``tests/conftest.py`` wraps it as the ``hub_process`` fixture (stopped after the test).
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from werkzeug.security import generate_password_hash

from hub import demo


def _wait_exited(pids: list[int], timeout: float = 5.0) -> None:
    """Wait until each process has exited (a zombie has: its sockets are closed)."""
    deadline = time.monotonic() + timeout
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                break
            if state in ("Z", "X"):
                break
            time.sleep(0.01)


_SEEDED: dict[str, tuple[Path, dict[str, Any]]] = {}
# The demo staff's passwords in a test office are stored with far fewer rounds than the hub's
# own method (hub.auth.access.PASSWORD_METHOD, ~40 ms of CPU a check): a login checks them the
# same way (werkzeug reads the method from the stored hash) in a fraction of a millisecond, and
# the tests log in a few hundred times a run. Passwords set through the hub keep its method.
TEST_PASSWORD_METHOD = "pbkdf2:sha256:1000"


def _quick_passwords(db_path: Path, creds: dict[str, Any]) -> None:
    """Store the seeded staff's passwords with :data:`TEST_PASSWORD_METHOD`."""
    staff = [*creds["clerks"], creds["admin"], creds["supervisor"]]
    rows = [(generate_password_hash(u["password"], method=TEST_PASSWORD_METHOD), u["username"])
            for u in staff]  # fmt: skip
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.executemany("UPDATE users SET password_hash = ? WHERE username = ?", rows)
    finally:
        conn.close()


def seed_copy(db_path: Path, office: dict[str, Any]) -> dict[str, Any]:
    """Seed ``office`` into ``db_path``; return its credentials.

    Seeding hashes passwords (slow on purpose), so each office is seeded once per test process
    and copied: every hub still starts from its own file with unused enrolment codes. Its staff's
    passwords are then stored with :data:`TEST_PASSWORD_METHOD`.
    """
    key = json.dumps(office, sort_keys=True)
    if key not in _SEEDED:
        folder = Path(tempfile.mkdtemp(prefix="motcua-seed-"))
        atexit.register(shutil.rmtree, folder, True)
        creds = demo.seed(folder / "hub.sqlite3", office)
        _quick_passwords(folder / "hub.sqlite3", creds)
        _SEEDED[key] = (folder / "hub.sqlite3", creds)
    source, creds = _SEEDED[key]
    shutil.copy(source, db_path)
    shutil.copy(f"{source}.key", f"{db_path}.key")  # the key its enrolment codes are kept under
    return copy.deepcopy(creds)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SeededHub:
    """A hub's database in ``workdir`` seeded with an office, its credentials, and the HTTP
    helpers tests use on it; :class:`HubProcess` serves it from a subprocess,
    :class:`hub.inprocess.InProcessHub` from a thread of the test's own process."""

    def __init__(self, workdir: Path, office: dict[str, Any] | None = None) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = self.workdir / "hub.sqlite3"
        creds = seed_copy(self.db_path, office or demo.OFFICE)
        self.credentials = creds
        self.kiosk_token: str = creds["kiosk"]["token"]
        self.kiosk_device_id: int = creds["kiosk"]["device_id"]
        self.display_token: str = creds["display"]["token"]
        self.counter_tokens: dict[int, str] = {
            int(n): d["token"] for n, d in creds["counters"].items()
        }
        self.clerks: list[dict[str, Any]] = creds["clerks"]
        self.admin: dict[str, str] = creds["admin"]
        self.enroll_codes: dict[str, str] = creds["enroll_codes"]

    # --- HTTP ------------------------------------------------------------------------------

    def request(
        self, method: str, path: str, body: Any = None, token: str | None = None,
        headers: dict[str, str] | None = None, timeout: float = 10.0,
    ) -> tuple[int, Any]:  # fmt: skip
        """(status, parsed JSON or None) of one request."""
        data = None if body is None else json.dumps(body).encode()
        head = {"Content-Type": "application/json", **(headers or {})}
        if token:
            head["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=head)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as answer:
                raw = answer.read()
                status = answer.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        return status, (json.loads(raw) if raw.strip() else None)

    def clerk_token(self, counter: int, username: str | None = None) -> str:
        """Log the demo clerk of ``counter`` in there (from its counter device); the session."""
        clerk = next(c for c in self.clerks if c["counter"] == counter) if username is None else \
            next(c for c in self.clerks if c["username"] == username)  # fmt: skip
        status, body = self.request(
            "POST", "/api/v1/sessions",
            {"username": clerk["username"], "password": clerk["password"], "counter": counter},
            token=self.counter_tokens[counter],
        )  # fmt: skip
        if status != 201:
            raise RuntimeError(f"clerk login failed: {status} {body}")
        return str(body["token"])

    def admin_token(self) -> str:
        """An admin session (no device needed)."""
        status, body = self.request("POST", "/api/v1/sessions", dict(self.admin))
        if status != 201:
            raise RuntimeError(f"admin login failed: {status} {body}")
        return str(body["token"])


class HubProcess(SeededHub):
    """``motcua hub`` as a subprocess on a free port with its own database in ``workdir``."""

    def __init__(
        self, workdir: Path, settings: dict[str, Any] | None = None,
        office: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(workdir, office)
        self.log_path = self.workdir / "hub.log"
        self.config_path = self.workdir / "hub.toml"
        base = {"host": "127.0.0.1", "port": self.port, "db_path": str(self.db_path),
                "backup_dir": str(self.workdir / "backups"), "heartbeat_s": 15.0}  # fmt: skip
        base.update(settings or {})
        self.config_path.write_text(demo._toml(base), encoding="utf-8")
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = None

    # --- process ---------------------------------------------------------------------------

    def start(self, timeout: float = 20.0) -> HubProcess:
        """Start the hub and wait until /healthz answers."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self._log = open(self.log_path, "ab")  # noqa: SIM115  (closed in _reap)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("MOTCUA_CONFIG", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "motcua.cli", "hub", "--config", str(self.config_path)],
            stdout=self._log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True,  # its own process group: the supervisor and its worker
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1.0) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"hub did not answer within {timeout} s:\n{self.log()}")

    def pids(self) -> list[int]:
        """The hub's running processes: the server's supervisor, then its worker(s)."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        pid = self.proc.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *map(int, children)]

    def kill(self) -> None:
        """``kill -9`` the hub: every process of it at once (nothing flushed, nothing closed)."""
        pids = self.pids()
        if self.proc is not None:
            self._signal_group(signal.SIGKILL)
        self._reap()
        _wait_exited(pids)

    def stop(self) -> None:
        """Stop the hub gracefully (SIGTERM), killing it if it hangs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
        self._reap()

    def _signal_group(self, signum: int) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.proc.pid, signum)

    def restart(self) -> HubProcess:
        """Stop and start again on the same port and database."""
        self.stop()
        return self.start()

    def _reap(self) -> None:
        if self.proc is not None:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait(5)
            # A worker must not outlive its supervisor and keep the port: end any straggler.
            self._signal_group(signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        """The hub's output so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


def start_hub(
    workdir: Path, settings: dict[str, Any] | None = None, office: dict[str, Any] | None = None
) -> HubProcess:
    """Seed and start a hub in ``workdir``; the caller stops it (``.stop()``)."""
    return HubProcess(workdir, settings, office).start()
