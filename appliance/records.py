"""Typed views of what the hub sends (hub/API.md "Views" and "Events"), parsed in one place.

Screens and controllers read these records, never the wire's dicts. Each ``from_wire`` takes the
decoded JSON: fields the hub adds later are ignored (an older appliance keeps working with a
newer hub), while a field that is there but wrong (a number that is text, a time that is not a
time, a ticket that is not an object) is refused with a :class:`RecordError` naming it, so a bad
answer stops at the door instead of failing later on a screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from appliance import timefmt

_REQUIRED: Any = object()


class RecordError(ValueError):
    """A record from the hub is malformed; the message names the record and the field."""


class _Fields:
    """Reads one record's fields, each checked for its type."""

    def __init__(self, kind: str, data: Any) -> None:
        if not isinstance(data, Mapping):
            raise RecordError(f"{kind}: expected an object, got {type(data).__name__}")
        self.kind = kind
        self.data = data

    def _get(self, name: str, default: Any) -> Any:
        if name in self.data:
            return self.data[name]
        if default is _REQUIRED:
            raise RecordError(f"{self.kind}.{name}: missing")
        return default

    def _bad(self, name: str, expected: str, value: Any) -> RecordError:
        return RecordError(f"{self.kind}.{name}: expected {expected}, got {value!r}")

    def int(self, name: str, default: Any = _REQUIRED) -> Any:
        value = self._get(name, default)
        if value is None and default is not _REQUIRED:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(name, "an integer", value)
        return value

    def number(self, name: str, default: Any = None) -> float | None:
        value = self._get(name, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._bad(name, "a number", value)
        return float(value)

    def str(self, name: str, default: Any = _REQUIRED) -> Any:
        value = self._get(name, default)
        if value is None and default is not _REQUIRED:
            return default
        if not isinstance(value, str):
            raise self._bad(name, "text", value)
        return value

    def bool(self, name: str, default: bool = False) -> bool:
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise self._bad(name, "true or false", value)
        return value

    def time(self, name: str) -> dt.datetime | None:
        value = self._get(name, None)
        try:
            return timefmt.parse_iso(value)
        except ValueError:
            raise self._bad(name, "an ISO 8601 time", value) from None

    def strs(self, name: str) -> tuple[str, ...]:
        value = self._get(name, None) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._bad(name, "a list of text", value)
        return tuple(value)

    def records(self, name: str, parse: Any) -> tuple[Any, ...]:
        value = self._get(name, None) or []
        if not isinstance(value, list):
            raise self._bad(name, "a list", value)
        return tuple(parse(item) for item in value)

    def record(self, name: str, parse: Any) -> Any:
        value = self._get(name, None)
        return None if value is None else parse(value)


@dataclass(frozen=True)
class Ticket:
    """A queue ticket (the hub's Ticket view)."""

    id: int
    number: str
    service: str
    state: str  # waiting, called, serving, done, no_show, cancelled
    counter: int | None = None  # the counter serving it, or the one a waiting ticket is sent to
    counter_name: str = ""
    service_name_vi: str = ""
    service_name_en: str = ""
    priority: bool = False
    priority_reason: str | None = None
    issued_at: dt.datetime | None = None
    called_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    ahead: int | None = None
    estimated_wait_s: float | None = None
    day: str = ""
    recalls: int = 0
    token: str = ""  # only in the issuing answer and the ticket's own status
    status_url: str = ""
    offline: bool = False  # issued by a kiosk from its block while it could not reach the hub

    @classmethod
    def from_wire(cls, data: Any) -> Ticket:
        """Parse a Ticket view; raises :class:`RecordError` for a malformed one."""
        f = _Fields("ticket", data)
        return cls(
            id=f.int("id"),
            number=f.str("number"),
            service=f.str("service"),
            state=f.str("state"),
            counter=f.int("counter", None),
            counter_name=f.str("counter_name", ""),
            service_name_vi=f.str("service_name_vi", ""),
            service_name_en=f.str("service_name_en", ""),
            priority=f.bool("priority"),
            priority_reason=f.str("priority_reason", None),
            issued_at=f.time("issued_at"),
            called_at=f.time("called_at"),
            started_at=f.time("started_at"),
            finished_at=f.time("finished_at"),
            ahead=f.int("ahead", None),
            estimated_wait_s=f.number("estimated_wait_s"),
            day=f.str("day", ""),
            recalls=f.int("recalls", 0),
            token=f.str("token", ""),
            status_url=f.str("status_url", ""),
        )

    def service_name(self, language: str) -> str:
        """The service's name in ``language`` (Vietnamese when it has none in that language)."""
        return (self.service_name_en if language == "en" else "") or self.service_name_vi


@dataclass(frozen=True)
class Service:
    """A service and its line (the hub's Service view)."""

    code: str
    name_vi: str = ""
    name_en: str = ""
    prefix: str = ""
    state: str = ""  # open, closed, full ("" when the hub did not say)
    waiting: int = 0
    estimated_wait_s: float | None = None
    issued_today: int = 0
    daily_limit: int | None = None
    opens_at: str = ""
    closes_at: str = ""
    oldest_issued_at: dt.datetime | None = None  # when the hub says how long the line has waited

    @classmethod
    def from_wire(cls, data: Any) -> Service:
        """Parse a Service view; raises :class:`RecordError` for a malformed one."""
        f = _Fields("service", data)
        return cls(
            code=f.str("code"),
            name_vi=f.str("name_vi", ""),
            name_en=f.str("name_en", ""),
            prefix=f.str("prefix", ""),
            state=f.str("state", ""),
            waiting=f.int("waiting", 0),
            estimated_wait_s=f.number("estimated_wait_s"),
            issued_today=f.int("issued_today", 0),
            daily_limit=f.int("daily_limit", None),
            opens_at=f.str("opens_at", ""),
            closes_at=f.str("closes_at", ""),
            oldest_issued_at=f.time("oldest_issued_at"),
        )

    def name(self, language: str) -> str:
        """The name in ``language``, else the Vietnamese name, else the code."""
        return (self.name_en if language == "en" else "") or self.name_vi or self.code


@dataclass(frozen=True)
class Counter:
    """A counter, its clerk and the ticket at it (the hub's Counter view)."""

    number: int
    name: str = ""
    state: str = "closed"  # open, paused, closed
    services: tuple[str, ...] = ()  # in the counter's order of preference
    clerk: str = ""
    current: Ticket | None = None

    @classmethod
    def from_wire(cls, data: Any) -> Counter:
        """Parse a Counter view; raises :class:`RecordError` for a malformed one."""
        f = _Fields("counter", data)
        return cls(
            number=f.int("number"),
            name=f.str("name", ""),
            state=f.str("state", "closed"),
            services=f.strs("services"),
            clerk=f.str("clerk", ""),
            current=f.record("current", Ticket.from_wire),
        )


@dataclass(frozen=True)
class Notice:
    """The notice shown on displays and kiosks, in both languages."""

    text_vi: str = ""
    text_en: str = ""

    @classmethod
    def from_wire(cls, data: Any) -> Notice:
        """Parse a notice; raises :class:`RecordError` for a malformed one."""
        f = _Fields("notice", data)
        return cls(f.str("text_vi", ""), f.str("text_en", ""))


@dataclass(frozen=True)
class Alert:
    """Something staff should look at (a kiosk's printer out of paper, a device silent), as
    the hub words it in both languages (the hub's Alert view)."""

    code: str
    level: str = "warning"  # "danger" (act now) or "warning"
    device: str = ""  # the device's name, "" for the hub's own alerts
    text_vi: str = ""
    text_en: str = ""

    @classmethod
    def from_wire(cls, data: Any) -> Alert:
        """Parse an Alert view; raises :class:`RecordError` for a malformed one."""
        f = _Fields("alert", data)
        return cls(
            code=f.str("code"),
            level=f.str("level", "warning"),
            device=f.str("device", ""),
            text_vi=f.str("text_vi", ""),
            text_en=f.str("text_en", ""),
        )


def _alerts(f: _Fields) -> tuple[Alert, ...] | None:
    """The ``alerts`` list when the record carries one (an empty list clears them), else None."""
    return f.records("alerts", Alert.from_wire) if "alerts" in f.data else None


@dataclass(frozen=True)
class Snapshot:
    """``GET /api/v1/state``: the office at one moment, and the event id it follows on from."""

    day: str
    services: tuple[Service, ...]
    counters: tuple[Counter, ...]
    last_event_id: int
    notice: Notice = Notice()
    recent_calls: tuple[Ticket, ...] = ()  # newest first
    alerts: tuple[Alert, ...] = ()

    @classmethod
    def from_wire(cls, data: Any) -> Snapshot:
        """Parse the state answer; raises :class:`RecordError` for a malformed one."""
        f = _Fields("state", data)
        return cls(
            day=f.str("day", ""),
            services=f.records("services", Service.from_wire),
            counters=f.records("counters", Counter.from_wire),
            last_event_id=f.int("last_event_id", 0) or 0,
            notice=f.record("notice", Notice.from_wire) or Notice(),
            recent_calls=f.records("recent_calls", Ticket.from_wire),
            alerts=_alerts(f) or (),
        )


@dataclass(frozen=True)
class Event:
    """One event from the hub's stream, its payload typed (hub/API.md "Events")."""

    id: int
    type: str  # e.g. "ticket.called"; the topic is the part before the dot
    at: dt.datetime | None = None
    ticket: Ticket | None = None
    counter: Counter | None = None
    services: tuple[Service, ...] = ()
    reason: str = ""  # counter.updated: pause, resume, clerk_in, clerk_out
    day: str = ""
    notice: Notice | None = None
    alerts: tuple[Alert, ...] | None = None  # alert.changed: every active alert

    @classmethod
    def from_wire(cls, event_id: int, event_type: str, data: Any) -> Event:
        """Parse one event's payload; raises :class:`RecordError` for a malformed one."""
        f = _Fields(event_type, data)
        return cls(
            id=event_id,
            type=event_type,
            at=f.time("at"),
            ticket=f.record("ticket", Ticket.from_wire),
            counter=f.record("counter", Counter.from_wire),
            services=f.records("services", Service.from_wire),
            reason=f.str("reason", ""),
            day=f.str("day", ""),
            notice=f.record("notice", Notice.from_wire),
            alerts=_alerts(f),
        )

    @property
    def topic(self) -> str:
        """``ticket``, ``counter``, ``day``, ``notice``, ``rating`` or ``alert``."""
        return self.type.partition(".")[0]
