"""One form of address and one word for the receipt in everything the kiosk says.

The citizen is "ông/bà" everywhere (the ticket screen used to say "bạn"); the paper the
one-stop desk hands over is the "giấy tiếp nhận" (its form is titled "Giấy tiếp nhận hồ sơ và
hẹn trả kết quả", Circular 01/2018/TT-VPCP under Decree 61/2018), never "giấy biên nhận".
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[2] / "kiosk" / "locale" / "vi.po"


def vietnamese_texts() -> list[str]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    texts = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts.extend(s for s in strings if s)
    return texts


def test_the_citizen_is_ong_ba_everywhere():
    texts = vietnamese_texts()
    assert texts
    informal = [t for t in texts if re.search(r"\bbạn\b", t, re.IGNORECASE)]
    assert informal == []
    assert sum("ông/bà" in t.lower() for t in texts) >= 8


def test_the_receipt_has_one_name():
    texts = vietnamese_texts()
    assert [t for t in texts if "biên nhận" in t.lower()] == []
    assert sum("giấy tiếp nhận" in t.lower() for t in texts) >= 4
