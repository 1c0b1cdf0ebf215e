"""SMS PDUs as GSM modems exchange them in PDU mode (3GPP TS 23.040, alphabets per TS 23.038).

Decodes SMS-DELIVER (what a modem lists with ``AT+CMGL``/``AT+CMGR``) and encodes SMS-SUBMIT
(what ``AT+CMGS`` sends): the GSM 7-bit default alphabet with its extension table, UCS-2 (which
Vietnamese needs), and concatenated messages (a User Data Header with a concatenation element;
7-bit text after a header starts on a septet boundary, so fill bits pad the header).

User data is handled as one little-endian bit stream: header octets, fill bits, then septets, each
least significant bit first, which is how TS 23.040 9.2.3.24 lays them out. Pure functions, no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# TS 23.038 6.2.1: the default alphabet, indexed by septet value (0x1B is the escape to the
# extension table, kept here as a placeholder that text never maps to).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# TS 23.038 6.2.1.1: the extension table (each costs two septets: 0x1B then this).
GSM7_EXTENSION = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[",
                  0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€"}  # fmt: skip
ESCAPE = 0x1B
_BASIC_INDEX = {ch: i for i, ch in enumerate(GSM7_BASIC) if i != ESCAPE}
_EXTENSION_INDEX = {ch: code for code, ch in GSM7_EXTENSION.items()}

GSM7, DATA8, UCS2 = "gsm7", "8bit", "ucs2"
SINGLE_LIMIT = {GSM7: 160, UCS2: 70}  # septets / characters in one message
PART_LIMIT = {GSM7: 153, UCS2: 67}  # per part once a 6-octet concatenation header takes room
MAX_PARTS = 255


class PduError(ValueError):
    """Bytes that are not a PDU this codec understands; ``str(exc)`` says where."""


@dataclass(frozen=True)
class Concat:
    """Concatenation element of a message part: reference, how many parts, this one's number."""

    ref: int
    total: int
    seq: int


@dataclass(frozen=True)
class Deliver:
    """A decoded SMS-DELIVER."""

    smsc: str
    sender: str
    timestamp: dt.datetime
    text: str
    alphabet: str
    concat: Concat | None = None


@dataclass(frozen=True)
class Submit:
    """One SMS-SUBMIT ready for ``AT+CMGS=<tpdu_length>``."""

    hex: str
    tpdu_length: int  # octets after the SMSC field, as AT+CMGS wants


