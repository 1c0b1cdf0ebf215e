"""Scanners: keystrokes ending in Enter, and lines from a serial port (a pty pair)."""

from __future__ import annotations

import os
import queue
import tty

import pytest

from appliance.devices.scanner import ScannerSettings, SerialScanner, WedgeDecoder
from motcua.config import ConfigError, load


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_wedge_delivers_fast_keystrokes_ended_by_enter():
    scans: list[str] = []
    clock = FakeClock()
    wedge = WedgeDecoder(scans.append, max_gap_s=0.3, clock=clock)
    for ch in "H21.22-241105-0012":
        clock.now += 0.01
        wedge.feed(ch)
    assert wedge.enter() is True
    assert scans == ["H21.22-241105-0012"]


def test_wedge_drops_a_stray_key_left_long_before_a_scan():
    scans: list[str] = []
    clock = FakeClock()
    wedge = WedgeDecoder(scans.append, max_gap_s=0.3, clock=clock)
    wedge.feed("x")  # someone leaning on a keyboard
    clock.now += 5
    for ch in "https://dichvucong.gialai.gov.vn/tra-cuu?ma=H21.22-241105-0012":
        clock.now += 0.005
        wedge.feed(ch)
    wedge.enter()
    assert scans == ["https://dichvucong.gialai.gov.vn/tra-cuu?ma=H21.22-241105-0012"]
    clock.now += 5
    assert wedge.enter() is False  # a lone Enter is not a scan
    assert len(scans) == 1


def test_serial_scanner_reads_lines_from_a_pty():
    master, slave = os.openpty()
    tty.setraw(slave)
    scans: queue.Queue[str] = queue.Queue()
    scanner = SerialScanner(os.ttyname(slave), scans.put)
    scanner.start()
    try:
        assert scanner.connected.wait(5), "the scanner never opened the pty"
        os.write(master, b"H21.22-241105-0012\r\n")
        assert scans.get(timeout=5) == "H21.22-241105-0012"
        os.write(master, b"000.00.12.H21-2411")  # a slow line arrives in pieces
        os.write(master, b"05-0007\r")
        assert scans.get(timeout=5) == "000.00.12.H21-241105-0007"
    finally:
        scanner.stop()
        os.close(master)
        os.close(slave)


def test_scanner_settings_refuse_an_unknown_kind():
    with pytest.raises(ConfigError, match="kind"):
        load(ScannerSettings, env={}, overrides={"kind": "telepathy"})
