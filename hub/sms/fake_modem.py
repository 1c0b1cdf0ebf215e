"""A GSM modem on a pseudo-terminal that answers AT commands as a SIM800/Huawei-class modem does.

The hub opens the pty's other end exactly as it opens ``/dev/ttyUSB2``: nothing in the driver
knows it is talking to a fake. It speaks TS 27.005/27.007 with echo, verbose result codes,
``+CME ERROR``/``+CMS ERROR``, ``+CMTI`` on arrival, PDU-mode ``CMGL``/``CMGR``/``CMGS`` with
the ``> `` prompt (and text mode, or a modem without PDU mode), and stores messages by index.

It is a feature as well as a test double: ``motcua sms-sim serve`` runs one for the demo, and a
technician can point a hub at it. Faults a test or a technician can switch on: SIM missing, PIN
needed, no network, garbage lines, a ``+CMS ERROR`` on the next send, a modem that stops
answering (:meth:`hang`), a prompt that swallows everything until ESC (:meth:`stick_in_prompt`),
and unplug/replug under another device name (:meth:`unplug`, :meth:`plug`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import select
import threading
import time
import tty
from dataclasses import dataclass, field
from pathlib import Path

from hub.sms import pdu

log = logging.getLogger(__name__)

CTRL_Z, ESC = b"\x1a", b"\x1b"
ZONE = dt.timezone(dt.timedelta(hours=7))


@dataclass
class Stored:
    """A message in the fake SIM's memory."""

    pdu: str  # SMS-DELIVER hex with SMSC field
    read: bool = False


@dataclass
class Sent:
    """A part the hub sent, as the network would carry it."""

    info: pdu.SubmitInfo
    reference: int
    at: float = field(default_factory=time.monotonic)  # when the modem took it


@dataclass
class Faults:
    """What is wrong with the modem right now (tests and ``sms-sim fault`` switch these)."""

    sim_missing: bool = False
    pin: str = ""  # a PIN the SIM still wants
    no_network: bool = False
    hung: bool = False  # reads and answers nothing
    cms_next: list[int] = field(default_factory=list)  # +CMS ERROR codes for the next sends
    pdu_mode: bool = True  # False: a modem that has only text mode


