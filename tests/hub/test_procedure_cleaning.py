"""Procedure text cleaned at import into readable lines, the text as received kept beside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub import create_app, db
from hub.catalogue import cleaning
from hub.upstream.fileimport import import_records
from hub.upstream.mapping import form_files
from hub.upstream.sim_data import bundled_procedures


def test_a_bare_number_says_the_unit_is_missing() -> None:
    shown = cleaning.processing_time("1 (không ghi đơn vị)")
    assert "không ghi đơn vị" not in shown and "Không ghi rõ đơn vị" in shown and "1" in shown
    assert cleaning.processing_time("5 Ngày làm việc") == "5 ngày làm việc"
    assert cleaning.processing_time("Trực tuyến: 20 Ngày; Trực tiếp: 15 Ngày") == (
        "Trực tuyến: 20 ngày; Trực tiếp: 15 ngày"
    )
    assert cleaning.processing_time("Trực tuyến: 220 (không ghi đơn vị); Trực tiếp: 2 Giờ") == (
        "Trực tuyến: 220 (không rõ đơn vị); Trực tiếp: 2 giờ"
    )


def test_a_form_file_glued_to_a_document_becomes_its_own_part() -> None:
    line, form = cleaning.document_line(
        "Đơn đề nghị cấp giấy phép xây dựng theo quy định1.6. Don de nghi CPXD.docx (1 bản chính)"
    )
    assert line == (
        "Đơn đề nghị cấp giấy phép xây dựng theo quy định — 1 bản chính"
        " — mẫu: Don de nghi CPXD.docx"
    )
    assert form == ["Don de nghi CPXD.docx"]
    line, form = cleaning.document_line(
        "- Đơn theo Mẫu số 12 Phụ lục IA Nghị định số 39/2026/NĐ -CPmau so 12.doc (1 bản chính)"
    )
    assert line.startswith("Đơn theo Mẫu số 12") and form == ["mau so 12.doc"]
    assert "CPmau" not in line


def test_a_form_named_like_its_document_is_split_off() -> None:
    line, form = cleaning.document_line(
        "Báo cáo kết quả khảo sát theo mẫu quy địnhbáo cáo kết quả khảo sát.docx (1 bản chính)"
    )
    assert line.startswith("Báo cáo kết quả khảo sát theo mẫu quy định — 1 bản chính")
    assert form == ["báo cáo kết quả khảo sát.docx"]


def test_two_files_back_to_back_are_both_named() -> None:
    line, forms = cleaning.document_line(
        "Đơn đề nghị gia hạn theo mẫu quy định1.2. Don de nghi bai bo.docx1.2. Don de nghi gia"
        " han.docx (1 bản chính)"
    )
    assert line == (
        "Đơn đề nghị gia hạn theo mẫu quy định — 1 bản chính"
        " — mẫu: Don de nghi bai bo.docx, Don de nghi gia han.docx"
    )
    assert forms == ["Don de nghi bai bo.docx", "Don de nghi gia han.docx"]
    line, forms = cleaning.document_line(
        "Tờ khai theo Phụ lục II, Nghị định số 227/2025/NĐ-CP.Phụ lục II...docx (1 bản chính)"
    )
    assert forms == ["Phụ lục II.docx"] and ".docx" not in line.split(" — mẫu: ")[0]


# What the mapping found forms with before form_files (the same answers, in linear time).
FORM_PATTERN = re.compile(r"([^.;:/\\]{1,80})\.(docx?|xlsx?|pdf|odt)(?![a-z])", re.IGNORECASE)


def test_forms_named_in_documents_are_found_as_the_pattern_finds_them() -> None:
    documents = [d for p in bundled_procedures()[::10] for d in p["documents"]]
    documents += [
        "Tờ khai (mẫu số 01).DOCX (1 bản chính)",  # capital extension
        "Phụ lục: " + "x" * 90 + ".pdf",  # only the last 80 characters make the name
        "a.docx.pdf;b.xls c/d.odt e\\f.doc",  # files back to back and after each mark
        "Ghi chú.docs; bản.pdfx; .pdf; :.doc; tệp.doc",  # not files, then no name, then one
        "Biểu mẫu.K.doc x.pdfK 2.pdf",  # the Kelvin sign is a letter to an ignore-case [a-z]
    ]
    for text in documents:
        expected = [(m.group(1), m.group(2)) for m in FORM_PATTERN.finditer(text)]
        assert list(form_files(text)) == expected, text
    assert list(form_files("Đơn mẫu 01.docx (1 bản chính)")) == [("Đơn mẫu 01", "docx")]


def test_copies_read_as_a_note_and_plain_lines_stay() -> None:
    assert cleaning.document_line("Tờ khai đăng ký kết hôn (1 bản chính)") == (
        "Tờ khai đăng ký kết hôn — 1 bản chính",
        [],
    )
    heading = "Trường hợp: (1.1) Đối với công trình không theo tuyến:"
    assert cleaning.document_line(heading) == (heading, [])


def test_run_together_steps_become_one_line_each() -> None:
    steps = cleaning.steps(
        ["- Nộp hồ sơ tại bộ phận một cửa. - Cán bộ kiểm tra hồ sơ; + Nếu đủ thì nhận. Bước 3: Trả"]
    )
    assert steps == ["Nộp hồ sơ tại bộ phận một cửa.", "Cán bộ kiểm tra hồ sơ;",
                     "Nếu đủ thì nhận.", "Bước 3: Trả"]  # fmt: skip


def test_legal_numbers_are_set_apart_from_the_words_around_them() -> None:
    assert cleaning.legal_basis(["Quy định của Bộ Xây dựng140/2025/NĐ-CPquy định chi tiết"]) == [
        "Quy định của Bộ Xây dựng 140/2025/NĐ-CP — quy định chi tiết"
    ]
    assert cleaning.legal_basis(["Luật Xây dựng 50/2014/QH13"]) == ["Luật Xây dựng 50/2014/QH13"]


def test_empty_fee_notes_are_dropped_and_repeats_kept_once() -> None:
    assert cleaning.fees("Miễn phí. Ghi chú: Không có") == "Miễn phí"
    assert cleaning.fees("Miễn phí. Ghi chú: Theo quy định của HĐND | Theo quy định của HĐND.") == (
        "Miễn phí. Ghi chú: Theo quy định của HĐND"
    )


def test_names_lose_the_line_breaks_of_the_scrape() -> None:
    assert cleaning.squash("Công bố Danh mục\nthủ tục  hành chính ") == (
        "Công bố Danh mục thủ tục hành chính"
    )


@pytest.mark.slow  # over 2 s: left out of make test-fast
def test_the_detail_is_clean_and_keeps_the_original(tmp_path: Path) -> None:
    store = db.Store(tmp_path / "hub.sqlite3")
    db.migrate(store.conn())
    source = bundled_procedures()
    import_records("procedures", source, store)
    store.close()
    app = create_app({"db_path": str(tmp_path / "hub.sqlite3")})
    client = app.test_client()
    bare = next(p for p in source if p["processing_time"] == "1 (không ghi đơn vị)")
    detail = client.get(f"/api/v1/procedures/{bare['code']}").json["procedure"]
    assert "không ghi đơn vị)" not in detail["processing_time"]
    assert detail["raw"]["processing_time"] == "1 (không ghi đơn vị)"
    glued = next(p for p in source if any(".docx (" in d for d in p["documents"]))
    detail = client.get(f"/api/v1/procedures/{glued['code']}").json["procedure"]
    assert not any(d.endswith(".docx (1 bản chính)") for d in detail["documents"])
    assert detail["forms"] and all("." in f for f in detail["forms"])
    assert detail["raw"]["documents"] == glued["documents"]
    # Every procedure reads without the scrape's artefacts.
    for procedure in source:
        shown = client.get(f"/api/v1/procedures/{procedure['code']}").json["procedure"]
        assert "(không ghi đơn vị)" not in shown["processing_time"]
        assert "\n" not in shown["name"]
        # A file name never stays glued to the text: it is named after "mẫu:".
        for line in shown["documents"]:
            assert not re.search(r"\w\.docx?\b", line.split(" — mẫu: ")[0]), line
    app.extensions["motcua.store"].close()


def test_rows_stored_before_cleaning_are_cleaned_at_start(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    store = db.Store(path)
    db.migrate(store.conn())
    import_records("procedures", bundled_procedures()[:50], store)
    with store.write() as conn:  # what migration 0102 leaves: raw text in the columns, no raw
        conn.execute(
            "UPDATE procedures SET processing_time = '1 (không ghi đơn vị)', raw = ''"
            " WHERE code = (SELECT min(code) FROM procedures)"
        )
    store.close()
    app = create_app({"db_path": str(path)})
    conn = app.extensions["motcua.store"].conn()
    row = conn.execute(
        "SELECT processing_time, raw FROM procedures ORDER BY code LIMIT 1"
    ).fetchone()
    assert "Không ghi rõ đơn vị" in row[0] and "không ghi đơn vị" in row[1]
    app.extensions["motcua.store"].close()