# --- the 7-bit alphabet ----------------------------------------------------------------------


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` is in the default alphabet or its extension."""
    return all(ch in _BASIC_INDEX or ch in _EXTENSION_INDEX for ch in text)


def gsm7_septets(text: str) -> list[int]:
    """``text`` as septet values; PduError for a character the alphabet lacks."""
    out: list[int] = []
    for ch in text:
        if ch in _BASIC_INDEX:
            out.append(_BASIC_INDEX[ch])
        elif ch in _EXTENSION_INDEX:
            out += [ESCAPE, _EXTENSION_INDEX[ch]]
        else:
            raise PduError(f"{ch!r} is not in the GSM 7-bit alphabet")
    return out


def gsm7_text(septets: list[int]) -> str:
    """Septet values back to text (an unknown extension code reads as a space, per 23.038)."""
    out, escaped = [], False
    for value in septets:
        if escaped:
            out.append(GSM7_EXTENSION.get(value, " "))
            escaped = False
        elif value == ESCAPE:
            escaped = True
        else:
            out.append(GSM7_BASIC[value])
    return "".join(out)


def _pack(header: bytes, septets: list[int]) -> bytes:
    """Header octets, fill bits to the next septet boundary, then septets, LSB first."""
    bits = len(header) * 8
    bits += (7 - bits % 7) % 7
    value = int.from_bytes(header, "little")
    for i, septet in enumerate(septets):
        value |= septet << (bits + 7 * i)
    total = bits + 7 * len(septets)
    return value.to_bytes((total + 7) // 8, "little")


def _unpack(data: bytes, header_len: int, count: int) -> list[int]:
    """``count`` septets after a header of ``header_len`` octets and its fill bits."""
    value = int.from_bytes(data, "little")
    start = header_len * 8
    start += (7 - start % 7) % 7
    return [(value >> (start + 7 * i)) & 0x7F for i in range(count)]


# --- addresses and timestamps ----------------------------------------------------------------


def _swap_digits(data: bytes) -> str:
    digits = "".join(f"{b & 0x0F:X}{b >> 4:X}" for b in data)
    return digits.rstrip("F")


def _encode_digits(digits: str) -> bytes:
    if len(digits) % 2:
        digits += "F"
    return bytes(int(digits[i + 1] + digits[i], 16) for i in range(0, len(digits), 2))


def encode_address(number: str) -> bytes:
    """A TP-DA: digit count, type of address (0x91 international when it starts with +), BCD."""
    international = number.startswith("+")
    digits = number.lstrip("+")
    if not digits or not digits.isdigit() or len(digits) > 20:
        raise PduError(f"a destination must be digits with an optional +, not {number!r}")
    toa = 0x91 if international else 0x81
    return bytes([len(digits), toa]) + _encode_digits(digits)


def _decode_address(pdu: bytes, pos: int) -> tuple[str, int]:
    """(address, next position) of a TP-OA/TP-DA at ``pos`` (length counts semi-octets)."""
    length, toa = pdu[pos], pdu[pos + 1]
    octets = (length + 1) // 2
    raw = pdu[pos + 2 : pos + 2 + octets]
    if len(raw) < octets:
        raise PduError("the address runs past the end of the PDU")
    if (toa >> 4) & 0x07 == 0x05:  # alphanumeric: packed septets (a sender like "FONIC")
        return gsm7_text(_unpack(raw, 0, length * 4 // 7)), pos + 2 + octets
    digits = _swap_digits(raw)
    return ("+" if (toa >> 4) & 0x07 == 0x01 else "") + digits, pos + 2 + octets


def _decode_timestamp(raw: bytes) -> dt.datetime:
    """TP-SCTS: swapped BCD yy MM dd hh mm ss, then the zone in quarter hours (bit 3: minus)."""
    try:
        parts = [int(f"{b & 0x0F}{b >> 4}") for b in raw[:6]]
        zone = raw[6]
        quarters = (zone & 0x07) * 10 + (zone >> 4)
        if zone & 0x08:
            quarters = -quarters
        tz = dt.timezone(dt.timedelta(minutes=15 * quarters))
        year = parts[0] + (2000 if parts[0] < 70 else 1900)
        return dt.datetime(year, parts[1], parts[2], parts[3], parts[4], parts[5],
                           tzinfo=tz)  # fmt: skip
    except (ValueError, IndexError):
        raise PduError(f"the timestamp {raw.hex().upper()} is not a date") from None


# --- SMS-DELIVER -----------------------------------------------------------------------------


def _alphabet(dcs: int) -> str:
    """TS 23.038 4: the alphabet a data coding scheme names."""
    group = dcs >> 4
    if group <= 0x07:  # general data coding (0x) and automatic deletion (4x)
        if dcs & 0x20:
            raise PduError(f"compressed text (DCS {dcs:02X}) is not supported")
        return (GSM7, DATA8, UCS2, GSM7)[(dcs >> 2) & 0x03]
    if group in (0x0C, 0x0D):
        return GSM7
    if group == 0x0E:
        return UCS2
    if group == 0x0F:
        return DATA8 if dcs & 0x04 else GSM7
    raise PduError(f"data coding scheme {dcs:02X} is reserved")


def _concat_of(header: bytes) -> Concat | None:
    pos = 0
    while pos + 2 <= len(header):
        iei, length = header[pos], header[pos + 1]
        body = header[pos + 2 : pos + 2 + length]
        if iei == 0x00 and length == 3:
            return Concat(body[0], body[1], body[2])
        if iei == 0x08 and length == 4:
            return Concat((body[0] << 8) | body[1], body[2], body[3])
        pos += 2 + length
    return None


def decode_deliver(hex_pdu: str) -> Deliver:
    """Decode an SMS-DELIVER as ``AT+CMGR``/``AT+CMGL`` print it (with the SMSC field first)."""
    try:
        pdu = bytes.fromhex(hex_pdu.strip())
    except ValueError:
        raise PduError("the PDU is not hexadecimal") from None
    try:
        return _decode_deliver(pdu)
    except IndexError:
        raise PduError("the PDU ends too early") from None


def _decode_deliver(pdu: bytes) -> Deliver:
    smsc_len = pdu[0]
    smsc = ""
    if smsc_len:
        toa, digits = pdu[1], _swap_digits(pdu[2 : 1 + smsc_len])
        smsc = ("+" if toa & 0x70 == 0x10 else "") + digits
    pos = 1 + smsc_len
    first = pdu[pos]
    if first & 0x03 != 0x00:
        raise PduError(f"not an SMS-DELIVER (message type {first & 0x03})")
    has_header = bool(first & 0x40)
    sender, pos = _decode_address(pdu, pos + 1)
    _pid, dcs = pdu[pos], pdu[pos + 1]
    stamp = _decode_timestamp(pdu[pos + 2 : pos + 9])
    udl = pdu[pos + 9]
    data = pdu[pos + 10 :]
    alphabet = _alphabet(dcs)
    header = b""
    if has_header:
        header = data[1 : 1 + data[0]]
    header_octets = len(header) + 1 if has_header else 0
    if alphabet == GSM7:
        if len(data) < (udl * 7 + 7) // 8:
            raise PduError("the user data is shorter than its length says")
        header_septets = (header_octets * 8 + 6) // 7
        text = gsm7_text(_unpack(data, header_octets, udl - header_septets))
    else:
        if len(data) < udl:
            raise PduError("the user data is shorter than its length says")
        body = data[header_octets:udl]
        text = body.decode("utf-16-be", "replace") if alphabet == UCS2 else body.hex().upper()
    return Deliver(smsc, sender, stamp, text, alphabet, _concat_of(header))


# --- SMS-SUBMIT ------------------------------------------------------------------------------


def choose_alphabet(text: str) -> str:
    """GSM7 when the default alphabet can carry ``text``, else UCS2."""
    return GSM7 if is_gsm7(text) else UCS2


def split_text(text: str, alphabet: str) -> list[str]:
    """``text`` cut into the parts a concatenated message carries (one part if it fits whole).

    7-bit parts never split an escape pair; UCS-2 parts never split a surrogate pair.
    """
    cost = (lambda ch: 2 if ch in _EXTENSION_INDEX else 1) if alphabet == GSM7 else (
        lambda ch: 2 if ord(ch) > 0xFFFF else 1)  # fmt: skip
    if sum(map(cost, text)) <= SINGLE_LIMIT[alphabet]:
        return [text]
    parts, current, used = [], [], 0
    for ch in text:
        if used + cost(ch) > PART_LIMIT[alphabet]:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += cost(ch)
    parts.append("".join(current))
    if len(parts) > MAX_PARTS:
        raise PduError(f"the text needs {len(parts)} parts, more than {MAX_PARTS}")
    return parts


def _relative_validity(hours: int) -> int:
    """TS 23.040 9.2.3.12.1: 5-minute steps to 12 h, half hours to 24 h, then days to 30."""
    if not 1 <= hours <= 30 * 24:
        raise PduError(f"a validity period must be 1 hour to 30 days, not {hours} h")
    if hours <= 12:
        return hours * 12 - 1
    if hours <= 24:
        return 143 + (hours - 12) * 2
    return 166 + (hours + 23) // 24


def encode_submit(
    number: str, text: str, alphabet: str | None = None, ref: int = 0, validity_h: int = 24
) -> list[Submit]:
    """SMS-SUBMIT PDUs (one, or the parts of a concatenated message with reference ``ref``).

    The SMSC field is ``00`` (the modem uses the SIM's), a relative validity period is set (so a
    reply to a switched-off phone expires instead of arriving days later), and the modem picks
    the message reference (TP-MR 00).
    """
    alphabet = alphabet or choose_alphabet(text)
    if alphabet not in (GSM7, UCS2):
        raise PduError(f"cannot send in alphabet {alphabet!r}")
    if alphabet == GSM7 and not is_gsm7(text):
        raise PduError("the text has characters outside the GSM 7-bit alphabet")
    parts = split_text(text, alphabet)
    destination = encode_address(number)
    vp = _relative_validity(validity_h)
    dcs = 0x00 if alphabet == GSM7 else 0x08
    out = []
    for seq, part in enumerate(parts, 1):
        header = b"" if len(parts) == 1 else bytes([5, 0x00, 3, ref & 0xFF, len(parts), seq])
        first = 0x11 | (0x40 if header else 0)  # SMS-SUBMIT, relative validity period, UDHI
        if alphabet == GSM7:
            septets = gsm7_septets(part)
            data = _pack(header, septets)
            udl = (len(header) * 8 + 6) // 7 + len(septets)
        else:
            data = header + part.encode("utf-16-be")
            udl = len(data)
        tpdu = bytes([first, 0x00]) + destination + bytes([0x00, dcs, vp, udl]) + data
        out.append(Submit("00" + tpdu.hex().upper(), len(tpdu)))
    return out


# --- the other direction, for the fake modem and tests ---------------------------------------


@dataclass(frozen=True)
class SubmitInfo:
    """What an SMS-SUBMIT carries (decoded by the fake modem from what the hub sent)."""

    number: str
    text: str
    alphabet: str
    concat: Concat | None = None


def _user_data(text: str, alphabet: str, header: bytes) -> tuple[int, bytes]:
    if alphabet == GSM7:
        septets = gsm7_septets(text)
        return (len(header) * 8 + 6) // 7 + len(septets), _pack(header, septets)
    data = header + text.encode("utf-16-be")
    return len(data), data


def encode_deliver(
    sender: str, text: str, timestamp: dt.datetime, smsc: str = "+84980200030",
    alphabet: str | None = None, concat: Concat | None = None,
) -> str:  # fmt: skip
    """An SMS-DELIVER as a modem prints it: what a phone's message looks like on arrival."""
    alphabet = alphabet or choose_alphabet(text)
    header = b"" if concat is None else bytes([5, 0x00, 3, concat.ref, concat.total, concat.seq])
    smsc_digits = _encode_digits(smsc.lstrip("+"))
    smsc_field = bytes([len(smsc_digits) + 1, 0x91 if smsc.startswith("+") else 0x81])
    first = 0x04 | (0x40 if header else 0)  # SMS-DELIVER, no more messages to send
    local = timestamp.astimezone(timestamp.tzinfo or dt.UTC)
    offset = local.utcoffset() or dt.timedelta()
    quarters = int(offset.total_seconds() // 900)
    zone = _encode_digits(f"{abs(quarters):02d}")[0] | (0x08 if quarters < 0 else 0)
    stamp = _encode_digits(local.strftime("%y%m%d%H%M%S")) + bytes([zone])
    udl, data = _user_data(text, alphabet, header)
    if len(data) > 140:
        raise PduError(f"the text needs {len(data)} octets, more than one message's 140")
    dcs = 0x00 if alphabet == GSM7 else 0x08
    tpdu = bytes([first]) + _origin_address(sender) + bytes([0x00, dcs]) + stamp
    return (smsc_field + smsc_digits + tpdu + bytes([udl]) + data).hex().upper()


def _origin_address(sender: str) -> bytes:
    """A TP-OA: a number, or an alphanumeric sender (an operator's name) in packed septets."""
    if sender.lstrip("+").isdigit():
        return encode_address(sender)
    septets = gsm7_septets(sender)
    useful = (len(septets) * 7 + 3) // 4  # semi-octets that carry bits (TS 23.040 9.1.2.5)
    return bytes([useful, 0xD0]) + _pack(b"", septets)


def decode_submit(hex_pdu: str) -> SubmitInfo:
    """Decode an SMS-SUBMIT (with its SMSC field first), as a modem receives it on AT+CMGS."""
    try:
        pdu = bytes.fromhex(hex_pdu.strip())
        pos = 1 + pdu[0]
        first = pdu[pos]
        if first & 0x03 != 0x01:
            raise PduError(f"not an SMS-SUBMIT (message type {first & 0x03})")
        number, pos = _decode_address(pdu, pos + 2)
        dcs = pdu[pos + 1]
        vpf = (first >> 3) & 0x03
        pos += 2 + {0: 0, 2: 1}.get(vpf, 7)
        udl, data = pdu[pos], pdu[pos + 1 :]
    except (ValueError, IndexError):
        raise PduError("not a readable SMS-SUBMIT") from None
    alphabet = _alphabet(dcs)
    header = data[1 : 1 + data[0]] if first & 0x40 else b""
    header_octets = len(header) + 1 if first & 0x40 else 0
    if alphabet == GSM7:
        text = gsm7_text(_unpack(data, header_octets, udl - (header_octets * 8 + 6) // 7))
    else:
        text = data[header_octets:udl].decode("utf-16-be", "replace")
    return SubmitInfo(number, text, alphabet, _concat_of(header))
