"""What citizens type, what it is taken to mean, and the reply's words (through the catalog)."""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from typing import Any

import pytest

from hub import db
from hub.dossiers.cache import DossierCache
from hub.dossiers.lookup import LookupService
from hub.sms import messages, pdu
from hub.upstream.mapping import Mapping
from motcua.i18n import Translator

CODE = "H21.22-261019-0004"
TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
translator = Translator(["hub"], "vi")


def vi(msgid: str, **values: object) -> str:
    return translator.gettext(msgid, **values)


@pytest.mark.parametrize(
    "typed",
    [f"HS {CODE}", f"hs {CODE.lower()}", f"  HS   {CODE}  ", f"TRACUU {CODE}", f"Tra cứu {CODE}",
     f"TRA CUU: {CODE}", f"Hồ sơ {CODE}", f"HS{CODE}", f"hs:{CODE}", CODE, CODE.lower(),
     "H21.22 - 261019 - 0004", f"https://dichvucong.gialai.gov.vn/tra-cuu?ma={CODE}",
     f"HS https://motcua.example.vn/ho-so/{CODE}", f"HS {CODE.replace('-', '–')}",
     f"ＨＳ {CODE}"],
)  # fmt: skip
def test_every_way_of_asking_for_a_dossier_finds_its_code(typed: str) -> None:
    assert messages.parse(typed) == messages.Request("dossier", CODE)


def test_older_code_layout_is_accepted() -> None:
    assert messages.parse("HS 000.00.12.H21-241105-0012").value == "000.00.12.H21-241105-0012"


@pytest.mark.parametrize(
    ("typed", "number"),
    [("STT A012", "A012"), ("stt a12", "A12"), ("STT  a 12", "A12"), ("STT 1001", "1001"),
     ("Số TT B3", "B3"), ("stt: c007", "C007")],
)  # fmt: skip
def test_ticket_position_requests(typed: str, number: str) -> None:
    assert messages.parse(typed) == messages.Request("ticket", number)


@pytest.mark.parametrize("typed", ["HD", "hd", "help", "Hướng dẫn", "?", "", "   "])
def test_help_requests(typed: str) -> None:
    assert messages.parse(typed).kind == "help"


def test_a_keyword_with_a_wrong_code_says_what_is_wrong_and_anything_else_gets_help() -> None:
    bad = messages.parse("HS 1234")
    assert bad.kind == "bad_code" and bad.value == "1234" and "three parts" in bad.error
    assert messages.parse("xin chào, cho hỏi hồ sơ của tôi").kind in ("unknown", "bad_code")
    assert messages.parse("Alo").kind == "unknown"
    reply = messages.bad_code_reply("1234", vi)
    assert reply == f'"1234" không phải mã hồ sơ. Ví dụ: HS {CODE}'


def lookup_answer(tmp_path: Path, **record: Any) -> dict[str, Any]:
    """The public lookup API's body for a dossier with personal data in its source record."""
    portal = {
        "MaHoSo": CODE, "MaTTHC": "1.001612", "TenTTHC": "Cấp giấy phép xây dựng",
        "TrangThaiHoSo": 4, "NgayTiepNhan": "20191026083000", "NgayHenTra": "20191028170000",
        "KenhThucHien": 1, "ChuHoSo": "Nguyễn Văn An", "SoGiayToChuHoSo": "052090001234",
        "SoDienThoai": "0905123456", "DiaChi": "12 Trần Hưng Đạo, Pleiku",
    }  # fmt: skip
    portal.update(record)
    store = db.Store(tmp_path / "hub.sqlite3")
    db.migrate(store.conn())
    cache = DossierCache(store)
    cache.put_many([Mapping().clean_dossier(portal)], source="sync")
    try:
        return LookupService(cache, None, TZ).lookup(CODE)
    finally:
        store.close()


def test_dossier_reply_gives_status_date_timeliness_and_next_step_and_no_personal_data(
    tmp_path: Path,
) -> None:
    reply = messages.dossier_reply(lookup_answer(tmp_path), vi)
    assert reply == (
        f"Hồ sơ {CODE}: Đang xử lý. Hẹn trả 28/10/2019 (Quá hạn). "
        "Hồ sơ đang được xử lý. Vui lòng chờ đến ngày hẹn trả."
    )
    # Not even the masked name the kiosk shows ("Nguyễn V** A*"): anyone with the code can text.
    for private in ("Nguyễn", "V**", "052090001234", "0905123456", "Trần Hưng Đạo", "Pleiku"):
        assert private not in reply
    english = messages.dossier_reply(lookup_answer(tmp_path), lambda m, **v: m.format(**v), "en")
    assert english.startswith(f"Dossier {CODE}: Being processed. Appointment date 28/10/2019")


def test_finished_dossier_and_a_stale_answer_say_so(tmp_path: Path) -> None:
    answer = lookup_answer(tmp_path, TrangThaiHoSo=9, NgayKetThucXuLy="20191027100000")
    answer["freshness"]["stale"] = True
    reply = messages.dossier_reply(answer, vi)
    assert "Đã xử lý xong" in reply and "(Trước hạn)" in reply
    assert "đến quầy trả kết quả" in reply
    assert "Thông tin lúc" in reply


def test_ticket_replies() -> None:
    waiting = {"number": "A012", "state": "waiting", "ahead": 3, "estimated_wait_s": 900}
    assert messages.ticket_reply("A12", waiting, vi) == (
        "Số A012: còn 3 người trước bạn, chờ khoảng 15 phút."
    )
    assert messages.ticket_reply("A12", {**waiting, "ahead": 0}, vi) == (
        "Số A012: bạn là người tiếp theo."
    )
    called = {"number": "A012", "state": "called", "counter": 2, "counter_name": "Quầy 2"}
    assert messages.ticket_reply("A12", called, vi) == "Số A012: mời bạn đến Quầy 2."
    assert messages.ticket_reply("A99", None, vi) == "Hôm nay không có số A99."
    for state, words in (("done", "đã được phục vụ"), ("no_show", "lỡ lượt"),
                         ("cancelled", "huỷ")):  # fmt: skip
        assert words in messages.ticket_reply("A1", {"number": "A001", "state": state}, vi)


def test_every_reply_text_is_translated() -> None:
    assert translator.missing(messages.TEXTS) == []


def test_unaccented_reply_fits_one_gsm_message_where_ucs2_needs_two() -> None:
    text = (
        f"Hồ sơ {CODE}: Đang xử lý. Hẹn trả 28/10/2019 (Quá hạn). "
        "Hồ sơ đang được xử lý. Vui lòng chờ đến ngày hẹn trả."
    )
    plain = messages.unaccented(text)
    assert plain == (
        f"Ho so {CODE}: Dang xu ly. Hen tra 28/10/2019 (Qua han). "
        "Ho so dang duoc xu ly. Vui long cho den ngay hen tra."
    )
    assert pdu.choose_alphabet(plain) == pdu.GSM7
    assert len(pdu.encode_submit("0912345678", plain)) == 1
    assert len(pdu.encode_submit("0912345678", text)) == 2
    assert messages.unaccented("“Đ” – ₫ …") == '"D" - ? ...'


def test_help_reply_names_both_services() -> None:
    reply = messages.help_reply(vi)
    assert f"HS {CODE}" in reply and "STT A012" in reply
