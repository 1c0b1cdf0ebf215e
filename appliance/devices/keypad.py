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
from collections.abc import Callable
from typing import Any

from appliance.devices.serial_reader import LineSplitter, SerialReader

log = logging.getLogger(__name__)

MAX_LINE = 32  # a key's line is short; more without an end of line is noise


class KeypadDecoder:
    """Bytes from the keypad -> key names (lower case), handed to ``on_key`` one by one."""

    def __init__(self, on_key: Callable[[str], None], line_mode: bool = False) -> None:
        self._on_key = on_key
        self._line_mode = line_mode
        self._lines = LineSplitter(
            lambda line: on_key(line.decode("latin-1").strip().lower()), MAX_LINE
        )

    def feed(self, chunk: bytes) -> None:
        """Decode what arrived; a key split across two reads is kept until it is complete."""
        if self._line_mode:
            self._lines.feed(chunk)
            return
        for byte in chunk:
            if byte not in (0x0D, 0x0A):  # some keypads end every key with CR/LF
                self._on_key(chr(byte).lower())


class SerialKeypad(SerialReader):
    """Reads a keypad on a serial port on its own thread; retries every second if it vanishes."""

    def __init__(
        self,
        port: str,
        on_key: Callable[[str], None],
        *,
        baudrate: int = 9600,
        line_mode: bool = False,
    ) -> None:
        decoder = KeypadDecoder(on_key, line_mode)
        super().__init__(port, decoder.feed, baudrate=baudrate, name="keypad")


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
