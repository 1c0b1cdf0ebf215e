"""Deterministic make-believe for the back-end simulator: dossiers that move through statuses.

Given a seed and an anchor day, every dossier's whole life (received, steps, supplements, fees,
finish, hand-over) is fixed in advance as a list of timed transitions; what the simulator serves
at any moment is the part of that life that has already happened. So the same seed gives the
same codes and the same answers at the same time, and dossiers keep moving while a demo runs.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gzip
import json
import random
import re
import time
import zlib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from hub.upstream.mapping import PROCEDURE_FIELDS

ZONE_NAME = "Asia/Ho_Chi_Minh"
UTC_PLUS_7 = 7 * 3600
DAY_FORMAT = "%Y%m%d%H%M%S"

# (agency code, receiving unit, processing unit, sequence digits)
AGENCIES = [
    ("H21.22", "Bộ phận Một cửa Sở Tư pháp", "Phòng Hành chính tư pháp", 4),
    ("H21.25", "Bộ phận Một cửa Sở Xây dựng", "Phòng Quản lý xây dựng", 4),
    ("H21.40.3", "Bộ phận Một cửa UBND phường Hội Thương", "Công chức Tư pháp - Hộ tịch", 4),
    ("000.00.21.H21", "Trung tâm Phục vụ hành chính công tỉnh Gia Lai", "Sở chuyên ngành", 4),
    ("000.00.00.G09", "Bộ phận Một cửa Bộ Xây dựng", "Cục Quản lý hoạt động xây dựng", 6),
]
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Ngọc",
    "Thanh",
    "Quang",
    "Xuân",
    "Thu",
    "Kim",
    "Công",
]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hương",
    "Khoa",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
    "Đạt",
    "Đông",
    "Hiếu",
    "Hùng",
    "Nhung",
    "Oanh",
    "Phương",
    "Thắng",
]
JARAI = ["Rơ Châm H'Hen", "Ksor Y Ly", "Siu H'Bia", "Rơ Mah Phong", "Kpă H'Yên", "Nay Y Blang"]
STEP_NAMES = {
    1: "Đăng ký hồ sơ trực tuyến",
    2: "Tiếp nhận hồ sơ",
    3: "Từ chối tiếp nhận hồ sơ",
    4: "Thẩm định, xử lý hồ sơ",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Thông báo nghĩa vụ tài chính",
    7: "Rút hồ sơ theo yêu cầu",
    8: "Dừng xử lý hồ sơ",
    9: "Phê duyệt, ký kết quả",
    10: "Trả kết quả",
}
_DAYS = re.compile(r"(\d{1,3})\s*[Nn]gày")


@dataclass
class SimDossier:
    """One dossier's fixed life: who, what, when, and its timed status transitions."""

    code: str
    procedure: dict[str, Any]
    applicant: str
    channel: int
    received: dt.datetime
    due: dt.datetime
    agency: tuple[str, str, str, int]
    transitions: list[tuple[float, int]] = field(default_factory=list)  # (unix time, status)

    def status_at(self, now: float) -> int | None:
        """The status at ``now``; None before the dossier exists."""
        index = bisect.bisect_right([t for t, _ in self.transitions], now)
        return self.transitions[index - 1][1] if index else None

    def portal_record(self, now: float) -> dict[str, Any] | None:
        """The dossier as the back end would send it at ``now`` (portal field names)."""
        past = [(t, s) for t, s in self.transitions if t <= now]
        if not past:
            return None

        def day(ts: float | None) -> str:
            # Vietnam keeps UTC+7 all year: plain arithmetic, much faster than a zone lookup.
            return "" if ts is None else time.strftime(DAY_FORMAT, time.gmtime(ts + UTC_PLUS_7))

        when = {status: t for t, status in past}
        steps = []
        for index, (t, status) in enumerate(past):
            end = past[index + 1][0] if index + 1 < len(past) else None
            unit = self.agency[1] if status in (1, 2, 3, 10) else self.agency[2]
            steps.append(
                {
                    "TenBuocXuLy": STEP_NAMES[status],
                    "DonViXuLy": unit,
                    "NgayBatDau": day(t),
                    "NgayKetThuc": day(end),
                }
            )
        finished = when.get(9)
        return {
            "MaHoSo": self.code,
            "MaTTHC": self.procedure["code"],
            "TenTTHC": self.procedure["name"],
            "TrangThaiHoSo": past[-1][1],
            "NgayTiepNhan": self.received.strftime(DAY_FORMAT),
            "NgayHenTra": self.due.strftime(DAY_FORMAT),
            "NgayKetThucXuLy": day(finished),
            "NgayTra": day(when.get(10)),
            "KenhThucHien": self.channel,
            "ChuHoSo": self.applicant,
            # What real back ends also send and the hub must never keep or show:
            "SoGiayToChuHoSo": f"0{52000000000 + zlib.crc32(self.code.encode()) % 999999999:011d}",
            "SoDienThoai": f"09{zlib.crc32(self.code.encode()[::-1]) % 100000000:08d}",
            "DiaChi": "Tổ 3, phường Hội Thương, tỉnh Gia Lai",
            "QuaTrinhXuLy": steps,
        }


def bundled_procedures() -> list[dict[str, Any]]:
    """The 1,601 real procedures shipped with the hub (hub/upstream/data), in the hub's names."""
    data = resources.files("hub.upstream") / "data" / "procedures.json.gz"
    return json.loads(gzip.decompress(data.read_bytes()).decode("utf-8"))


def to_portal(procedure: dict[str, Any]) -> dict[str, Any]:
    """A procedure in the portal's field names."""
    return {portal: procedure.get(own, "") for own, portal in PROCEDURE_FIELDS.items()}


