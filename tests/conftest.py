"""Fixtures shared by every test package.

``hub_process``: a real ``motcua hub`` subprocess on a free 127.0.0.1 port with its own database
under ``tmp_path``, seeded with the demo office; see :class:`hub.testing.HubProcess` for what it
offers (``.url``, ``.db_path``, ``.kiosk_token``, ``.display_token``, ``.counter_tokens``,
``.clerks``, ``.admin``, ``.enroll_codes``, ``.clerk_token(n)``, ``.admin_token()``,
``.request(...)``, ``.restart()``, ``.kill()``). Outside pytest fixtures, use
:func:`hub.testing.start_hub`.

``appliance_process``: starts ``motcua kiosk|counter|display`` offscreen as a real process; see
:class:`ApplianceProcess` (its log, waiting on it, screenshots through ``kill -USR1``).

``inprocess_hub``: the same hub (app, writer, SQLite file, demo office, HTTP on 127.0.0.1)
served from a thread of the test's process, on a clock the test can move (``.advance(s)``):
see :class:`hub.inprocess.InProcessHub`. For tests of the appliances' controllers, where the
process boundary is not what the test is about; crashes, the ``motcua`` command and the apps
run offscreen keep ``hub_process``.
"""

from __future__ import annotations

import copy
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hub import demo
from hub.inprocess import InProcessHub, start_in_process_hub
from hub.testing import HubProcess, start_hub


@pytest.fixture
def hub_process(tmp_path: Path) -> Iterator[HubProcess]:
    """A running hub with the demo office; stopped after the test."""
    hub = start_hub(tmp_path / "hub")
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture
def unlimited_hub(tmp_path: Path) -> Iterator[HubProcess]:
    """The demo office without daily limits, so a long run never fills a service."""
    office = copy.deepcopy(demo.OFFICE)
    for service in office["services"]:
        service.pop("daily_limit", None)
    hub = start_hub(tmp_path / "hub", office=office)
    try:
        yield hub
    finally:
        hub.stop()


class ApplianceProcess:
    """``motcua kiosk|counter|display`` as a real process, offscreen, its output in a log file.

    ``screenshot()`` asks it for its screen the way a technician would (``kill -USR1``).
    """

    def __init__(self, workdir: Path, command: str, args: list[str], env: dict[str, str]) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / f"{command}.log"
        self.shots = workdir / "screens"
        full_env = {
            **os.environ,
            "SDL_VIDEODRIVER": "offscreen",
            "KIVY_NO_ARGS": "1",
            "KIVY_NO_CONSOLELOG": "1",
            "PYTHONUNBUFFERED": "1",
            "MOTCUA_SCREENSHOT_DIR": str(self.shots),
            **env,
        }
        full_env.pop("MOTCUA_CONFIG", None)
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "motcua.cli", command, *args],
            env=full_env, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def log(self) -> str:
        """Everything it printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        """Whether it is still running."""
        return self.proc.poll() is None

    def wait_for(self, condition, timeout: float = 30.0, what: str = "") -> None:
        """Wait until ``condition()`` holds while the process keeps running."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.alive(), f"exited with {self.proc.returncode}:\n{self.log()[-3000:]}"
            assert time.monotonic() < deadline, f"no {what} in {timeout} s:\n{self.log()[-3000:]}"
            time.sleep(0.1)

    def wait_log(self, text: str, timeout: float = 30.0) -> None:
        """Wait until its output says ``text``."""
        self.wait_for(lambda: text in self.log(), timeout, repr(text))

    def screenshot(self, name: str) -> Path:
        """What its screen shows now, saved as ``name`` (and copied to $MOTCUA_SHOTS if set)."""
        before = self.log().count("screenshot saved:")
        os.kill(self.proc.pid, signal.SIGUSR1)
        self.wait_for(lambda: self.log().count("screenshot saved:") > before, what="screenshot")
        newest = max(self.shots.glob("screen*.png"), key=lambda p: p.stat().st_mtime_ns)
        target = self.workdir / name
        shutil.copyfile(newest, target)
        if os.environ.get("MOTCUA_SHOTS"):
            shutil.copyfile(newest, Path(os.environ["MOTCUA_SHOTS"]) / name)
        return target

    def stop(self) -> str:
        """Stop it (SIGTERM, then SIGKILL if it hangs) and return its output."""
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
        return self.log()


@pytest.fixture
def appliance_process(tmp_path: Path) -> Iterator[Callable[..., ApplianceProcess]]:
    """Start ``motcua COMMAND ARGS`` offscreen: ``appliance_process("counter", [...], env)``."""
    started: list[ApplianceProcess] = []

    def start(command: str, args: list[str], env: dict[str, str] | None = None):
        process = ApplianceProcess(tmp_path / command, command, args, env or {})
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def inprocess_hub(tmp_path: Path) -> Iterator[InProcessHub]:
    """A hub with the demo office served from a thread of this process; stopped after."""
    hub = start_in_process_hub(tmp_path / "hub")
    try:
        yield hub
    finally:
        hub.stop()
