"""Procedure search, browsing and detail over the real catalogue, through the hub's API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from hub import create_app, db
from hub.catalogue.procedures import Catalogue, fold


@pytest.fixture(scope="module")
def catalogue_db(bundled_catalogue: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This module's copy of the hub database holding the 1,601 bundled procedures."""
    path = tmp_path_factory.mktemp("procedures") / "hub.sqlite3"
    shutil.copy(bundled_catalogue, path)
    return path


@pytest.fixture(scope="module")
def client(catalogue_db: Path) -> FlaskClient:
    """One hub over this module's catalogue (building its search index takes a moment); the
    tests only read it, but for the openings a detail page counts."""
    app = create_app({"db_path": str(catalogue_db)})
    yield app.test_client()
    app.extensions["motcua.store"].close()


def names(client: FlaskClient, query: str, **params: str) -> list[str]:
    answer = client.get("/api/v1/procedures", query_string={"q": query, **params})
    assert answer.status_code == 200, answer.json
    return [p["name"] for p in answer.json["procedures"]]


def test_fold_removes_diacritics_and_d_stroke() -> None:
    assert fold("Cấp Giấy phép XÂY DỰNG") == "cap giay phep xay dung"
    assert fold("Đăng ký, đổi (Đ)") == "dang ky doi d"


@pytest.mark.parametrize(
    "query", ["giay phep xay dung", "GIẤY PHÉP XÂY DỰNG", "Giấy phép xây dựng", "giay phep xay"]
)
def test_search_with_or_without_diacritics_finds_building_permits(
    client: FlaskClient, query: str
) -> None:
    found = names(client, query)
    assert found, query
    assert all("giấy phép xây dựng" in name.lower() for name in found[:10]), found[:10]


def test_d_stroke_folds_to_d(client: FlaskClient) -> None:
    assert any("đăng ký kết hôn" in name.lower() for name in names(client, "dang ky ket hon")[:3])


def test_word_prefixes_match_as_the_citizen_types(client: FlaskClient) -> None:
    assert any("khai sinh" in name for name in names(client, "dang ky khai si")[:5])


def test_exact_name_ranks_first(client: FlaskClient) -> None:
    assert names(client, "thủ tục đăng ký kết hôn")[0] == "Thủ tục đăng ký kết hôn"


def test_one_misspelt_word_still_finds_something(client: FlaskClient) -> None:
    # "xayy" matches nothing; with all words required the answer would be empty.
    assert names(client, "giay phep xayy")


def test_total_and_paging(client: FlaskClient) -> None:
    first = client.get("/api/v1/procedures?q=ho%20tich&limit=5").json
    second = client.get("/api/v1/procedures?q=ho%20tich&limit=5&offset=5").json
    assert first["total"] == second["total"] > 10
    assert len(first["procedures"]) == len(second["procedures"]) == 5
    assert {p["code"] for p in first["procedures"]}.isdisjoint(
        p["code"] for p in second["procedures"]
    )


def test_summary_fields(client: FlaskClient) -> None:
    summary = client.get("/api/v1/procedures?q=ket%20hon&limit=1").json["procedures"][0]
    assert set(summary) == {"code", "name", "field", "level", "agency", "processing_time", "fees"}


def test_browse_by_field_and_level(client: FlaskClient) -> None:
    facets = client.get("/api/v1/procedures/fields").json
    field_counts = {f["name"]: f["count"] for f in facets["fields"]}
    level_counts = {lv["name"]: lv["count"] for lv in facets["levels"]}
    assert field_counts["Hộ tịch"] == 41
    assert set(level_counts) >= {"Cấp tỉnh", "Cấp xã", "Cấp bộ"}
    in_field = client.get("/api/v1/procedures?field=Hộ tịch&limit=100").json
    assert in_field["total"] == 41
    assert {p["field"] for p in in_field["procedures"]} == {"Hộ tịch"}
    commune = client.get("/api/v1/procedures?level=Cấp xã&limit=100").json
    assert commune["total"] == level_counts["Cấp xã"]
    assert all("Cấp xã" in p["level"] for p in commune["procedures"])
    both = client.get("/api/v1/procedures?q=khai sinh&field=Hộ tịch&level=Cấp xã").json
    assert both["total"] and all(p["field"] == "Hộ tịch" for p in both["procedures"])


