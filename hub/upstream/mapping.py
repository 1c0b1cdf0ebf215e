"""From the back end's field names to the hub's clean records, refusing what does not fit.

The default mapping speaks the national portal's names (MaHoSo, MaTTHC, TenTTHC, TrangThaiHoSo,
NgayTiepNhan, NgayHenTra, NgayKetThucXuLy, NgayTra, KenhThucHien, ChuHoSo, QuaTrinhXuLy; dates
as ``yyyyMMddHHmmss`` in the agency's local time). A TOML file can rename any of them.

Cleaning is where "nothing upstream sends can corrupt the cache" is kept: only mapped fields are
read, each must have the right type and a sane length, text is NFC without control characters,
the applicant's name is masked here (the hub never stores it whole) and every other personal
field the back end may send (ID numbers, phones, addresses) is simply never read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.digits import is_digits, parse_digits
from hub.dossiers.codes import InvalidCode, normalize_code
from hub.dossiers.status import mask_name

DOSSIER_FIELDS = {
    "code": "MaHoSo",
    "procedure_code": "MaTTHC",
    "procedure_name": "TenTTHC",
    "status": "TrangThaiHoSo",
    "received_at": "NgayTiepNhan",
    "due_at": "NgayHenTra",
    "finished_at": "NgayKetThucXuLy",
    "returned_at": "NgayTra",
    "channel": "KenhThucHien",
    "applicant": "ChuHoSo",
    "steps": "QuaTrinhXuLy",
}
STEP_FIELDS = {
    "name": "TenBuocXuLy",
    "unit": "DonViXuLy",
    "started_at": "NgayBatDau",
    "finished_at": "NgayKetThuc",
}
PROCEDURE_FIELDS = {
    "code": "MaTTHC",
    "name": "TenTTHC",
    "field": "LinhVuc",
    "level": "CapThucHien",
    "agency": "CoQuanThucHien",
    "processing_time": "ThoiHanGiaiQuyet",
    "fees": "PhiLePhi",
    "documents": "ThanhPhanHoSo",
    "steps": "TrinhTuThucHien",
    "channels": "CachThucThucHien",
    "legal_basis": "CanCuPhapLy",
    "forms": "MauDonToKhai",
    "source_url": "DuongDan",
}
CHANNELS = {"1": "in_person", "2": "online", "3": "post"}
PORTAL_DATE = "%Y%m%d%H%M%S"

MAX_TEXT = 4000
MAX_NAME = 1000
MAX_LIST = 300
MAX_STEPS = 60
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_PROCEDURE_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,39}$")
# A template file named inside a document's text: "….Mẫu số 29.docx (1 bản chính)".
_FORM_EXTENSION = re.compile(r"\.(docx?|xlsx?|pdf|odt)(?![a-z])", re.IGNORECASE)


class BadRecord(ValueError):
    """One record from the back end cannot be used; the message says why."""


def form_files(text: str) -> Iterator[tuple[str, str]]:
    """(name, extension) of each template file named in ``text``: the name is up to 80
    characters before the extension, none of them ``. ; : / \\``.

    What ``re.finditer(r"([^.;:/\\]{1,80})\\.(docx?|xlsx?|pdf|odt)(?![a-z])", text, re.I)``
    finds, found from the extensions backwards: that pattern tries up to 80 characters at every
    position of a document's text: almost half of a catalogue import's time.
    """
    start = 0  # where the previous file's name ended
    for found in _FORM_EXTENSION.finditer(text):
        dot = found.start()
        begin = max(start, dot - 80)
        begin = max(begin, *(text.rfind(mark, begin, dot) + 1 for mark in ".;:/\\"))
        if begin < dot:
            yield text[begin:dot], found.group(1)
            start = found.end()


@dataclass(frozen=True)
class Mapping:
    """Endpoints, envelope keys and field names of one back end."""

    lookup_path: str = "/api/hoso/{code}"
    changes_path: str = "/api/hoso/thay-doi?cursor={cursor}&limit={limit}"
    procedures_path: str = "/api/tthc?cursor={cursor}&limit={limit}"
    page_size: int = 500
    data_key: str = "data"
    cursor_key: str = "next_cursor"
    more_key: str = "has_more"
    date_format: str = PORTAL_DATE
    timezone: str = "Asia/Ho_Chi_Minh"
    dossier: dict[str, str] = field(default_factory=lambda: dict(DOSSIER_FIELDS))
    step: dict[str, str] = field(default_factory=lambda: dict(STEP_FIELDS))
    procedure: dict[str, str] = field(default_factory=lambda: dict(PROCEDURE_FIELDS))
    channels: dict[str, str] = field(default_factory=lambda: dict(CHANNELS))

    @classmethod
    def load(cls, path: Path) -> Mapping:
        """A mapping from a TOML file: top-level keys as above, tables rename fields."""
        with Path(path).open("rb") as handle:
            table = tomllib.load(handle)
        base = cls()
        known = {f.name for f in dataclasses.fields(cls)}
        changes: dict[str, Any] = {}
        for key, value in table.items():
            if key not in known:
                raise ValueError(f"mapping file {path}: unknown key {key!r}")
            default = getattr(base, key)
            if isinstance(default, dict):
                if not isinstance(value, dict) or not all(
                    isinstance(v, str) for v in value.values()
                ):
                    raise ValueError(f"mapping file {path}: [{key}] must map names to text")
                unknown = set(value) - set(default) if key != "channels" else set()
                if unknown:
                    raise ValueError(f"mapping file {path}: [{key}] has unknown {sorted(unknown)}")
                value = {**default, **value}
            elif not isinstance(value, type(default)):
                raise ValueError(f"mapping file {path}: {key} must be {type(default).__name__}")
            changes[key] = value
        return dataclasses.replace(base, **changes)

    @property
    def zone(self) -> dt.tzinfo:
        """The back end's local time zone (its dates carry no offset)."""
        import zoneinfo

        return zoneinfo.ZoneInfo(self.timezone)

    def clean_dossier(self, raw: Any, zone: dt.tzinfo | None = None) -> dict[str, Any]:
        """A clean dossier record from one back-end object, or :class:`BadRecord`."""
        if not isinstance(raw, dict):
            raise BadRecord(f"a dossier must be an object, not {type(raw).__name__}")
        zone = zone or self.zone
        names = self.dossier
        code = raw.get(names["code"])
        if not isinstance(code, str):
            raise BadRecord(f"{names['code']} must be text")
        try:
            code = normalize_code(code)
        except InvalidCode as exc:
            raise BadRecord(f"{names['code']}: {exc}") from None
        status = _status(raw.get(names["status"]))
        if status is None:
            raise BadRecord(f"{names['status']} must be a number from 1 to 10")
        steps_raw = raw.get(names["steps"])
        steps = []
        if isinstance(steps_raw, list):
            for item in steps_raw[:MAX_STEPS]:
                if isinstance(item, dict):
                    steps.append(
                        {
                            "name": text(item.get(self.step["name"]), 300),
                            "unit": text(item.get(self.step["unit"]), 300),
                            "started_at": self.date(item.get(self.step["started_at"]), zone),
                            "finished_at": self.date(item.get(self.step["finished_at"]), zone),
                        }
                    )
        channel = raw.get(names["channel"])
        return {
            "code": code,
            "procedure_code": text(raw.get(names["procedure_code"]), 40),
            "procedure_name": text(raw.get(names["procedure_name"]), MAX_NAME),
            "applicant_masked": mask_name(text(raw.get(names["applicant"]), 200)),
            "received_at": self.date(raw.get(names["received_at"]), zone),
            "due_at": self.date(raw.get(names["due_at"]), zone),
            "finished_at": self.date(raw.get(names["finished_at"]), zone),
            "returned_at": self.date(raw.get(names["returned_at"]), zone),
            "status": status,
            "channel": self.channels.get(str(channel)) if isinstance(channel, int | str) else None,
            "steps": steps,
        }

    def clean_procedure(self, raw: Any) -> dict[str, Any]:
        """A clean procedure record from one back-end (or file) object, or :class:`BadRecord`."""
        if not isinstance(raw, dict):
            raise BadRecord(f"a procedure must be an object, not {type(raw).__name__}")
        names = self.procedure
        code = raw.get(names["code"])
        if not isinstance(code, str) or not _PROCEDURE_CODE.match(code.strip()):
            raise BadRecord(f"{names['code']} must be a procedure code such as 1.000123")
        name = text(raw.get(names["name"]), MAX_NAME)
        if not name:
            raise BadRecord(f"{names['name']} must be non-empty text")
        record: dict[str, Any] = {"code": code.strip(), "name": name}
        for key in ("field", "level", "agency", "processing_time", "fees", "source_url"):
            record[key] = text(raw.get(names[key]), MAX_TEXT) or ""
        for key in ("documents", "steps", "channels", "legal_basis", "forms"):
            record[key] = text_list(raw.get(names[key]))
        if not record["forms"]:
            # The portal names template files at the end of a document's text.
            found = (f for d in record["documents"] for f in form_files(d))
            names = (f"{stem.strip()}.{extension}" for stem, extension in found)
            record["forms"] = list(dict.fromkeys(n for n in names if len(n) > 5))
        return record

    def date(self, value: Any, zone: dt.tzinfo) -> str | None:
        """ISO 8601 with offset from the back end's date text; None if absent or unreadable."""
        if not isinstance(value, str) or not 8 <= len(value) <= 40:
            return None
        value = value.strip()
        try:
            if is_digits(value, 14) and len(value) == 14 and self.date_format == PORTAL_DATE:
                return _portal_date(value, zone)
            moment = self._parse_date(value)
        except ValueError:
            return None
        if moment is None:
            return None
        if not 1990 <= moment.year <= 2100:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment.isoformat(timespec="seconds")

    def _parse_date(self, value: str) -> dt.datetime | None:
        """The back end's format first, then the portal's date-only form, then ISO 8601."""
        for fmt in (self.date_format, "%Y%m%d"):
            try:
                return dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
        return dt.datetime.fromisoformat(value) if not value.isdigit() else None


