"""What procedure search puts first, over the real catalogue, through the hub's API: the ranking
rules, diacritics, typos, synonyms, the relevance threshold and popularity."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from hub import create_app, db, demo
from hub.catalogue.procedures import Catalogue
from hub.testing import HubProcess


@pytest.fixture(scope="module")
def catalogue_db(bundled_catalogue: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This module's copy of the hub database holding the 1,601 bundled procedures."""
    path = tmp_path_factory.mktemp("search") / "hub.sqlite3"
    shutil.copy(bundled_catalogue, path)
    return path


@pytest.fixture(scope="module")
def client(catalogue_db: Path) -> FlaskClient:
    """One hub over this module's catalogue for the tests that only search (building the
    search index takes a moment per app)."""
    app = create_app({"db_path": str(catalogue_db)})
    yield app.test_client()
    app.extensions["motcua.store"].close()


@pytest.fixture
def own_client(bundled_catalogue: Path, tmp_path: Path) -> FlaskClient:
    """A hub over this test's own copy of the catalogue, for a test that changes it
    (popularity, settings, synonyms), so that no other test sees the change."""
    copy = tmp_path / "hub.sqlite3"
    shutil.copy(bundled_catalogue, copy)  # not the module's file, which ``client`` holds open
    app = create_app({"db_path": str(copy)})
    yield app.test_client()
    app.extensions["motcua.store"].close()


def search(client: FlaskClient, query: str, **params: str) -> dict:
    answer = client.get("/api/v1/procedures", query_string={"q": query, **params})
    assert answer.status_code == 200, answer.json
    return answer.json


def codes(client: FlaskClient, query: str, **params: str) -> list[str]:
    return [p["code"] for p in search(client, query, **params)["procedures"]]


def names(client: FlaskClient, query: str) -> list[str]:
    return [p["name"] for p in search(client, query)["procedures"]]


def test_the_building_permit_a_commune_handles_comes_first(client: FlaskClient) -> None:
    first = names(client, "giay phep xay dung")[0]
    assert first.startswith("Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV")
    assert "đường sắt" not in " ".join(names(client, "giay phep xay dung")[:3])


@pytest.mark.parametrize(
    ("query", "plain"),
    [
        ("khai tu", "Thủ tục đăng ký khai tử"),
        ("KẾT HÔN", "Thủ tục đăng ký kết hôn"),
        ("dang ky khai sinh", "Thủ tục đăng ký khai sinh"),
    ],
)
def test_the_plain_procedure_beats_its_longer_variants(
    client: FlaskClient, query: str, plain: str
) -> None:
    found = names(client, query)
    assert found[0] == plain
    foreign = [n for n in found if "có yếu tố nước ngoài" in n]
    assert foreign and found.index(foreign[0]) > 0


def test_diacritics_count_when_typed(client: FlaskClient) -> None:
    with_accents = names(client, "dựng")
    assert with_accents and all("dựng" in n.lower() for n in with_accents)
    other_word = names(client, "dùng")
    assert other_word and all("dùng" in n.lower() for n in other_word)
    bare = search(client, "dung")["total"]  # typed without accents: both words, and "dụng"
    assert bare > search(client, "dựng")["total"] + search(client, "dùng")["total"]


def test_old_and_new_tone_placement_are_the_same_word(client: FlaskClient) -> None:
    assert names(client, "hoà giải tranh chấp")[0] == names(client, "hòa giải tranh chấp")[0]


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("giay phep xay dunh", "1.013225"), ("khai sihn", "1.001193"), ("tam truu", "1.004194")],
)
def test_one_wrong_letter_in_a_longer_word(client: FlaskClient, typo: str, meant: str) -> None:
    assert meant in codes(client, typo)[:3]


def test_short_words_get_no_typo_tolerance(client: FlaskClient) -> None:
    # "hpn" is one letter from "hon", but three-letter words have too many neighbours.
    assert search(client, "ket hpn")["total"] == 0


@pytest.mark.parametrize(
    ("query", "meant"),
    [
        ("sổ đỏ", {"1.013978", "1.012783", "1.012753"}),
        ("lam can cuoc", {"1.014061"}),
        ("CCCD", {"1.014061", "1.014063", "1.014064"}),
        ("nhap ho khau", {"1.004222"}),
        ("sao y ban chinh", {"2.000815"}),
        ("nghi de", {"2.000693"}),
    ],
)
def test_everyday_words_find_the_catalogue_terms(
    client: FlaskClient, query: str, meant: set[str]
) -> None:
    assert meant & set(codes(client, query)[:3]), codes(client, query)[:5]