def working_days_after(start: dt.datetime, days: int) -> dt.datetime:
    """``days`` working days (Monday-Friday) after ``start``, at 17:00."""
    moment = start
    while days > 0:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment.replace(hour=17, minute=0, second=0)


class World:
    """Every simulated dossier, plus the sorted transitions that the change feed walks."""

    def __init__(self, seed: int, count: int, anchor: dt.datetime, days: int = 45) -> None:
        self.seed = seed
        self.anchor = anchor
        rng = random.Random(seed)
        catalogue = bundled_procedures()
        self.procedures = catalogue
        local = [p for p in catalogue if "Cấp tỉnh" in p["level"] or "Cấp xã" in p["level"]]
        self.dossiers: dict[str, SimDossier] = {}
        sequences: dict[tuple[str, str], int] = {}
        for _ in range(count):
            agency = rng.choice(AGENCIES)
            received = self._received(rng, days)
            key = (agency[0], received.strftime("%y%m%d"))
            sequences[key] = sequences.get(key, 0) + rng.randint(1, 3)
            code = f"{agency[0]}-{key[1]}-{sequences[key]:0{agency[3]}d}"
            procedure = rng.choice(local)
            found = _DAYS.search(procedure["processing_time"] or "")
            allowed = max(1, min(int(found.group(1)), 60)) if found else rng.choice([3, 5, 10, 15])
            dossier = SimDossier(
                code=code,
                procedure=procedure,
                applicant=self._name(rng),
                channel=rng.choices([1, 2, 3], weights=[6, 3, 1])[0],
                received=received,
                due=working_days_after(received, allowed),
                agency=agency,
            )
            dossier.transitions = self._life(rng, dossier)
            self.dossiers[code] = dossier
        self.feed = sorted((t, code) for code, d in self.dossiers.items() for t, _ in d.transitions)

    def _received(self, rng: random.Random, days: int) -> dt.datetime:
        while True:
            day = self.anchor - dt.timedelta(days=rng.randint(0, days))
            if day.weekday() < 5:
                minutes = rng.randint(7 * 60 + 30, 16 * 60 + 30)
                return day.replace(
                    hour=minutes // 60, minute=minutes % 60, second=rng.randint(0, 59)
                )

    def _name(self, rng: random.Random) -> str:
        if rng.random() < 0.1:
            return rng.choice(JARAI)
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    def _life(self, rng: random.Random, d: SimDossier) -> list[tuple[float, int]]:
        start = d.received.timestamp()
        span = max(3600.0, d.due.timestamp() - start)
        life = [(start, 1)] if d.channel == 2 else []
        accepted = start + (rng.uniform(600, 7200) if d.channel == 2 else 0)
        kind = rng.choices(
            ["normal", "late", "supplement", "fees", "rejected", "withdrawn", "stopped"],
            weights=[52, 14, 14, 8, 4, 4, 4],
        )[0]
        if kind == "rejected":
            return [*life, (accepted, 3)] if life else [(start, 2), (start + 1800, 3)]
        life += [(accepted, 2), (accepted + rng.uniform(1800, 14400), 4)]
        at = life[-1][0]
        if kind in ("withdrawn", "stopped"):
            return [*life, (at + span * rng.uniform(0.2, 0.7), 7 if kind == "withdrawn" else 8)]
        if kind in ("supplement", "fees"):
            paused = at + span * rng.uniform(0.1, 0.4)
            life += [(paused, 5 if kind == "supplement" else 6)]
            life += [(paused + rng.uniform(1, 5) * 86400, 4)]
        share = rng.uniform(1.05, 1.8) if kind == "late" else rng.uniform(0.35, 0.98)
        finished = max(life[-1][0] + 3600, start + span * share)
        life += [(finished, 9), (finished + rng.uniform(0.1, 4) * 86400, 10)]
        return life

    def samples(self, now: float) -> list[dict[str, Any]]:
        """A few codes worth typing in a demo, one per interesting state at ``now``."""
        wanted = [
            ("processing on time", lambda d, s: s == 4 and d.due.timestamp() > now),
            ("overdue", lambda d, s: s == 4 and d.due.timestamp() < now),
            ("documents requested", lambda d, s: s == 5),
            ("fees to pay", lambda d, s: s == 6),
            ("ready to collect", lambda d, s: s == 9),
            ("returned", lambda d, s: s == 10),
        ]
        found = []
        for label, test in wanted:
            # Provincial codes first: they are what a Gia Lai demo user expects to type.
            for code in sorted(self.dossiers, key=lambda c: (not c.startswith("H"), c)):
                dossier = self.dossiers[code]
                if test(dossier, dossier.status_at(now)):
                    found.append({"code": code, "what": label, "status": dossier.status_at(now)})
                    break
        return found

    def changes(self, cursor: str, limit: int, now: float) -> tuple[list[dict], str, bool]:
        """(records, next cursor, more) of dossiers whose latest change up to ``now`` is after
        ``cursor`` (``"{unix time}:{code}"``, or "" for the start)."""
        start = 0
        if cursor:
            stamp, _, code = cursor.partition(":")
            start = bisect.bisect_right(self.feed, (float(stamp), code))
        items, index = [], start
        while index < len(self.feed) and len(items) < limit:
            t, code = self.feed[index]
            if t > now:
                break
            dossier = self.dossiers[code]
            later = [x for x, _ in dossier.transitions if t < x <= now]
            if not later:  # only its latest change up to now is sent
                items.append(dossier.portal_record(now))
            index += 1
        if index == start:
            return items, cursor, False
        last_t, last_code = self.feed[index - 1]
        more = index < len(self.feed) and self.feed[index][0] <= now
        return items, f"{last_t!r}:{last_code}", more