def test_search_by_procedure_code(client: FlaskClient) -> None:
    found = client.get("/api/v1/procedures?q=1.000005").json["procedures"]
    assert found[0]["code"] == "1.000005"


def test_detail_has_documents_fees_and_where(client: FlaskClient) -> None:
    code = client.get("/api/v1/procedures?q=thu tuc dang ky ket hon").json["procedures"][0]["code"]
    detail = client.get(f"/api/v1/procedures/{code}").json["procedure"]
    assert detail["name"] == "Thủ tục đăng ký kết hôn"
    for key in ("documents", "steps", "channels", "legal_basis", "forms"):
        assert isinstance(detail[key], list)
    assert detail["documents"] and detail["processing_time"] and detail["source_url"]


def test_forms_are_found_in_document_names(catalogue_db: Path) -> None:
    store = db.Store(catalogue_db)
    with_forms = store.conn().execute("SELECT code FROM procedures WHERE forms != '[]'").fetchall()
    detail = Catalogue(store).get(with_forms[0][0])
    store.close()
    assert detail is not None
    assert all(
        form.lower().endswith((".doc", ".docx", ".pdf", ".xls", ".xlsx", ".odt"))
        for form in detail["forms"]
    )


def test_unknown_procedure_is_404(client: FlaskClient) -> None:
    answer = client.get("/api/v1/procedures/9.999999")
    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=0", "limit"), ("limit=101", "limit"), ("limit=x", "limit"), ("offset=-1", "offset")],
)
def test_bad_paging_is_refused(client: FlaskClient, query: str, field: str) -> None:
    answer = client.get(f"/api/v1/procedures?{query}")
    assert answer.status_code == 400
    assert answer.json["error"]["field"] == field


def test_hostile_queries_are_harmless(client: FlaskClient) -> None:
    for query in ['"', "AND OR NOT", "*", "giay) OR (1=1", "NEAR(a b)", "'; DROP TABLE x; --"]:
        answer = client.get("/api/v1/procedures", query_string={"q": query})
        assert answer.status_code == 200, query
    assert client.get("/api/v1/procedures", query_string={"q": "x" * 201}).status_code == 400


def test_words_only_in_the_documents_fall_back_to_document_search(client: FlaskClient) -> None:
    found = client.get("/api/v1/procedures?q=anh mau 4x6&limit=3").json["procedures"]
    assert found
    for summary in found:
        detail = client.get(f"/api/v1/procedures/{summary['code']}").json["procedure"]
        assert "4x6" in " ".join(detail["documents"]).lower()


def test_one_or_two_letters_list_names_that_start_with_them(client: FlaskClient) -> None:
    found = names(client, "g")
    assert found and fold(found[0]).startswith("g")


@pytest.mark.slow
def test_index_rebuilds_after_a_schema_change(bundled_catalogue: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(bundled_catalogue, copy)  # not the module's file, which ``client`` holds open
    store = db.Store(copy)
    with store.write() as conn:  # what migration 0101 leaves: rows without an index
        for table in ("procedures_fts", "procedure_documents_fts", "procedure_levels"):
            conn.execute(f"DELETE FROM {table}")
    store.close()
    app = create_app({"db_path": str(copy)})
    answer = app.test_client().get("/api/v1/procedures?q=giay phep xay dung&level=Cấp tỉnh")
    assert answer.json["total"] > 0
    app.extensions["motcua.store"].close()


def test_a_changed_catalogue_is_searched_at_once_not_from_memory(tmp_path: Path) -> None:
    store = db.Store(tmp_path / "hub.sqlite3")
    db.migrate(store.conn())
    catalogue = Catalogue(store)
    assert catalogue.search("chung thuc chu ky") == (0, [])
    catalogue.upsert_many([{"code": "2.000815", "name": "Chứng thực chữ ký trong giấy tờ"}])
    total, rows = catalogue.search("chung thuc chu ky")
    assert total == 1 and rows[0]["code"] == "2.000815"
    rows[0]["name"] = "changed by a caller"
    assert catalogue.search("chung thuc chu ky")[1][0]["name"] == "Chứng thực chữ ký trong giấy tờ"
    store.close()
