"""systemd's watchdog: sd_notify datagrams on a real Unix socket, and a real app process whose
main loop keeps sending them (the unit's WatchdogSec= restarts it when they stop)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance import watchdog


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """A socket where systemd would listen, and its address as NOTIFY_SOCKET names it."""
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(10)
    try:
        yield sock, str(path)
    finally:
        sock.close()


def test_messages_reach_the_socket_and_nothing_is_sent_outside_systemd(notify_socket) -> None:
    sock, address = notify_socket
    assert watchdog.notify("WATCHDOG=1", {"NOTIFY_SOCKET": address})
    assert sock.recv(64) == b"WATCHDOG=1"
    assert not watchdog.notify("WATCHDOG=1", {})


def test_an_abstract_socket_name_starts_with_at() -> None:
    name = f"motcua-test-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert watchdog.notify("READY=1", {"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(64) == b"READY=1"


def test_the_interval_is_half_the_units_and_only_for_its_process() -> None:
    assert watchdog.interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog.interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, pid=2) is None
    assert watchdog.interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "2"}, pid=2) == 15.0
    assert watchdog.interval_s({}) is None
    assert watchdog.interval_s({"WATCHDOG_USEC": "soon"}) is None


@pytest.mark.gui
@pytest.mark.slow
def test_a_running_app_keeps_the_watchdog_fed(notify_socket, hub_process, appliance_process,
                                               tmp_path) -> None:  # fmt: skip
    sock, address = notify_socket
    env = {"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "1000000", "MOTCUA_COUNTER": "2"}
    args = ["--hub", hub_process.url, "--token-file", str(tmp_path / "counter-token")]
    panel = appliance_process("counter", args, env)
    got = [sock.recv(64) for _ in range(4)]  # READY, then keep-alives every 0.5 s
    assert got[0] == b"READY=1" and got[1:] == [b"WATCHDOG=1"] * 3
    assert panel.alive()


def test_ready_and_keep_alives_wait_for_the_first_frame(notify_socket, monkeypatch) -> None:
    """systemd starts watching at READY=1: nothing is sent while the screens are being built."""
    sock, address = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    once: list = []
    every: list = []
    assert watchdog.start(lambda f, s: every.append((f, s)), lambda f, s: once.append((f, s)))
    sock.settimeout(0.2)
    with pytest.raises(TimeoutError):
        sock.recv(64)  # the loop has not drawn a frame yet
    assert every == [] and [s for _, s in once] == [0]
    once[0][0](0)  # the main loop's first frame
    sock.settimeout(10)
    assert [sock.recv(64), sock.recv(64)] == [b"READY=1", b"WATCHDOG=1"]
    assert [s for _, s in every] == [15.0]
    every[0][0](15.0)
    assert sock.recv(64) == b"WATCHDOG=1"
