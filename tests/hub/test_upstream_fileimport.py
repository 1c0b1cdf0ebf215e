"""File import: procedure catalogues and offline dossier batches, JSON or CSV, via the CLI."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hub import db
from hub.catalogue.procedures import Catalogue
from hub.dossiers.cache import DossierCache
from hub.upstream.fileimport import main

BUNDLED = Path(__file__).parents[2] / "hub" / "upstream" / "data" / "procedures.json.gz"


def open_store(path: Path) -> db.Store:
    store = db.Store(path)
    db.migrate(store.conn())
    return store


@pytest.mark.slow
def test_bundled_catalogue_imports_through_the_command_with_a_progress_bar(tmp_path: Path) -> None:
    target = tmp_path / "hub.sqlite3"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "motcua.cli",
            "import",
            "procedures",
            str(BUNDLED),
            "--db",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "imported 1601 procedures" in done.stdout
    assert "100%  1601/1601" in done.stderr
    store = open_store(target)
    assert Catalogue(store).count() == 1601
    store.close()


def test_portal_named_json_with_refusals_reported_by_record(tmp_path: Path, capsys) -> None:
    source = tmp_path / "tthc.json"
    records = [
        {
            "MaTTHC": "1.000123",
            "TenTTHC": "Đăng ký khai sinh",
            "LinhVuc": "Hộ tịch",
            "CapThucHien": "Cấp xã",
            "ThanhPhanHoSo": ["Tờ khai đăng ký khai sinh"],
        },
        {"MaTTHC": "", "TenTTHC": "no code"},
        {"MaTTHC": "1.000124"},
        "not an object",
    ]
    source.write_text(json.dumps({"data": records}, ensure_ascii=False), encoding="utf-8")
    assert main(["procedures", str(source), "--db", str(tmp_path / "hub.sqlite3"), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "imported 1 procedures" in out and "refused 3" in out
    assert "record 2: MaTTHC" in err and "record 3: TenTTHC" in err and "record 4" in err
    store = open_store(tmp_path / "hub.sqlite3")
    assert Catalogue(store).search("dang ky khai sinh")[0] == 1
    store.close()


def test_procedures_csv_with_one_document_per_line(tmp_path: Path) -> None:
    source = tmp_path / "tthc.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["code", "name", "field", "documents", "fees"])
        writer.writeheader()
        writer.writerow(
            {
                "code": "2.000001",
                "name": "Chứng thực bản sao từ bản chính",
                "field": "Chứng thực",
                "documents": "Bản chính\nBản sao",
                "fees": "2.000 đồng/trang",
            }
        )
    assert main(["procedures", str(source), "--db", str(tmp_path / "h.sqlite3"), "--quiet"]) == 0
    store = open_store(tmp_path / "h.sqlite3")
    detail = Catalogue(store).get("2.000001")
    store.close()
    assert detail is not None
    assert detail["documents"] == ["Bản chính", "Bản sao"] and detail["field"] == "Chứng thực"


def test_dossier_batch_csv_and_gzip_json(tmp_path: Path) -> None:
    csv_file = tmp_path / "hoso.csv"
    with csv_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=[
                "MaHoSo",
                "TrangThaiHoSo",
                "ChuHoSo",
                "NgayHenTra",
                "QuaTrinhXuLy",
                "SoDienThoai",
            ],
        )
        writer.writeheader()
        writer.writerow(
            {
                "MaHoSo": "h21.22-241105-0012",
                "TrangThaiHoSo": "9",
                "ChuHoSo": "Phạm Văn Đức",
                "NgayHenTra": "20241120170000",
                "SoDienThoai": "0905123456",
                "QuaTrinhXuLy": json.dumps([{"TenBuocXuLy": "Tiếp nhận"}]),
            }
        )
        writer.writerow({"MaHoSo": "bad", "TrangThaiHoSo": "4"})
    gz = tmp_path / "hoso.json.gz"
    gz.write_bytes(
        gzip.compress(json.dumps([{"MaHoSo": "H21.22-241105-0013", "TrangThaiHoSo": 2}]).encode())
    )
    target = str(tmp_path / "hub.sqlite3")
    assert main(["dossiers", str(csv_file), "--db", target, "--quiet"]) == 0
    assert main(["dossiers", str(gz), "--db", target, "--quiet"]) == 0
    store = open_store(Path(target))
    cache = DossierCache(store)
    first = cache.get("H21.22-241105-0012")
    assert first is not None and cache.get("H21.22-241105-0013") is not None
    assert first["status"] == 9 and first["applicant_masked"] == "Phạm V** Đ**"
    assert first["steps"][0]["name"] == "Tiếp nhận" and first["source"] == "import"
    assert cache.count() == 2
    store.close()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("x.json", b"{broken", "not valid JSON"),
        ("x.json", b'{"a": 1}', "expected a list"),
        ("x.json.gz", b"not gzip", "not valid gzip"),
        ("x.csv", b"\xff\xfe\xfa", "not UTF-8"),
        ("x.xml", b"<a/>", "expected a .json"),
    ],
)
def test_unreadable_files_are_refused_and_change_nothing(
    tmp_path: Path,
    capsys,
    name: str,
    content: bytes,
    problem: str,
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    assert main(["procedures", str(source), "--db", str(tmp_path / "hub.sqlite3")]) == 1
    assert problem in capsys.readouterr().err
    assert not (tmp_path / "hub.sqlite3").exists()


def test_missing_file_is_refused(tmp_path: Path, capsys) -> None:
    assert main(["dossiers", str(tmp_path / "nope.json"), "--db", str(tmp_path / "h.db")]) == 1
    assert "cannot read" in capsys.readouterr().err