def test_nonsense_finds_nothing_and_suggests_fields(client: FlaskClient) -> None:
    answer = search(client, "qwerty asdfgh zxcvb")
    assert answer["total"] == 0 and answer["procedures"] == []
    assert answer["not_found"] is True
    suggested = [f["name"] for f in answer["suggested_fields"]]
    assert "Hộ tịch" in suggested[:8] and "Đất đai" in suggested[:8]  # what a commune handles
    assert all(f["count"] > 0 for f in answer["suggested_fields"])


def test_a_word_found_only_somewhere_else_is_not_a_match(client: FlaskClient) -> None:
    # "ly hon" once listed a passport stamp procedure ("hư hỏng", agency "Quản lý").
    assert codes(client, "ly hon") == ["2.000554"]


def test_a_search_that_finds_something_has_no_suggestions(client: FlaskClient) -> None:
    answer = search(client, "khai sinh")
    assert answer["total"] > 0 and "not_found" not in answer


def test_extra_words_people_add_do_not_empty_the_answer(client: FlaskClient) -> None:
    assert codes(client, "ket hon voi nguoi nuoc ngoai")[0] == "2.000806"


def test_this_offices_level_comes_first(own_client: FlaskClient) -> None:
    commune = names(own_client, "cap lai the can cuoc")
    assert commune[0] == "Cấp lại thẻ căn cước"
    catalogue: Catalogue = own_client.application.extensions["motcua.procedures"]
    catalogue.set_office("Cấp tỉnh", [])
    province = names(own_client, "cap lai the can cuoc")
    assert province[0] == "Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)"


def test_what_is_opened_here_rises(own_client: FlaskClient) -> None:
    before = codes(own_client, "chung thuc chu ky nguoi dich")
    assert set(before[:2]) == {"2.000992", "2.001008"}
    second = before[1]
    for n in range(3):  # three people, each on their phone
        answer = own_client.get(f"/api/v1/procedures/{second}",
                                environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"})  # fmt: skip
        assert answer.status_code == 200
    catalogue: Catalogue = own_client.application.extensions["motcua.procedures"]
    catalogue.forget()  # the remembered answer would otherwise stand for up to a minute
    assert codes(own_client, "chung thuc chu ky nguoi dich")[0] == second


def test_one_person_opening_a_procedure_again_counts_once(own_client: FlaskClient) -> None:
    def score(code: str) -> float:
        conn = own_client.application.extensions["motcua.store"].conn()
        row = conn.execute("SELECT score FROM procedure_popularity WHERE code = ?", (code,))
        return (row.fetchone() or [0.0])[0]

    for _ in range(5):  # a reload, or a script
        own_client.get("/api/v1/procedures/2.000992", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert score("2.000992") == pytest.approx(1.0, abs=0.01)
    own_client.get("/api/v1/procedures/2.000992", environ_base={"REMOTE_ADDR": "10.0.0.10"})
    assert score("2.000992") == pytest.approx(2.0, abs=0.01)


def test_popularity_fades(bundled_catalogue: Path, tmp_path: Path) -> None:
    copy = tmp_path / "hub.sqlite3"
    shutil.copy(bundled_catalogue, copy)
    store = db.Store(copy)
    now = [1_000_000_000.0]
    catalogue = Catalogue(store, wall_clock=lambda: now[0])
    catalogue.opened("2.001008")
    catalogue.opened("2.001008")
    catalogue.opened("2.000992")
    now[0] += 60 * 86400  # two months later: the old openings count a quarter
    catalogue.opened("2.000992")
    score = dict(store.conn().execute("SELECT code, score FROM procedure_popularity").fetchall())
    store.close()
    assert score["2.001008"] == 2.0  # stored as of its last opening
    assert score["2.000992"] == pytest.approx(1.25)


def test_a_clerks_synonym_is_used_and_kept(own_client: FlaskClient) -> None:
    catalogue: Catalogue = own_client.application.extensions["motcua.procedures"]
    assert search(own_client, "giay ket hon")["procedures"][0]["code"] == "1.000894"
    catalogue.add_synonym("làm đám cưới", "đăng ký kết hôn")
    assert codes(own_client, "lam dam cuoi")[0] == "1.000894"
    catalogue.prepare()  # the next start seeds the shipped list again
    assert codes(own_client, "lam dam cuoi")[0] == "1.000894"


@pytest.mark.slow  # over 2 s: left out of make test-fast
def test_a_fresh_demo_hub_searches_from_its_first_answer(tmp_path: Path) -> None:
    hub = HubProcess(tmp_path)
    assert demo.seed_catalogue(hub.db_path) == 1601
    hub.start()
    try:
        status, answer = hub.request("GET", "/api/v1/procedures?q=giay%20phep%20xay%20dung")
        assert status == 200 and answer["total"] > 0
    finally:
        hub.stop()
