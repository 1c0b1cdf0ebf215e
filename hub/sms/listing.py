"""What ``AT+CMGL`` prints, as messages: PDU mode (a header line, then the PDU in hex) and text
mode (a header with sender and time stamp, then the text). Lines that fit neither are skipped."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from hub.sms import pdu

log = logging.getLogger(__name__)

_PDU_HEADER = re.compile(r"^\+CMGL:\s*(\d+)\s*,")
_TEXT_HEADER = re.compile(r'^\+CMGL:\s*(\d+),"[^"]*","([^"]*)",[^,]*,"([^"]*)"')


@dataclass
class Incoming:
    """A message stored in the modem: index, and what it decoded to (None: unreadable)."""

    index: int
    message: pdu.Deliver | None
    raw: str = ""


def parse_pdu_listing(lines: list[str]) -> list[Incoming]:
    """``+CMGL: <index>,<stat>,[<alpha>],<length>`` lines, each followed by its PDU."""
    out: list[Incoming] = []
    for i, line in enumerate(lines):
        match = _PDU_HEADER.match(line)
        if not match or i + 1 >= len(lines):
            continue
        raw = lines[i + 1]
        try:
            message: pdu.Deliver | None = pdu.decode_deliver(raw)
        except pdu.PduError as exc:
            log.warning("sms: message %s unreadable (%s)", match.group(1), exc)
            message = None
        out.append(Incoming(int(match.group(1)), message, raw))
    return out


def parse_text_listing(lines: list[str]) -> list[Incoming]:
    """``+CMGL: <index>,"<stat>","<sender>",,"yy/MM/dd,hh:mm:ss+zz"`` lines and their texts."""
    out = []
    for i, line in enumerate(lines):
        match = _TEXT_HEADER.match(line)
        if not match or i + 1 >= len(lines):
            continue
        stamp = match.group(3)
        try:
            when = dt.datetime.strptime(stamp[:17], "%y/%m/%d,%H:%M:%S")
            zone = dt.timezone(dt.timedelta(minutes=15 * int(stamp[17:] or 0)))
            when = when.replace(tzinfo=zone)
        except ValueError:
            when = dt.datetime.now(dt.UTC)
        message = pdu.Deliver("", match.group(2), when, lines[i + 1], pdu.GSM7)
        out.append(Incoming(int(match.group(1)), message, lines[i + 1]))
    return out
