"""The procedures this office handles, as stored: its level, fields and single procedures (set
in the console, in ``catalogue_settings`` under ``office``), and the default before it is set."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from hub.catalogue.ranking import Office

# What a commune office (the most common one-stop desk) handles; an office sets its own.
DEFAULT_OFFICE = Office(
    "Cấp xã",
    frozenset({
        "Hộ tịch", "Chứng thực", "Đất đai", "Hoạt động xây dựng", "Đăng ký, quản lý cư trú",
        "Cấp, quản lý căn cước", "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)",
        "Thực hiện chính sách BHXH", "Giảm nghèo", "Nuôi con nuôi",
    }),
)  # fmt: skip


def read_office(conn: Any) -> Office:
    """This office's procedures, or :data:`DEFAULT_OFFICE` before the console set them."""
    row = conn.execute("SELECT value FROM catalogue_settings WHERE key = 'office'").fetchone()
    if row is None:
        return DEFAULT_OFFICE
    value = json.loads(row[0])
    return Office(
        str(value.get("level", "")),
        frozenset(value.get("fields", [])),
        frozenset(value.get("codes", [])),
    )


def write_office(conn: Any, level: str, fields: Iterable[str], codes: Iterable[str] = ()) -> None:
    """Store this office's level, fields and single procedures (see :class:`Office`)."""
    value = json.dumps(
        {"level": level, "fields": sorted(fields), "codes": sorted(codes)}, ensure_ascii=False
    )
    conn.execute(
        "INSERT INTO catalogue_settings (key, value) VALUES ('office', ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (value,),
    )
