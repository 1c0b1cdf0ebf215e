"""Serial input devices (keypads, scanners): a reading thread that survives unplugging, and lines.

Both the counter panel's keypad and the kiosk's scanner are "bytes arrive on a serial port";
:class:`SerialReader` owns the port and its thread, reopening it every second while it is gone,
and :class:`LineSplitter` cuts what arrives into CR/LF-terminated lines.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class LineSplitter:
    """Bytes -> lines ended by CR, LF or both; a longer run than ``max_length`` is noise."""

    def __init__(self, on_line: Callable[[bytes], None], max_length: int) -> None:
        self._on_line = on_line
        self._max_length = max_length
        self._pending = bytearray()

    def feed(self, chunk: bytes) -> None:
        """Take what arrived; a line split across two reads waits for its end."""
        self._pending += chunk
        while True:
            ends = [i for i in (self._pending.find(b"\r"), self._pending.find(b"\n")) if i >= 0]
            if not ends:
                break
            cut = min(ends)
            line, self._pending = bytes(self._pending[:cut]), self._pending[cut + 1 :]
            if line.strip():
                self._on_line(line)
        if len(self._pending) > self._max_length:
            self._pending.clear()


class SerialReader:
    """Reads ``port`` with pyserial on its own thread and hands each chunk to ``on_bytes``.

    ``connected`` is set while the port is open. If the device vanishes it is reopened every
    second until :meth:`stop`.
    """

    def __init__(
        self,
        port: str,
        on_bytes: Callable[[bytes], None],
        *,
        baudrate: int = 9600,
        name: str = "serial",
        read_timeout: float = 0.1,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self._on_bytes = on_bytes
        self._name = name
        self._read_timeout = read_timeout  # how soon stop() is noticed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    def start(self) -> None:
        """Start reading."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop and wait for the reading thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        import serial  # pyserial: only appliances with a serial device need it

        while not self._stop.is_set():
            try:
                with serial.Serial(self.port, self.baudrate, timeout=self._read_timeout) as port:
                    self.connected.set()
                    while not self._stop.is_set():
                        chunk = port.read(256)
                        if chunk:
                            self._on_bytes(chunk)
            except (OSError, serial.SerialException) as exc:
                log.info("%s %s unavailable: %s", self._name, self.port, exc)
            self.connected.clear()
            self._stop.wait(1.0)
