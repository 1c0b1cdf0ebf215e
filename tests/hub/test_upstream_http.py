"""The HTTP pull adapter against a real HTTP server that misbehaves on purpose."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.config import HubConfig
from hub.testing import free_port
from hub.upstream.base import UpstreamBadData, UpstreamError, UpstreamTimeout
from hub.upstream.http import MAX_LOOKUP_BYTES, HttpAdapter
from hub.upstream.mapping import Mapping
from hub.upstream.testing import ScriptedBackEnd, drip, endless
from motcua.config import ConfigError, load

CODE = "H21.22-241105-0012"
PATH = f"/api/hoso/{CODE}"
CHANGES = "/api/hoso/thay-doi"


def portal(code: str = CODE, **fields: Any) -> dict[str, Any]:
    """A dossier as a back end sends it, with the personal fields real ones carry."""
    record = {
        "MaHoSo": code,
        "MaTTHC": "1.001612",
        "TenTTHC": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "TrangThaiHoSo": 4,
        "NgayTiepNhan": "20241105083000",
        "NgayHenTra": "20241120170000",
        "NgayKetThucXuLy": "",
        "NgayTra": "",
        "KenhThucHien": 1,
        "ChuHoSo": "Nguyễn Văn An",
        "SoGiayToChuHoSo": "052090001234",
        "SoDienThoai": "0905123456",
        "DiaChi": "12 Trần Hưng Đạo, Pleiku",
        "Email": "an@example.vn",
        "QuaTrinhXuLy": [
            {"TenBuocXuLy": "Tiếp nhận hồ sơ", "DonViXuLy": "Bộ phận Một cửa",
             "NgayBatDau": "20241105083000", "NgayKetThuc": "20241105100000"},
        ],
    }  # fmt: skip
    record.update(fields)
    return record


@pytest.fixture
def backend() -> Iterator[ScriptedBackEnd]:
    with ScriptedBackEnd() as server:
        yield server


@pytest.fixture
def adapter(backend: ScriptedBackEnd) -> HttpAdapter:
    return HttpAdapter(backend.url, timeout_s=0.5, page_timeout_s=1.0)


def test_lookup_maps_portal_fields_and_drops_personal_data(
    backend: ScriptedBackEnd, adapter: HttpAdapter
) -> None:
    backend.answer(PATH, 200, {"data": portal()})
    record = adapter.lookup(CODE)
    assert record is not None
    assert record["procedure_name"] == "Cấp giấy phép xây dựng nhà ở riêng lẻ"
    assert record["status"] == 4
    assert record["received_at"] == "2024-11-05T08:30:00+07:00"
    assert record["due_at"] == "2024-11-20T17:00:00+07:00"
    assert record["finished_at"] is None
    assert record["channel"] == "in_person"
    assert record["applicant_masked"] == "Nguyễn V** A*"
    assert record["steps"][0]["unit"] == "Bộ phận Một cửa"
    text = json.dumps(record, ensure_ascii=False)
    for secret in ("052090001234", "0905123456", "Trần Hưng Đạo", "example.vn", "Văn An"):
        assert secret not in text


def test_auth_header_is_sent(backend: ScriptedBackEnd) -> None:
    backend.answer(PATH, 200, {"data": portal()})
    HttpAdapter(backend.url, auth_header="Authorization: Bearer s3cret").lookup(CODE)
    assert backend.requests[-1][1]["Authorization"] == "Bearer s3cret"


def test_404_is_not_found(backend: ScriptedBackEnd, adapter: HttpAdapter) -> None:
    assert adapter.lookup(CODE) is None
    backend.answer(PATH, 200, {"data": None})
    assert adapter.lookup(CODE) is None


@pytest.mark.parametrize("status", [500, 502, 503, 401, 302])
def test_error_statuses_are_upstream_errors(
    backend: ScriptedBackEnd, adapter: HttpAdapter, status: int
) -> None:
    backend.answer(PATH, status, {"error": "x"})
    with pytest.raises(UpstreamError, match=str(status)):
        adapter.lookup(CODE)


def test_unreachable_back_end_is_an_upstream_error() -> None:
    with pytest.raises(UpstreamError, match="cannot reach"):
        HttpAdapter(f"http://127.0.0.1:{free_port()}", timeout_s=0.5).lookup(CODE)


def test_slow_answer_times_out_within_the_deadline(
    backend: ScriptedBackEnd, adapter: HttpAdapter
) -> None:
    backend.answer(PATH, 200, {"data": portal()}, delay_s=3)
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout):
        adapter.lookup(CODE)
    assert time.monotonic() - started < 1.0


def test_dripping_answer_cannot_hold_the_lookup(
    backend: ScriptedBackEnd, adapter: HttpAdapter
) -> None:
    backend.answer_with(PATH, drip(every_s=0.05))
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout):
        adapter.lookup(CODE)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00garbage",
        b"[" * 200_000,  # deep nesting: the parser's recursion limit, not a crash
        b'{"data": ' + b"9" * 5000 + b"}",  # an integer too long to convert
    ],
)
def test_malformed_json_is_bad_data(
    backend: ScriptedBackEnd, adapter: HttpAdapter, body: bytes
) -> None:
    backend.answer(PATH, 200, body)
    with pytest.raises(UpstreamBadData):
        adapter.lookup(CODE)


def test_huge_body_is_refused_by_its_length(backend: ScriptedBackEnd, adapter: HttpAdapter) -> None:
    backend.answer(PATH, 200, b'{"data": "' + b"x" * (MAX_LOOKUP_BYTES + 10) + b'"}')
    with pytest.raises(UpstreamBadData, match="too large"):
        adapter.lookup(CODE)


def test_endless_chunked_body_is_cut_off(backend: ScriptedBackEnd, adapter: HttpAdapter) -> None:
    backend.answer_with(PATH, endless())
    with pytest.raises(UpstreamBadData, match="larger than"):
        adapter.lookup(CODE)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"TrangThaiHoSo": "đang xử lý"}, "TrangThaiHoSo"),
        ({"TrangThaiHoSo": 11}, "TrangThaiHoSo"),
        ({"TrangThaiHoSo": True}, "TrangThaiHoSo"),
        ({"TrangThaiHoSo": None}, "TrangThaiHoSo"),
        ({"MaHoSo": ["H21.22-241105-0012"]}, "MaHoSo"),
        ({"MaHoSo": "H21.22-241105-0013"}, "answered"),  # someone else's dossier
    ],
)
def test_wrong_types_in_the_key_fields_are_bad_data(
    backend: ScriptedBackEnd, adapter: HttpAdapter, fields: dict[str, Any], problem: str
) -> None:
    backend.answer(PATH, 200, {"data": portal(**fields)})
    with pytest.raises(UpstreamBadData, match=problem):
        adapter.lookup(CODE)


def test_wrong_types_elsewhere_are_dropped_not_trusted(
    backend: ScriptedBackEnd, adapter: HttpAdapter
) -> None:
    hostile = portal(
        TenTTHC={"$gt": ""},
        NgayHenTra=20241120170000,
        NgayTiepNhan="not a date",
        NgayTra="29991231235959",
        KenhThucHien=[1],
        ChuHoSo=12345,
        QuaTrinhXuLy="Tiếp nhận",
        MaTTHC="x" * 10_000,
    )
    hostile["TrangThaiHoSo"] = "9"  # digits as text are still a status
    backend.answer(PATH, 200, {"data": hostile})
    record = adapter.lookup(CODE)
    assert record is not None
    assert record["status"] == 9
    assert record["procedure_name"] is None
    assert record["due_at"] is None and record["received_at"] is None
    assert record["returned_at"] is None  # year 2999 is not a real date for a dossier
    assert record["channel"] is None and record["steps"] == []
    assert len(record["procedure_code"]) == 40


def test_huge_strings_and_control_characters_are_cut_and_cleaned(
    backend: ScriptedBackEnd, adapter: HttpAdapter
) -> None:
    name = "Cấp phép\x00\x1b[31m " + "rất dài " * 5_000
    steps = [{"TenBuocXuLy": "b\u202e" + "x" * 1000, "DonViXuLy": None}] * 100
    backend.answer(PATH, 200, {"data": portal(TenTTHC=name, QuaTrinhXuLy=steps)})
    record = adapter.lookup(CODE)
    assert record is not None
    assert record["procedure_name"].startswith("Cấp phép[31m rất dài")
    assert len(record["procedure_name"]) <= 1000
    assert len(record["steps"]) == 60
    assert len(record["steps"][0]["name"]) == 300 and "\u202e" not in record["steps"][0]["name"]


def test_decomposed_text_is_stored_nfc(backend: ScriptedBackEnd, adapter: HttpAdapter) -> None:
    backend.answer(PATH, 200, {"data": portal(TenTTHC="Ca\u0302\u0301p phe\u0301p")})
    record = adapter.lookup(CODE)
    assert record is not None and record["procedure_name"] == "Cấp phép"


def test_changes_page_keeps_good_records_and_counts_bad_ones(
    backend: ScriptedBackEnd, adapter: HttpAdapter
) -> None:
    items = [portal(), portal("H21.22-241105-0013"), {"MaHoSo": 5}, "text", portal("bad")]
    backend.answer(CHANGES, 200, {"data": items, "next_cursor": "c2", "has_more": True})
    page = adapter.changes("c1")
    assert [d["code"] for d in page.dossiers] == [CODE, "H21.22-241105-0013"]
    assert (page.rejected, page.cursor, page.more) == (3, "c2", True)
    assert "cursor=c1" in backend.requests[-1][0]


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"MaHoSo": CODE}, "next_cursor": "c", "has_more": False},
        {"data": [], "next_cursor": "c", "has_more": "yes"},
        {"data": [], "next_cursor": ["c"], "has_more": False},
        {"data": [], "next_cursor": "c" * 500, "has_more": False},
        [],
        "ok",
    ],
)
def test_malformed_change_pages_are_bad_data(
    backend: ScriptedBackEnd, adapter: HttpAdapter, body: Any
) -> None:
    backend.answer(CHANGES, 200, body)
    with pytest.raises(UpstreamBadData):
        adapter.changes("")


def test_procedures_page(backend: ScriptedBackEnd, adapter: HttpAdapter) -> None:
    good = {"MaTTHC": "1.000123", "TenTTHC": "Đăng ký khai sinh", "ThanhPhanHoSo": ["Tờ khai", 5]}
    bad = {"MaTTHC": "<script>", "TenTTHC": "x"}
    backend.answer("/api/tthc", 200, {"data": [good, bad], "next_cursor": "2", "has_more": False})
    page = adapter.procedures()
    assert [p["code"] for p in page.procedures] == ["1.000123"]
    assert page.procedures[0]["documents"] == ["Tờ khai"]
    assert page.rejected == 1 and "MaTTHC" in page.errors[0]


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        HttpAdapter("ftp://example.vn")
    with pytest.raises(ValueError, match="auth_header"):
        HttpAdapter("http://example.vn", auth_header="Bearer abc")


def test_a_mapping_file_renames_endpoints_envelope_and_fields(
    backend: ScriptedBackEnd, tmp_path: Path
) -> None:
    mapping_file = tmp_path / "mapping.toml"
    mapping_file.write_text(
        'lookup_path = "/v2/records/{code}"\n'
        'data_key = "result"\n'
        'date_format = "%d/%m/%Y %H:%M"\n'
        "[dossier]\n"
        'code = "SoHoSo"\n'
        'status = "TinhTrang"\n'
        'due_at = "HanTra"\n'
        "[channels]\n"
        '"TRUC_TIEP" = "in_person"\n',
        encoding="utf-8",
    )
    record = {"SoHoSo": CODE, "TinhTrang": "10", "HanTra": "20/11/2024 17:00",
              "KenhThucHien": "TRUC_TIEP"}  # fmt: skip
    backend.answer(f"/v2/records/{CODE}", 200, {"result": record})
    found = HttpAdapter(backend.url, mapping=Mapping.load(mapping_file)).lookup(CODE)
    assert found is not None
    assert (found["status"], found["channel"]) == (10, "in_person")
    assert found["due_at"] == "2024-11-20T17:00:00+07:00"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('lookup_pth = "/x"\n', "unknown key 'lookup_pth'"),
        ('page_size = "many"\n', "page_size must be int"),
        ('[dossier]\nnickname = "BiDanh"\n', "unknown ['nickname']"),
        ("[dossier]\ncode = 5\n", "must map names to text"),
    ],
)
def test_a_bad_mapping_file_is_refused_naming_the_key(
    tmp_path: Path, content: str, problem: str
) -> None:
    mapping_file = tmp_path / "mapping.toml"
    mapping_file.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(problem)):
        Mapping.load(mapping_file)


def test_hub_configuration_checks_the_mapping_file_at_start(tmp_path: Path) -> None:
    bad = tmp_path / "mapping.toml"
    bad.write_text("data_key = [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"upstream\.mapping_file"):
        load(HubConfig, env={}, overrides={"upstream": {"mapping_file": str(bad)}})
    with pytest.raises(ConfigError, match=r"upstream\.mapping_file"):
        load(HubConfig, env={}, overrides={"upstream": {"mapping_file": str(tmp_path / "no")}})