class FakeModem:
    """The modem; :attr:`link` (a symlink to the pty, like ``/dev/serial/by-id/…``) is its port."""

    def __init__(self, link: Path, capacity: int = 30, signal: int = 20) -> None:
        self.link = Path(link)
        self.capacity = capacity
        self.signal = signal
        self.faults = Faults()
        self.memory: dict[int, Stored] = {}
        self._waiting: list[str] = []  # held by the network while the SIM is full
        self.sent: list[Sent] = []
        self.commands: list[str] = []  # every command line received, for tests
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._master: int | None = None
        self._slave: int | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._ref = 0
        self._reset_modes()

    def _reset_modes(self) -> None:
        self.echo = True
        self.pdu_mode = True
        self.cnmi = False
        self._prompt: str | None = None  # "pdu:<len>" or "text:<number>" while at "> "
        self._buffer = bytearray()

    # --- plugging --------------------------------------------------------------------------

    def plug(self, link: Path | None = None) -> FakeModem:
        """Appear as a new device (a new pty) at ``link`` (default: the current one)."""
        if link is not None:
            self.link = Path(link)
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo or line editing by the terminal layer: the modem echoes
        self._master, self._slave = master, slave
        self.link.parent.mkdir(parents=True, exist_ok=True)
        self.link.unlink(missing_ok=True)
        self.link.symlink_to(os.ttyname(slave))
        self._reset_modes()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="fake-modem", daemon=True)
        self._thread.start()
        return self

    start = plug

    def unplug(self) -> None:
        """Vanish: the device node goes and whoever had it open reads an error or nothing."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
        self.link.unlink(missing_ok=True)
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None

    stop = unplug

    # --- what the network does -------------------------------------------------------------

    def deliver(self, sender: str, text: str, when: dt.datetime | None = None) -> list[int]:
        """A citizen's message arrives (split into parts when long); indexes it is stored at."""
        when = when or dt.datetime.now(ZONE).replace(microsecond=0)
        alphabet = pdu.choose_alphabet(text)
        parts = pdu.split_text(text, alphabet)
        with self._lock:
            self._ref = (self._ref + 1) % 256
            indexes = []
            for seq, part in enumerate(parts, 1):
                concat = pdu.Concat(self._ref, len(parts), seq) if len(parts) > 1 else None
                self._waiting.append(pdu.encode_deliver(sender, part, when, concat=concat))
            while self._waiting and (index := self._store_next()) is not None:
                indexes.append(index)
        return indexes

    def hang(self, on: bool = True) -> None:
        """Stop answering anything (firmware stuck) until ``hang(False)``."""
        with self._lock:
            self.faults.hung = on

    def stick_in_prompt(self) -> None:
        """Sit at a ``> `` prompt nobody finished: every command is swallowed until ESC."""
        with self._lock:
            self._prompt, self._buffer = "pdu:-1", bytearray()

    def _store_next(self) -> int | None:
        """Move the next message the network holds into a free slot (a full SIM makes the
        network keep messages and retry, as an SMSC does); its index, or None if full."""
        free = next((i for i in range(1, self.capacity + 1) if i not in self.memory), None)
        if free is None or not self._waiting:
            return None
        self.memory[free] = Stored(self._waiting.pop(0))
        if self.cnmi:
            self._urc(f'+CMTI: "SM",{free}')
        return free

    def garbage(self, raw: bytes = b"\xff\xfe\x00#@!garbage\r\n+XYZ: 1,2\r\n") -> None:
        """Emit noise on the line, as a modem with a loose cable or a chatty firmware does."""
        self._write(raw)

    def wait_sent(self, count: int, timeout: float = 10.0) -> list[Sent]:
        """Wait until at least ``count`` parts were sent; all parts sent so far."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.sent) >= count, timeout)
            return list(self.sent)

    def replies_to(self, number: str) -> list[str]:
        """Whole texts sent to ``number`` (concatenated parts joined), oldest first."""
        with self._lock:
            texts: list[str] = []
            pending: dict[int, dict[int, str]] = {}
            for s in self.sent:
                if s.info.number != number:
                    continue
                c = s.info.concat
                if c is None:
                    texts.append(s.info.text)
                    continue
                pending.setdefault(c.ref, {})[c.seq] = s.info.text
                if len(pending[c.ref]) == c.total:
                    got = pending.pop(c.ref)
                    texts.append("".join(got[i] for i in range(1, c.total + 1)))
            return texts

    # --- the serial line -------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        if self._master is not None:
            with contextlib.suppress(OSError):
                os.write(self._master, data)

    def _urc(self, line: str) -> None:
        self._write(f"\r\n{line}\r\n".encode())

    def _run(self) -> None:
        master = self._master
        while not self._stop.is_set() and master is not None:
            ready, _, _ = select.select([master], [], [], 0.01)  # unplug() waits for a look
            if not ready:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            with self._lock:
                if self.faults.hung:
                    continue
                self._feed(chunk)

    def _feed(self, chunk: bytes) -> None:
        for byte in chunk:
            b = bytes([byte])
            if self._prompt is not None:
                if b == ESC:
                    self._prompt, self._buffer = None, bytearray()
                    self._write(b"\r\nOK\r\n")
                elif b == CTRL_Z:
                    body, self._buffer = self._buffer.decode("latin-1").strip(), bytearray()
                    prompt, self._prompt = self._prompt, None
                    self._send(prompt, body)
                else:
                    self._buffer += b
                continue
            if b in (b"\r", b"\n"):
                line, self._buffer = self._buffer.decode("latin-1").strip(), bytearray()
                if line:
                    if self.echo:
                        self._write(line.encode("latin-1") + b"\r")
                    self._command(line)
            elif b in (ESC, CTRL_Z):
                self._buffer = bytearray()  # a stray escape outside the prompt is ignored
            else:
                self._buffer += b

    def _answer(self, *lines: str, final: str = "OK") -> None:
        body = "".join(f"\r\n{line}" for line in lines)
        self._write(f"{body}\r\n{final}\r\n".encode() if lines else f"\r\n{final}\r\n".encode())

    def _command(self, line: str) -> None:
        self.commands.append(line)
        upper = line.upper()
        if not upper.startswith("AT"):
            self._answer(final="ERROR")
            return
        cmd = upper[2:]
        f = self.faults
        simple = {"": "OK", "Z": "OK", "+CMEE=1": "OK", "+CMEE=2": "OK", '+CSCS="GSM"': "OK"}
        if cmd in simple:
            self._answer(final=simple[cmd])
        elif cmd in ("E0", "E1"):
            self.echo = cmd == "E1"
            self._answer()
        elif cmd == "+CFUN=1,1":
            self._answer()
            self._reset_modes()
            self._urc("RDY")
        elif cmd == "+CPIN?":
            if f.sim_missing:
                self._answer(final="+CME ERROR: 10")
            else:
                self._answer("+CPIN: SIM PIN" if f.pin else "+CPIN: READY")
        elif cmd.startswith("+CPIN="):
            given = line.split("=", 1)[1].strip().strip('"')
            if f.pin and given == f.pin:
                f.pin = ""
                self._answer()
            else:
                self._answer(final="+CME ERROR: 16")
        elif cmd == "+CREG?":
            self._answer("+CREG: 0,0" if f.no_network or f.sim_missing else "+CREG: 0,1")
        elif cmd == "+CSQ":
            self._answer(f"+CSQ: {99 if f.no_network else self.signal},99")
        elif cmd in ("+CMGF=0", "+CMGF=1"):
            if cmd == "+CMGF=0" and not f.pdu_mode:
                self._answer(final="ERROR")
            else:
                self.pdu_mode = cmd == "+CMGF=0"
                self._answer()
        elif cmd.startswith("+CNMI="):
            self.cnmi = cmd.split("=")[1].split(",")[:2] == ["2", "1"]
            self._answer()
        elif cmd == "+CPMS?":
            n = len(self.memory)
            c = self.capacity
            self._answer(f'+CPMS: "SM",{n},{c},"SM",{n},{c},"SM",{n},{c}')
        elif cmd.startswith("+CMGL"):
            self._list(cmd)
        elif cmd.startswith("+CMGR="):
            self._read(cmd)
        elif cmd.startswith("+CMGD="):
            index = _int(cmd.split("=")[1].split(",")[0])
            if index in self.memory:
                del self.memory[index]
                self._answer()
                self._store_next()
            else:
                self._answer(final="+CMS ERROR: 321")
        elif cmd.startswith("+CMGS="):
            arg = line.split("=", 1)[1].strip()
            if f.sim_missing:
                self._answer(final="+CMS ERROR: 310")
                return
            self._prompt = f"pdu:{arg}" if self.pdu_mode else f"text:{arg.strip(chr(34))}"
            self._write(b"\r\n> ")
        else:
            self._answer(final="ERROR")

    def _list(self, cmd: str) -> None:
        arg = cmd.split("=", 1)[1].strip().strip('"') if "=" in cmd else "4"
        wanted = {"0": (False,), "1": (True,), "4": (False, True), "REC UNREAD": (False,),
                  "REC READ": (True,), "ALL": (False, True)}.get(arg)  # fmt: skip
        if wanted is None or (arg.isdigit() != self.pdu_mode):
            self._answer(final="+CMS ERROR: 302")
            return
        lines = []
        for index in sorted(self.memory):
            m = self.memory[index]
            if m.read in wanted:
                lines += self._show(index, m, listing=True)
                m.read = True
        self._answer(*lines)

    def _read(self, cmd: str) -> None:
        index = _int(cmd.split("=")[1])
        m = self.memory.get(index)
        if m is None:
            self._answer(final="+CMS ERROR: 321")
            return
        self._answer(*self._show(index, m, listing=False))
        m.read = True

    def _show(self, index: int, m: Stored, listing: bool) -> list[str]:
        lead = f"+CMGL: {index}," if listing else "+CMGR: "
        if self.pdu_mode:
            tpdu_len = len(m.pdu) // 2 - 1 - int(m.pdu[:2], 16)
            return [f"{lead}{int(m.read)},,{tpdu_len}", m.pdu]
        d = pdu.decode_deliver(m.pdu)
        stat = "REC READ" if m.read else "REC UNREAD"
        q = int((d.timestamp.utcoffset() or dt.timedelta()).total_seconds() // 900)
        stamp = d.timestamp.strftime("%y/%m/%d,%H:%M:%S") + f"{q:+03d}"
        text = d.text if d.alphabet == pdu.GSM7 else d.text.encode("utf-16-be").hex().upper()
        return [f'{lead}"{stat}","{d.sender}",,"{stamp}"', text]

    def _send(self, prompt: str, body: str) -> None:
        f = self.faults
        if f.cms_next:
            self._answer(final=f"+CMS ERROR: {f.cms_next.pop(0)}")
            return
        if f.no_network:
            self._answer(final="+CMS ERROR: 331")
            return
        kind, arg = prompt.split(":", 1)
        try:
            if kind == "pdu":
                info = pdu.decode_submit(body)
                if int(arg) != len(body) // 2 - 1 - int(body[:2], 16):
                    raise pdu.PduError("length does not match")
            else:
                info = pdu.SubmitInfo(arg, body, pdu.GSM7)
        except (pdu.PduError, ValueError):
            self._answer(final="+CMS ERROR: 304")
            return
        self._ref = (self._ref + 1) % 256
        self.sent.append(Sent(info, self._ref))
        self._changed.notify_all()
        self._answer(f"+CMGS: {self._ref}")


def _int(text: str) -> int:
    match = re.match(r"\s*(\d+)", text)
    return int(match.group(1)) if match else -1
