"""The public procedure pages (/thu-tuc) over the 1,601 bundled procedures, and the web board's
page (/bang) as the server renders it."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from hub import core, create_app
from tests.hub.conftest import Office


@pytest.fixture(scope="module")
def catalogue_db(bundled_catalogue: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("public-procedures") / "hub.sqlite3"
    shutil.copy(bundled_catalogue, path)
    return path


@pytest.fixture(scope="module")
def client(catalogue_db: Path) -> Iterator[FlaskClient]:
    """One hub over this module's catalogue (building its search index takes a moment per app);
    the tests only read pages, but for the openings a procedure page counts."""
    app = create_app({"db_path": str(catalogue_db)})
    yield app.test_client()
    core.shutdown(app)


def text(answer: TestResponse) -> str:
    return answer.get_data(as_text=True)


def test_the_search_page_lists_the_fields_to_browse(client: FlaskClient) -> None:
    page = text(client.get("/thu-tuc"))
    assert "Thủ tục hành chính" in page and "Administrative procedures" in page
    assert re.search(r'href="/thu-tuc\?field=H%E1%BB%99\+t%E1%BB%8Bch">Hộ tịch</a>', page)
    assert '<form method="get" action="/thu-tuc"' in page


def test_a_search_without_diacritics_finds_building_permits(client: FlaskClient) -> None:
    answer = client.get("/thu-tuc", query_string={"q": "giay phep xay dung"})
    assert answer.status_code == 200
    page = text(answer)
    assert "Tìm thấy" in page and "procedures found" in page
    names = re.findall(r'<li><a href="/thu-tuc/[\d.]+">([^<]+)</a>', page)
    assert names and all("giấy phép xây dựng" in n.lower() for n in names[:5]), names[:5]


def test_a_field_is_browsed_page_by_page(client: FlaskClient) -> None:
    first = text(client.get("/thu-tuc", query_string={"field": "Hộ tịch"}))
    assert re.search(r"Trang 1/[2-9]", first) and 'rel="next"' in first
    second = text(client.get("/thu-tuc", query_string={"field": "Hộ tịch", "page": 2}))
    links = re.findall(r'href="(/thu-tuc/[\d.]+)"', second)
    assert len(links) == 20 and set(links).isdisjoint(
        re.findall(r'href="(/thu-tuc/[\d.]+)"', first)
    )
    assert 'rel="prev"' in second and 'start="21"' in second


def test_nothing_found_offers_fields(client: FlaskClient) -> None:
    page = text(client.get("/thu-tuc", query_string={"q": "qqqzzz xxyyzz"}))
    assert "Không tìm thấy thủ tục nào" in page and "Browse a field instead" in page
    assert "/thu-tuc?field=" in page


def test_a_procedure_page_has_documents_time_fee_forms_and_where(client: FlaskClient) -> None:
    search = text(client.get("/thu-tuc", query_string={"q": "dang ky khai sinh"}))
    path = re.search(r'href="(/thu-tuc/[\d.]+)"', search).group(1)
    answer = client.get(path)
    assert answer.status_code == 200
    page = text(answer)
    labels = (
        "Hồ sơ cần nộp", "Documents to bring", "Thời hạn giải quyết", "Processing time",
        "Phí, lệ phí", "Fees", "Cơ quan thực hiện", "Where to submit", "Các bước",
    )  # fmt: skip
    for label in labels:
        assert label in page, label
    assert re.search(r'<ol id="documents"><li>.+</li>', page)
    forms = text(client.get("/thu-tuc/1.000045"))  # one with its form templates listed
    assert "Mẫu đơn, tờ khai" in forms and "Mẫu số 29.docx" in forms


def test_an_unknown_procedure_is_a_404_in_both_languages(client: FlaskClient) -> None:
    answer = client.get("/thu-tuc/9.999999")
    assert answer.status_code == 404
    assert "Không có thủ tục này" in text(answer) and "No such procedure" in text(answer)


def board_config(page: str) -> dict:
    raw = re.search(r'<script type="application/json" id="board-config">(.+?)</script>', page, re.S)
    assert raw is not None
    return json.loads(raw.group(1))


def test_the_board_takes_its_zone_from_the_query(office: Office) -> None:
    answer = office.client.get("/bang?counters=3,x,1,1&services=B,<script>,A&highlight=5")
    assert answer.status_code == 200
    page = text(answer)
    config = board_config(page)
    assert config["zone"] == {"counters": [1, 3], "services": ["A", "B"]}
    assert config["highlight_s"] == 5 and config["stale_s"] == 30 and config["recent"] == 6
    assert config["texts"]["Now calling"] == ["Mời số", "Now calling"]
    assert "<script>," not in page
    assert '<script src="/static/public_board.js"></script>' in page


def test_the_board_page_names_no_clerk(office: Office) -> None:
    office.clerk(1)  # lan is logged in at counter 1: the state names her, the page must not
    page = text(office.client.get("/bang"))
    for clerk in office.creds["clerks"]:
        assert clerk["display_name"] not in page
        assert clerk["display_name"].split()[0] + " " not in page


@pytest.mark.parametrize("number", ["0", "-1", "abc", "\u00b2", "9" * 5000, "99999"])
def test_a_page_number_that_is_not_one_still_answers(client: FlaskClient, number: str) -> None:
    answer = client.get("/thu-tuc", query_string={"field": "Hộ tịch", "page": number})
    assert answer.status_code == 200


def test_the_ticket_page_refuses_to_be_framed(office: Office) -> None:
    token = office.issue("A")["token"]
    answer = office.client.get(f"/t/{token}")
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


def test_this_offices_procedures_come_first_and_the_rest_on_asking(client: FlaskClient) -> None:
    # The default office is a commune's: railway building permits are not among its procedures.
    page = text(client.get("/thu-tuc", query_string={"q": "giay phep xay dung duong sat"}))
    shown = re.findall(r'<li><a href="/thu-tuc/[\d.]+">([^<]+)</a>', page)
    assert not any("đường sắt" in n for n in shown)
    more = re.search(r'id="search-all" href="([^"]+)">Tìm trong tất cả thủ tục', page)
    assert more, "no way to search the whole catalogue"
    everything = text(client.get(more.group(1).replace("&amp;", "&")))
    assert any("đường sắt" in n for n in
               re.findall(r'<li><a href="/thu-tuc/[\d.]+">([^<]+)</a>', everything))  # fmt: skip
    assert "Đang tìm trong toàn bộ danh mục thủ tục" in everything
    browse = text(client.get("/thu-tuc"))
    assert "Hải quan" not in browse  # customs is no commune's field
    assert "Hải quan" in text(client.get("/thu-tuc?all=1"))
