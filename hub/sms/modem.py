"""A GSM modem driven with AT commands over pyserial (3GPP TS 27.005 for SMS, TS 27.007 for the
rest): find it, bring it up, read and delete incoming messages, send replies.

One thread owns a :class:`Modem` (the SMS service's); nothing here starts threads. Every exchange
is a command and its lines up to a final result (``OK``, ``ERROR``, ``+CME ERROR``, ``+CMS
ERROR``); unsolicited lines that arrive meanwhile (``+CMTI`` for a new message) are kept for
:meth:`Modem.wait_for_message`. Lines that are neither are noise on the wire and are ignored.

Device names change when a USB modem is unplugged and plugged back, or reboots (``ttyUSB2``
becomes ``ttyUSB3``), and Huawei sticks expose several ports of which one answers AT: so the
port is configured as a list of glob patterns and found by asking each candidate ``AT``.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hub.sms import pdu
from hub.sms.listing import Incoming, parse_pdu_listing, parse_text_listing

log = logging.getLogger(__name__)

FINAL = re.compile(r"^(OK|ERROR|\+CM[ES] ERROR:\s*(.*)|COMMAND NOT SUPPORT|NO CARRIER)$")
URC = ("+CMTI:", "RING", "RDY", "+CFUN:", "Call Ready", "SMS Ready", "+CPIN: NOT READY")
# TS 27.005 3.2.5 codes worth another try later; others mean this message will never go.
TEMPORARY_CMS = frozenset({38, 41, 42, 47, 331, 332, 500, 512, 513, 514, 515, 535})


class ModemError(Exception):
    """The modem did not do what was asked; ``str(exc)`` says what it answered."""


class ModemGone(ModemError):
    """No modem answers on any configured port (unplugged, or never there)."""


class ModemTimeout(ModemError):
    """The modem stopped answering."""


class PromptTimeout(ModemTimeout):
    """No ``>`` prompt came after ``AT+CMGS``: nothing of the message was handed over."""


class ModemNotReady(ModemError):
    """The modem answers but cannot do SMS: ``state`` is sim_missing, pin_needed or pin_refused."""

    def __init__(self, state: str, message: str) -> None:
        super().__init__(message)
        self.state = state


class CommandError(ModemError):
    """A command ended in ``ERROR``, ``+CME ERROR: n`` or ``+CMS ERROR: n`` (``code``)."""

    def __init__(self, command: str, final: str) -> None:
        super().__init__(f"{command} -> {final}")
        match = re.search(r"(\d+)", final)
        self.code = int(match.group(1)) if match and "CM" in final else None
        self.sms = "+CMS" in final

    @property
    def temporary(self) -> bool:
        """True when sending later may work (network trouble, modem busy)."""
        return self.code is None or self.code in TEMPORARY_CMS


@dataclass
class ModemStatus:
    """What the health endpoint shows about the modem."""

    state: str = "starting"  # starting | ready | no_network | sim_missing | pin_needed |
    # pin_refused | unresponsive | absent
    port: str | None = None
    mode: str | None = None  # pdu | text
    signal_dbm: int | None = None
    registered: bool = False
    error: str | None = None
    noise_lines: int = 0
    resets: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def candidates(patterns: list[str]) -> list[str]:
    """Existing device paths matching ``patterns``, in pattern order, each device once."""
    seen, found = set(), []
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]:
            real = os.path.realpath(path)
            if os.path.exists(real) and real not in seen:
                seen.add(real)
                found.append(path)
    return found


class Modem:
    """The modem at the first of ``ports`` (glob patterns) that answers ``AT``."""

    def __init__(
        self,
        ports: list[str],
        baudrate: int = 115200,
        pin: str = "",
        mode: str = "auto",
        timeout_s: float = 5.0,
        send_timeout_s: float = 60.0,
        opener: Callable[..., Any] | None = None,
    ) -> None:
        self.ports = ports
        self.baudrate = baudrate
        self.pin = pin
        self.mode = mode
        self.timeout_s = timeout_s
        self.send_timeout_s = send_timeout_s
        self._opener = opener
        self._serial: Any = None
        self._pending = bytearray()
        self._refused_pin = ""
        self.urcs: list[str] = []
        self.status = ModemStatus()

    # --- the line --------------------------------------------------------------------------

    def _open(self, path: str) -> Any:
        if self._opener is not None:
            return self._opener(path, self.baudrate)
        import serial  # pyserial: only a hub with a modem needs it

        return serial.Serial(path, self.baudrate, timeout=0.05, write_timeout=2.0)

    def close(self) -> None:
        """Let go of the port."""
        if self._serial is not None:
            # A vanished device may fail to close; it is gone either way.
            with contextlib.suppress(Exception):
                self._serial.close()
        self._serial = None
        self._pending.clear()

    def _write(self, data: bytes) -> None:
        if self._serial is None:
            raise ModemGone("the modem's port is not open")
        try:
            self._serial.write(data)
            self._serial.flush()
        except Exception as exc:  # SerialException, OSError: the device went away
            self.close()
            raise ModemGone(f"writing to the modem failed: {exc}") from None

    def _read_line(self, deadline: float, prompt: bool = False) -> str | None:
        """The next line (or the ``>`` prompt when ``prompt``), None when the deadline passes."""
        while True:
            match = re.search(rb"\r\n|\r|\n", self._pending)
            if match:
                line = bytes(self._pending[: match.start()])
                del self._pending[: match.end()]
                text = line.decode("ascii", "replace").strip()
                if text:
                    return text
                continue
            if prompt and self._pending.lstrip().startswith(b">"):
                self._pending.clear()
                return ">"
            if time.monotonic() >= deadline:
                return None
            if self._serial is None:
                raise ModemGone("the modem's port is not open")
            try:
                # One byte waits up to the port's timeout; then whatever else has arrived. (A
                # bigger read would wait out the timeout on every answer shorter than it.)
                chunk = self._serial.read(1)
                if chunk and getattr(self._serial, "in_waiting", 0):
                    chunk += self._serial.read(self._serial.in_waiting)
            except Exception as exc:
                self.close()
                raise ModemGone(f"reading from the modem failed: {exc}") from None
            if chunk:
                self._pending += chunk
                if len(self._pending) > 65536:  # a runaway line without an end is noise
                    self._pending.clear()

    def command(self, cmd: str, timeout_s: float | None = None) -> list[str]:
        """Send ``cmd``; the lines it answered before ``OK``. CommandError / ModemTimeout."""
        self._write(cmd.encode("ascii") + b"\r")
        return self._collect(cmd, time.monotonic() + (timeout_s or self.timeout_s))

    def _collect(self, cmd: str, deadline: float) -> list[str]:
        lines: list[str] = []
        while True:
            line = self._read_line(deadline)
            if line is None:
                raise ModemTimeout(f"no answer to {cmd} within the time allowed")
            if line.upper() == cmd.upper():
                continue  # the modem's echo
            if FINAL.match(line):
                if line == "OK":
                    return lines
                raise CommandError(cmd, line)
            if line.startswith(URC):
                self.urcs.append(line)
                continue
            lines.append(line)

    # --- finding and starting --------------------------------------------------------------

    def connect(self) -> None:
        """Find the modem among the configured ports and bring it up for SMS."""
        self.close()
        found = candidates(self.ports)
        for path in found:
            try:
                self._serial = self._open(path)
            except Exception as exc:
                log.info("sms: cannot open %s: %s", path, exc)
                continue
            if self._probe():
                self.status.port = path
                log.info("sms: modem answers on %s", path)
                self.start()
                return
            self.close()
        self.status.state = "absent"
        where = ", ".join(found) or "no device matches " + " ".join(self.ports)
        raise ModemGone(f"no modem answers AT ({where})")

    def _probe(self) -> bool:
        """True when something on the port answers ``AT`` (cancelling a forgotten prompt)."""
        for _ in range(2):
            try:
                self._write(b"\x1b")  # ESC leaves a "> " prompt a crash may have left open
                time.sleep(0.05)
                self._serial.reset_input_buffer()
                self._pending.clear()
                self.command("AT", timeout_s=1.0)
                return True
            except (ModemTimeout, CommandError):
                continue
        return False

    def start(self) -> None:
        """Echo off, errors as numbers, SIM and PIN, message format, arrival notices."""
        self.command("ATE0")
        self.command("AT+CMEE=1")
        self._check_sim()
        self.status.mode = self._choose_mode()
        try:
            self.command("AT+CNMI=2,1,0,0,0")  # +CMTI for each message stored
        except CommandError as exc:  # then polling alone finds them
            log.info("sms: modem refused arrival notices (%s); polling", exc)
        self.check_network()

    def _check_sim(self) -> None:
        try:
            answer = " ".join(self.command("AT+CPIN?"))
        except CommandError as exc:
            if exc.code in (10, 13, 15):  # SIM not inserted / failure / wrong
                self.status.state = "sim_missing"
                raise ModemNotReady("sim_missing", "no SIM card in the modem") from None
            raise
        if "READY" in answer:
            return
        if "SIM PIN" not in answer:
            self.status.state = "pin_needed"
            raise ModemNotReady("pin_needed", f"the SIM wants {answer.split(':')[-1].strip()}")
        if not self.pin:
            self.status.state = "pin_needed"
            raise ModemNotReady("pin_needed", "the SIM wants its PIN: set [sms] pin")
        # Never offer a refused PIN again (reconnects included): three wrong tries lock the SIM
        # behind its PUK, which only the operator's shop can undo.
        if self.pin != self._refused_pin:
            try:
                self.command(f'AT+CPIN="{self.pin}"', timeout_s=10.0)
                return
            except CommandError:
                self._refused_pin = self.pin
        self.status.state = "pin_refused"
        raise ModemNotReady("pin_refused", "the SIM refused the configured PIN; fix [sms] pin")

    def _choose_mode(self) -> str:
        if self.mode in ("auto", "pdu"):
            try:
                self.command("AT+CMGF=0")
                return "pdu"
            except CommandError:
                if self.mode == "pdu":
                    raise
                log.warning("sms: modem has no PDU mode; text mode, replies without accents")
        self.command("AT+CMGF=1")
        self.command('AT+CSCS="GSM"')
        return "text"

    def check_network(self) -> bool:
        """Registration and signal into :attr:`status`; True when registered."""
        reg = " ".join(self.command("AT+CREG?"))
        match = re.search(r"\+CREG:\s*\d+\s*,\s*(\d+)", reg)
        self.status.registered = bool(match and match.group(1) in ("1", "5"))  # home, roaming
        csq = re.search(r"\+CSQ:\s*(\d+)", " ".join(self.command("AT+CSQ")))
        rssi = int(csq.group(1)) if csq else 99
        self.status.signal_dbm = None if rssi == 99 else -113 + 2 * rssi
        self.status.state = "ready" if self.status.registered else "no_network"
        self.status.error = None if self.status.registered else "not registered on a network"
        return self.status.registered

    def reset(self) -> None:
        """Bring a silent modem back: cancel a prompt, find the port again, restart it."""
        self.status.resets += 1
        self.status.state = "unresponsive"
        if self._serial is not None:
            with contextlib.suppress(ModemGone):
                self._write(b"\x1b\x1a")
        self.connect()

    # --- messages --------------------------------------------------------------------------

    def wait_for_message(self, timeout_s: float) -> bool:
        """Listen for up to ``timeout_s``; True as soon as a ``+CMTI`` arrived."""
        deadline = time.monotonic() + timeout_s
        while True:
            if any(u.startswith("+CMTI:") for u in self.urcs):
                self.urcs = [u for u in self.urcs if not u.startswith("+CMTI:")]
                return True
            line = self._read_line(deadline)
            if line is None:
                return False
            if line.startswith(URC):
                self.urcs.append(line)
            else:
                self.status.noise_lines += 1

    def list_messages(self) -> list[Incoming]:
        """Every message stored in the modem, read or not."""
        if self.status.mode == "text":
            return parse_text_listing(self.command('AT+CMGL="ALL"', max(self.timeout_s, 15.0)))
        return parse_pdu_listing(self.command("AT+CMGL=4", timeout_s=max(self.timeout_s, 15.0)))

    def delete(self, index: int) -> None:
        """Delete stored message ``index`` (one already gone is not an error)."""
        try:
            self.command(f"AT+CMGD={index}")
        except CommandError as exc:
            if exc.code != 321:  # invalid index: deleted already
                raise

    def send(self, submit: pdu.Submit) -> int:
        """Send one PDU; the network's message reference. CommandError on ``+CMS ERROR``."""
        return self._send(f"AT+CMGS={submit.tpdu_length}", submit.hex)

    def send_text(self, number: str, text: str) -> int:
        """Send one text-mode message (GSM characters only)."""
        return self._send(f'AT+CMGS="{number}"', text)

    def _send(self, cmd: str, body: str) -> int:
        self._write(cmd.encode("ascii") + b"\r")
        deadline = time.monotonic() + self.timeout_s
        while True:
            line = self._read_line(deadline, prompt=True)
            if line is None:
                self._write(b"\x1b")  # do not leave the modem at a prompt
                raise PromptTimeout(f"no '>' prompt after {cmd}")
            if line == ">" or line.startswith("> "):
                break
            if FINAL.match(line):
                raise CommandError(cmd, line)
            if line.startswith(URC):
                self.urcs.append(line)
        self._write(body.encode("ascii", "replace") + b"\x1a")
        lines = self._collect(cmd, time.monotonic() + self.send_timeout_s)
        for line in lines:
            match = re.match(r"\+CMGS:\s*(\d+)", line)
            if match:
                return int(match.group(1))
        return -1
