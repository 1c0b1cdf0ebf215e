"""QR / barcode scanners: a keyboard wedge (keystrokes ending in Enter) or a serial port.

Both hand each complete scan to ``on_scan(text)``. Neither judges the text: a scan may be a bare
dossier code or a lookup URL carrying one, and the hub normalizes it. The serial scanner is tested
with a pseudo-terminal pair, which speaks exactly what a serial scanner sends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appliance.devices.serial_reader import LineSplitter, SerialReader
from motcua.config import ConfigError

log = logging.getLogger(__name__)

KINDS = ("wedge", "serial", "none")
MAX_SCAN = 512  # longer than any receipt code or lookup URL: a stuck key, not a scan


@dataclass(frozen=True)
class ScannerSettings:
    """Which scanner the kiosk listens to (the ``[scanner]`` table of its config)."""

    kind: str = "wedge"
    serial_device: str = "/dev/ttyACM0"
    serial_baudrate: int = 9600
    max_gap_s: float = 0.3  # wedge: a pause longer than this starts a new scan

    def validate(self, path: str = "") -> None:
        """Refuse values that would only fail at the first scan."""
        if self.kind not in KINDS:
            raise ConfigError(f"{path}kind", f"must be one of {', '.join(KINDS)}")
        if self.max_gap_s <= 0:
            raise ConfigError(f"{path}max_gap_s", "must be positive")


class WedgeDecoder:
    """Turns keystrokes into scans: characters typed quickly, then Enter.

    A scanner types a whole code within milliseconds; characters separated by a longer pause than
    ``max_gap_s`` are a stray key press, so the buffer starts again.
    """

    def __init__(
        self,
        on_scan: Callable[[str], None],
        max_gap_s: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._on_scan = on_scan
        self._max_gap = max_gap_s
        self._clock = clock
        self._buffer: list[str] = []
        self._last = 0.0

    def feed(self, text: str) -> None:
        """Characters as they arrive (Kivy's ``on_textinput``)."""
        now = self._clock()
        if self._buffer and now - self._last > self._max_gap:
            self._buffer.clear()
        self._last = now
        if sum(map(len, self._buffer)) < MAX_SCAN:
            self._buffer.append(text)

    def enter(self) -> bool:
        """Enter (or Tab, which some scanners send) ends a scan; True if one was delivered."""
        now = self._clock()
        text = "".join(self._buffer).strip()
        fresh = bool(text) and now - self._last <= self._max_gap
        self._buffer.clear()
        if fresh:
            self._on_scan(text)
        return fresh

    def attach(self, window: Any) -> Callable[[], None]:
        """Listen to a Kivy ``Window``; returns a function that stops listening."""

        def on_textinput(_window: Any, text: str) -> None:
            self.feed(text)

        def on_key_down(_window: Any, key: int, *_args: Any) -> bool:
            if key in (13, 271, 9):  # Enter, keypad Enter, Tab
                return self.enter()
            return False

        window.bind(on_textinput=on_textinput, on_key_down=on_key_down)

        def detach() -> None:
            window.unbind(on_textinput=on_textinput, on_key_down=on_key_down)

        return detach


class SerialScanner(SerialReader):
    """Reads scans from a serial port, one per CR or LF terminated line, on its own thread.

    If the port vanishes (the scanner unplugged), it retries every second until stopped.
    """

    def __init__(self, device: str, on_scan: Callable[[str], None], baudrate: int = 9600) -> None:
        lines = LineSplitter(
            lambda line: on_scan(line.decode("utf-8", errors="replace").strip()), MAX_SCAN
        )
        super().__init__(device, lines.feed, baudrate=baudrate, name="scanner", read_timeout=0.2)
        self.device = device
