"""A serial keypad beside the counter panel: each key sends a character (or a short line).

Cheap USB/RS-232 keypads send one ASCII character per key; programmable ones can send a line per
key ("K1\\r\\n"). :class:`KeypadDecoder` turns the bytes into key names, :class:`SerialKeypad`
reads a real port with pyserial on its own thread, and :class:`PtyKeypad` is the fake: it opens a
pseudo-terminal pair and runs the *same* serial driver on it, so ``press("1")`` goes through the
real protocol — for tests, for demo mode, and for a technician who wants to type keys by hand
(``printf 1 > /dev/pts/N``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

MAX_LINE = 32  # a key's line is short; more without an end of line is noise


class KeypadDecoder:
    """Bytes from the keypad -> key names (lower case), handed to ``on_key`` one by one."""

    def __init__(self, on_key: Callable[[str], None], line_mode: bool = False) -> None:
        self._on_key = on_key
        self._line_mode = line_mode
        self._pending = bytearray()

    def feed(self, chunk: bytes) -> None:
        """Decode what arrived; a key split across two reads is kept until it is complete."""
        if not self._line_mode:
            for byte in chunk:
                if byte not in (0x0D, 0x0A):  # some keypads end every key with CR/LF
                    self._on_key(chr(byte).lower())
            return
        self._pending += chunk
        while True:
            ends = [i for i in (self._pending.find(b"\r"), self._pending.find(b"\n")) if i >= 0]
            if not ends:
                break
            cut = min(ends)
            line, self._pending = bytes(self._pending[:cut]), self._pending[cut + 1 :]
            key = line.decode("latin-1").strip().lower()
            if key:
                self._on_key(key)
        if len(self._pending) > MAX_LINE:
            self._pending.clear()


class SerialKeypad:
    """Reads a keypad on a serial port on its own thread; retries every second if it vanishes."""

    def __init__(
        self,
        port: str,
        on_key: Callable[[str], None],
        *,
        baudrate: int = 9600,
        line_mode: bool = False,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self._decoder = KeypadDecoder(on_key, line_mode)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    def start(self) -> None:
        """Start listening."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="keypad", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop and wait for the reading thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        import serial  # pyserial: only panels with a keypad need it

        while not self._stop.is_set():
            try:
                with serial.Serial(self.port, self.baudrate, timeout=0.1) as port:
                    self.connected.set()
                    while not self._stop.is_set():
                        chunk = port.read(64)
                        if chunk:
                            self._decoder.feed(chunk)
            except (OSError, serial.SerialException) as exc:
                log.info("keypad %s unavailable: %s", self.port, exc)
            self.connected.clear()
            self._stop.wait(1.0)


class PtyKeypad:
    """The fake keypad: a pseudo-terminal whose far end the real :class:`SerialKeypad` reads."""

    def __init__(
        self, on_key: Callable[[str], None], *, line_mode: bool = False, **_ignored: Any
    ) -> None:
        self._master, slave = os.openpty()
        self.port = os.ttyname(slave)
        self._slave = slave  # kept open so the pty lives while the driver reopens it
        self._line_mode = line_mode
        self.driver = SerialKeypad(self.port, on_key, line_mode=line_mode)

    def start(self) -> None:
        """Start the serial driver on the pty; log where keys can be typed by hand."""
        self.driver.start()
        log.info("demo keypad: type keys into %s", self.port)

    def press(self, key: str) -> None:
        """Send ``key`` as the keypad would (a character, or a line in line mode)."""
        data = (key + "\r\n") if self._line_mode else key
        os.write(self._master, data.encode("latin-1"))

    def stop(self) -> None:
        """Stop the driver and close the pty."""
        self.driver.stop()
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def make_keypad(
    driver: str,
    on_key: Callable[[str], None],
    *,
    port: str = "",
    baudrate: int = 9600,
    line_mode: bool = False,
) -> SerialKeypad | PtyKeypad | None:
    """The keypad the config asks for: ``serial``, ``pty`` (the fake) or ``none``."""
    if driver == "none":
        return None
    if driver == "serial":
        return SerialKeypad(port, on_key, baudrate=baudrate, line_mode=line_mode)
    if driver == "pty":
        return PtyKeypad(on_key, line_mode=line_mode)
    raise ValueError(f"keypad driver must be none, serial or pty, not {driver!r}")
