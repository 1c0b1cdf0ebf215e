"""What a citizen's SMS asks, and the reply's words.

People type on basic phones: any case, extra spaces, with or without accents, a keyword glued to
the code, or a link pasted from the agency's page. :func:`parse` accepts

- ``HS <mã>``, ``TRACUU <mã>``, ``TRA CỨU <mã>``, ``HOSO <mã>``, the bare code, or a lookup URL;
- ``STT <số>`` (``STT A012``, ``stt a 12``, ``STT 1001``): a ticket issued today;
- ``HD`` / ``HELP`` / ``?``, and anything else: the short help text.

Replies say only what the public lookup API says (status, appointment date, on time or late,
what to do next, how fresh), never the applicant's name, not even masked: an SMS can be sent by
anyone holding a receipt code, and a phone screen is read over shoulders. Texts go through the
hub's gettext catalog; :func:`unaccented` folds a reply into the GSM 7-bit alphabet (one
160-character message instead of 70-character UCS-2 ones, and readable on old phones).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.dossiers.codes import InvalidCode, normalize_code
from hub.sms import pdu

Gettext = Callable[..., str]  # (msgid, **values) -> text in the reply language

EXAMPLE_CODE = "H21.22-261019-0004"
_DOSSIER_WORDS = r"(?:TRA\s*CUU|HO\s*SO|HS|TC|MA\s*HS|MAHS|MA)"
_DOSSIER = re.compile(rf"^{_DOSSIER_WORDS}(?:[\s:.#=,;\-]+|(?=[HG]\d\d|000\.))(.*)$", re.S)
_TICKET = re.compile(r"^(?:STT|SO\s*TT|SOTT|SO)[\s:.#=,;\-]*([A-Z]{0,3})\s*(\d{1,5})$")
_HELP = re.compile(r"^(?:HD|HELP|TRO\s*GIUP|HUONG\s*DAN|\?+)$")
_PLAIN = {ord("“"): '"', ord("”"): '"', ord("‘"): "'", ord("’"): "'", ord("–"): "-",
          ord("—"): "-", ord("…"): "..."}  # fmt: skip
MAX_ECHO = 30  # how much of an unreadable message a reply quotes back


@dataclass(frozen=True)
class Request:
    """What a message asks: ``kind`` is dossier, ticket, help, bad_code or unknown."""

    kind: str
    value: str = ""  # the canonical dossier code, the ticket number, or what was not understood
    error: str = ""


def fold(text: str) -> str:
    """``text`` without Vietnamese diacritics (``đ`` -> ``d``), NFC otherwise."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


def parse(text: str) -> Request:
    """The request in an incoming SMS."""
    raw = " ".join(unicodedata.normalize("NFKC", text).split())
    key = fold(raw).upper()
    if not key or _HELP.match(key):
        return Request("help")
    ticket = _TICKET.match(key)
    if ticket:
        return Request("ticket", ticket.group(1) + ticket.group(2))
    dossier = _DOSSIER.match(key)
    if dossier and dossier.group(1).strip():
        rest = raw[len(raw) - len(dossier.group(1)) :] if len(raw) == len(key) else dossier.group(1)
        try:
            return Request("dossier", normalize_code(rest))
        except InvalidCode as exc:
            if _looks_like_code(key):  # the keyword may itself be the code's beginning
                try:
                    return Request("dossier", normalize_code(raw))
                except InvalidCode:
                    pass
            return Request("bad_code", rest.strip()[:MAX_ECHO], str(exc))
    try:
        return Request("dossier", normalize_code(raw))
    except InvalidCode:
        pass
    return Request("unknown", raw[:MAX_ECHO])


def _looks_like_code(key: str) -> bool:
    return bool(re.search(r"\d{6}-\d{4}", key))


def unaccented(text: str) -> str:
    """``text`` folded into the GSM 7-bit alphabet: accents dropped, typographic marks made
    plain, anything else the alphabet lacks shown as ``?``."""
    plain = fold(text).translate(_PLAIN)
    return "".join(ch if pdu.is_gsm7(ch) else "?" for ch in plain)


# --- replies ---------------------------------------------------------------------------------


