"""The public dossier lookup page (/tra-cuu) and its widget (/nhung/tra-cuu), through the Flask
test client against a real scripted back end on 127.0.0.1: answers in Vietnamese with English,
bad and unknown codes, the back end down, the API's rate limits, framing, and no personal data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from hub import core
from hub.upstream.testing import ScriptedBackEnd
from motcua.config import ConfigError
from tests.hub.test_dossier_lookup import CODE, OTHER, cache_stale, make_app, portal

PORTAL = "https://dichvucong.gialai.gov.vn"


@pytest.fixture
def backend() -> Iterator[ScriptedBackEnd]:
    with ScriptedBackEnd() as server:
        yield server


def _app(tmp_path: Path, backend: ScriptedBackEnd, **settings: object) -> Iterator[Flask]:
    app = make_app(tmp_path, backend.url, embed_origins=[PORTAL], **settings)
    try:
        yield app
    finally:
        core.shutdown(app)
        app.extensions["motcua.dossiers"]["lookup"].close()


@pytest.fixture
def app(tmp_path: Path, backend: ScriptedBackEnd) -> Iterator[Flask]:
    yield from _app(tmp_path, backend)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def text(answer: TestResponse) -> str:
    return answer.get_data(as_text=True)


def test_the_form_answers_what_the_kiosk_shows(client: FlaskClient, backend: ScriptedBackEnd):
    backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal()})
    answer = client.get("/tra-cuu", query_string={"ma": "h21.22 - 241105 - 0012"})
    assert answer.status_code == 200
    page = text(answer)
    assert CODE in page  # as normalized
    for words in ("Đang xử lý", "Being processed", "Việc cần làm tiếp", "What to do next",
                  "Quá hạn", "Overdue", "20/11/2024", "05/11/2024",
                  "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Tiếp nhận hồ sơ",
                  "Cập nhật vừa xong", "Updated just now"):  # fmt: skip
        assert words in page, words
    # the form is a plain GET: it works without JavaScript and the answer has a URL
    assert '<form method="get" action="/tra-cuu"' in page and 'name="ma"' in page


def test_the_receipt_qr_url_opens_the_answer(client: FlaskClient, backend: ScriptedBackEnd):
    backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal()})
    assert "Đang xử lý" in text(client.get(f"/tra-cuu/{CODE}"))
    assert "Đang xử lý" in text(client.get(f"/tra-cuu/{CODE.lower()}"))
    # a link from the province's portal, pasted or scanned into the form
    pasted = client.get("/tra-cuu", query_string={"ma": f"{PORTAL}/tra-cuu?ma={CODE}"})
    assert pasted.status_code == 200 and "Đang xử lý" in text(pasted)


@pytest.mark.parametrize(
    ("typed", "vi", "en"),
    [
        ("", "Chưa nhập mã", "The code is empty"),
        ("abc", "Mã gồm ba phần", "this has 1"),
        ("H21.22-241305-0012", "Phần giữa phải là ngày tiếp nhận", "receipt date written yyMMdd"),
        ("X99-241105-0012", "có mã tỉnh như H21", "province code such as H21"),
        ("H21.22-241105-12", "từ 4 đến 8 chữ số", "4 to 8 digits"),
        ("H21.22-241105-0012<b>", "Mã chỉ gồm chữ, số", "this has &lt; &gt;."),
        ("x" * 700, "quá dài", "too long"),
    ],
)
def test_a_bad_code_says_what_is_wrong_in_both_languages(
    client: FlaskClient, backend: ScriptedBackEnd, typed: str, vi: str, en: str
) -> None:
    answer = client.get("/tra-cuu", query_string={"ma": typed})
    assert answer.status_code == 400
    page = text(answer)
    assert "Đây không phải mã hồ sơ" in page and "This is not a dossier code" in page
    assert vi in page and en in page
    assert "<b>" not in page.split("<main>")[1]  # what was typed comes back escaped
    assert backend.requests == []  # a code that cannot be one never reaches the back end


def test_an_unknown_code_is_not_found(client: FlaskClient) -> None:
    answer = client.get(f"/tra-cuu/{OTHER}")  # the scripted back end answers 404
    assert answer.status_code == 404
    page = text(answer)
    assert "Không có hồ sơ nào mang mã này" in page and "No dossier has this code" in page
    assert OTHER in page


def test_back_end_down_shows_the_cached_answer_with_its_age(
    app: Flask, client: FlaskClient, backend: ScriptedBackEnd
) -> None:
    cache_stale(app, age_s=2 * 3600 + 60)
    backend.answer(f"/api/hoso/{CODE}", 500, {"error": "down"})
    answer = client.get(f"/tra-cuu/{CODE}")
    assert answer.status_code == 200
    page = text(answer)
    assert "Đang xử lý" in page
    assert "Cập nhật 2 giờ trước" in page and "Updated 2 h ago" in page
    assert "Chưa kết nối được hệ thống hồ sơ để cập nhật thông tin này" in page
    assert "could not be reached to refresh this" in page


def test_back_end_down_without_cache_cannot_check_now(
    client: FlaskClient, backend: ScriptedBackEnd
) -> None:
    backend.answer(f"/api/hoso/{CODE}", 500, {"error": "down"})
    answer = client.get(f"/tra-cuu/{CODE}")
    assert answer.status_code == 503
    page = text(answer)
    assert "Không tra cứu được lúc này" in page and "Cannot check now" in page
    assert "Không có hồ sơ" not in page  # "could not check" is not "no such dossier"


def test_the_page_shares_the_api_rate_limit(tmp_path: Path, backend: ScriptedBackEnd) -> None:
    backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal()})
    for app in _app(tmp_path, backend, lookups_per_minute=3):
        client = app.test_client()
        assert client.get(f"/tra-cuu/{CODE}").status_code == 200
        assert client.get(f"/api/v1/dossiers/{CODE}").status_code == 200
        assert client.get(f"/nhung/tra-cuu?ma={CODE}").status_code == 200
        refused = client.get(f"/tra-cuu/{CODE}")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        page = text(refused)
        assert "Tra cứu quá nhiều lần" in page and "Too many lookups" in page
        assert "Đang xử lý" not in page
        assert client.get(f"/api/v1/dossiers/{CODE}").status_code == 429


def test_walking_through_codes_is_refused_as_in_the_api(client: FlaskClient) -> None:
    statuses = [client.get(f"/tra-cuu/H21.22-241105-{n:04d}").status_code for n in range(100, 125)]
    assert statuses[:20] == [404] * 20  # the scripted back end knows none of them
    assert statuses[-1] == 429
    assert client.get(f"/api/v1/dossiers/{CODE}").status_code == 429  # the same guard


def test_no_personal_data_on_any_public_page(client: FlaskClient, backend: ScriptedBackEnd) -> None:
    backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal()})
    pages = [text(client.get(path)) for path in (
        f"/tra-cuu/{CODE}", f"/tra-cuu?ma={quote(CODE)}", f"/nhung/tra-cuu?ma={quote(CODE)}",
    )]  # fmt: skip
    for page in pages:
        assert "Nguyễn V** A*" in page  # masked, as the API masks it: enough to recognise
        for secret in ("Văn An", "052090001234", "0905123456", "Trần Hưng Đạo", "Pleiku"):
            assert secret not in page, secret


def test_only_the_widget_may_be_framed_and_only_by_the_portal(client: FlaskClient) -> None:
    widget = client.get("/nhung/tra-cuu")
    assert widget.status_code == 200
    policy = widget.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {PORTAL}" in policy
    assert "X-Frame-Options" not in widget.headers
    assert "<header" not in text(widget)  # the bare form for a portal's column
    for path in ("/tra-cuu", f"/tra-cuu/{CODE}", "/thu-tuc", "/bang", "/nhung", "/"):
        answer = client.get(path)
        assert answer.headers.get("X-Frame-Options") == "DENY", path
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"], path


def test_the_widget_page_shows_the_snippet_to_copy(client: FlaskClient) -> None:
    page = text(client.get("/nhung"))
    assert "&lt;iframe src=&#34;http://127.0.0.1:8080/nhung/tra-cuu&#34;" in page
    assert PORTAL in page
    assert '<iframe class="preview" src="/nhung/tra-cuu"' in page


def test_a_malformed_embed_origin_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"embed_origins\[0\]"):
        make_app(tmp_path, None, embed_origins=["https://portal.example; script-src *"])