_OFFSETS: dict[tuple[str, str], str] = {}


def _portal_date(value: str, zone: dt.tzinfo) -> str | None:
    """``yyyyMMddHHmmss`` local time as ISO 8601 with offset, without strptime.

    A full sync parses millions of these: strptime and a tz-aware isoformat per date would be
    most of its time. The constructor still refuses impossible dates; the zone's offset is
    looked up once per hour of local time.
    """
    moment = dt.datetime(
        int(value[:4]), int(value[4:6]), int(value[6:8]),
        int(value[8:10]), int(value[10:12]), int(value[12:]),
    )  # fmt: skip
    if not 1990 <= moment.year <= 2100:
        return None
    key = (value[:10], str(zone))
    offset = _OFFSETS.get(key)
    if offset is None:
        if len(_OFFSETS) > 100_000:
            _OFFSETS.clear()
        offset = _OFFSETS[key] = moment.replace(tzinfo=zone).isoformat()[19:]
    return (
        f"{value[:4]}-{value[4:6]}-{value[6:8]}T{value[8:10]}:{value[10:12]}:{value[12:]}{offset}"
    )


def text(value: Any, limit: int = MAX_TEXT) -> str | None:
    """NFC text without control characters, cut to ``limit``; None for anything not text."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    cleaned = unicodedata.normalize("NFC", str(value))
    if not cleaned.isprintable():  # a fast C check; the regex runs only on the rare rest
        cleaned = _CONTROL.sub("", cleaned.replace("\n", " ").replace("\t", " "))
    cleaned = cleaned.strip()
    return cleaned[:limit] or None


def text_list(value: Any) -> list[str]:
    """The text items of a list (others dropped), at most :data:`MAX_LIST` of them."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    items = (text(item) for item in value[:MAX_LIST] if isinstance(item, str))
    return [item for item in items if item]


def _status(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = parse_digits(value, max_len=2)
    if isinstance(value, int) and 1 <= value <= 10:
        return value
    return None