def _day(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        return dt.datetime.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return None


def dossier_reply(answer: dict[str, Any], _: Gettext, language: str = "vi") -> str:
    """The reply for a lookup API answer (``{"dossier": …, "freshness": …}``)."""
    d, fresh = answer["dossier"], answer["freshness"]
    suffix = "vi" if language == "vi" else "en"
    parts = [_("Dossier {code}: {status}.", code=d["code"], status=d[f"status_{suffix}"])]
    due = _day(d.get("due_at"))
    when = d.get(f"timeliness_{suffix}")
    if d.get("finished_at") or d.get("returned_at"):
        done = _day(d.get("returned_at") or d.get("finished_at"))
        if done:
            parts.append(_("Finished {date}.", date=done))
    if due and when:
        parts.append(_("Appointment date {date} ({timeliness}).", date=due, timeliness=when))
    elif due:
        parts.append(_("Appointment date {date}.", date=due))
    if d.get(f"next_{suffix}"):
        parts.append(d[f"next_{suffix}"])
    if fresh.get("stale"):
        at = dt.datetime.fromisoformat(fresh["fetched_at"]).strftime("%H:%M %d/%m")
        parts.append(_("Information as of {time}.", time=at))
    return " ".join(parts)


def not_found_reply(code: str, _: Gettext) -> str:
    """No dossier has this code."""
    return _("No dossier with code {code}. Please check the code on your receipt.", code=code)


def unavailable_reply(code: str, _: Gettext) -> str:
    """The back end cannot be asked and the hub has no copy."""
    return _("Cannot look up dossier {code} right now. Please text again later.", code=code)


def bad_code_reply(shown: str, _: Gettext) -> str:
    """What followed the keyword is not a dossier code."""
    return _('"{text}" is not a dossier code. Example: HS {example}', text=shown,
             example=EXAMPLE_CODE)  # fmt: skip


def help_reply(_: Gettext) -> str:
    """How to use the service."""
    return _(
        "Dossier lookup: text HS <code>, e.g. HS {example}. Queue ticket: text STT <number>, "
        "e.g. STT A012.",
        example=EXAMPLE_CODE,
    )


def limit_reply(_: Gettext) -> str:
    """Sent once when a number reaches its allowance; later messages get no reply."""
    return _("You have sent too many messages. Please try again later.")


def ticket_reply(number: str, ticket: dict[str, Any] | None, _: Gettext) -> str:
    """A ticket's state (a Ticket view of the queue API), or that today has no such number."""
    if ticket is None:
        return _("No ticket {number} today.", number=number)
    number, state = ticket["number"], ticket["state"]
    if state == "waiting":
        ahead = ticket.get("ahead") or 0
        if ahead == 0:
            return _("Ticket {number}: you are next.", number=number)
        minutes = max(1, round((ticket.get("estimated_wait_s") or 0) / 60))
        return _("Ticket {number}: {n} ahead of you, about {m} min.", number=number, n=ahead,
                 m=minutes)  # fmt: skip
    if state in ("called", "serving"):
        counter = ticket.get("counter_name") or str(ticket.get("counter") or "")
        return _("Ticket {number}: please go to {counter}.", number=number, counter=counter)
    if state == "done":
        return _("Ticket {number} has been served.", number=number)
    if state == "no_show":
        return _("Ticket {number} missed its turn: please ask at a counter.", number=number)
    return _("Ticket {number} was cancelled.", number=number)


def ahead_notice(ticket: dict[str, Any], _: Gettext) -> str:
    """The notice to a citizen who asked to be told when their turn is near."""
    come_back = _("Please come back to the waiting area.")  # outside the f-string: extracted
    return f"{ticket_reply(ticket['number'], ticket, _)} {come_back}"


TEXTS = (
    "Please come back to the waiting area.",
    "Dossier {code}: {status}.", "Finished {date}.", "Appointment date {date} ({timeliness}).",
    "Appointment date {date}.", "Information as of {time}.",
    "No dossier with code {code}. Please check the code on your receipt.",
    "Cannot look up dossier {code} right now. Please text again later.",
    '"{text}" is not a dossier code. Example: HS {example}',
    "Dossier lookup: text HS <code>, e.g. HS {example}. Queue ticket: text STT <number>, "
    "e.g. STT A012.",
    "You have sent too many messages. Please try again later.",
    "No ticket {number} today.", "Ticket {number}: you are next.",
    "Ticket {number}: {n} ahead of you, about {m} min.",
    "Ticket {number}: please go to {counter}.", "Ticket {number} has been served.",
    "Ticket {number} missed its turn: please ask at a counter.", "Ticket {number} was cancelled.",
)  # fmt: skip
