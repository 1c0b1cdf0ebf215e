"""The public dossier lookup: normalizing codes, cache and back end, freshness, limits, privacy.

The back end is a real HTTP server on 127.0.0.1 that the test scripts (slow, down, garbage).
"""

from __future__ import annotations

import json
import threading
import time
import zoneinfo
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hub import create_app, db, demo
from hub.dossiers.cache import DossierCache
from hub.dossiers.lookup import LookupService, UpstreamUnavailable
from hub.testing import seed_copy
from hub.upstream.http import HttpAdapter
from hub.upstream.mapping import Mapping
from hub.upstream.testing import ScriptedBackEnd

CODE = "H21.22-241105-0012"
OTHER = "000.00.21.H21-240315-0001"


def portal(code: str = CODE, **fields: Any) -> dict[str, Any]:
    record = {
        "MaHoSo": code, "MaTTHC": "1.001612", "TenTTHC": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "TrangThaiHoSo": 4, "NgayTiepNhan": "20241105083000", "NgayHenTra": "20241120170000",
        "KenhThucHien": 2, "ChuHoSo": "Nguyễn Văn An", "SoGiayToChuHoSo": "052090001234",
        "SoDienThoai": "0905123456", "DiaChi": "12 Trần Hưng Đạo, Pleiku",
        "QuaTrinhXuLy": [{"TenBuocXuLy": "Tiếp nhận hồ sơ", "DonViXuLy": "Bộ phận Một cửa",
                          "NgayBatDau": "20241105083000", "NgayKetThuc": "20241105100000"}],
    }  # fmt: skip
    record.update(fields)
    return record


@pytest.fixture
def backend() -> Iterator[ScriptedBackEnd]:
    with ScriptedBackEnd() as server:
        yield server


def make_app(tmp_path: Path, backend_url: str | None, **settings: Any) -> Flask:
    upstream = {"kind": "http", "base_url": backend_url, "timeout_s": 0.5} if backend_url else {}
    config = {"db_path": str(tmp_path / "hub.sqlite3"), "lookups_per_minute": 1000}
    config.update(settings)
    if upstream:
        config["upstream"] = upstream
    return create_app(config)


@pytest.fixture
def app(tmp_path: Path, backend: ScriptedBackEnd) -> Iterator[Flask]:
    app = make_app(tmp_path, backend.url)
    yield app
    app.extensions["motcua.dossiers"]["lookup"].close()
    app.extensions["motcua.store"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def cache_stale(app: Flask, age_s: float = 3600, **fields: Any) -> None:
    """Put the dossier in the hub's cache as fetched ``age_s`` ago."""
    record = Mapping().clean_dossier(portal(**fields))
    DossierCache(app.extensions["motcua.store"]).put_many(
        [record], source="sync", fetched_at=time.time() - age_s
    )


def lookup(client: FlaskClient, raw: str = CODE) -> Any:
    return client.get("/api/v1/dossiers/" + quote(raw, safe=""))


def test_lookup_asks_the_back_end_then_answers_from_cache(
    client: FlaskClient, backend: ScriptedBackEnd
) -> None:
    backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal()})
    first = lookup(client, "h21.22 - 241105 - 0012")
    assert first.status_code == 200, first.json
    dossier, fresh = first.json["dossier"], first.json["freshness"]
    assert dossier["code"] == CODE
    assert dossier["status_vi"] == "Đang xử lý" and dossier["status_en"] == "Being processed"
    assert dossier["timeliness"] == "overdue" and dossier["timeliness_vi"] == "Quá hạn"
    assert dossier["channel"] == "online"
    assert dossier["steps"][0]["name"] == "Tiếp nhận hồ sơ"
    assert dossier["next_vi"] and dossier["next_en"]
    assert (fresh["source"], fresh["stale"], fresh["age_s"]) == ("upstream", False, 0)
    asked = len(backend.requests)
    second = lookup(client, CODE)
    assert second.json["freshness"]["source"] == "cache"
    assert second.json["freshness"]["upstream"] == "skipped"
    assert len(backend.requests) == asked  # fresh enough: the back end was not asked again


def test_personal_data_never_leaves_the_hub(client: FlaskClient, backend: ScriptedBackEnd) -> None:
    backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal()})
    answer = lookup(client)
    text = answer.get_data(as_text=True)
    assert answer.json["dossier"]["applicant_masked"] == "Nguyễn V** A*"
    for secret in ("052090001234", "0905123456", "Trần Hưng Đạo", "Văn An"):
        assert secret not in text


def test_scanned_lookup_url_is_accepted(client: FlaskClient, backend: ScriptedBackEnd) -> None:
    backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal()})
    url = f"https://dichvucong.gialai.gov.vn/tra-cuu?ma={CODE.lower()}"
    assert lookup(client, url).json["dossier"]["code"] == CODE
    # The same URL pasted unencoded: its query arrives as the hub's own query string.
    raw = client.get(f"/api/v1/dossiers/https://dichvucong.gialai.gov.vn/tra-cuu?ma={CODE}")
    assert raw.status_code == 200 and raw.json["dossier"]["code"] == CODE


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("H21.22-241305-0012", "not a real date"),
        ("hello", "three parts"),
        ("H21.22-241105-12", "digits"),
    ],
)
def test_what_is_not_a_code_gets_a_clear_400(client: FlaskClient, raw: str, problem: str) -> None:
    answer = lookup(client, raw)
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "invalid_code"
    assert answer.json["error"]["field"] == "code"
    assert problem in answer.json["error"]["message"]


def test_slow_back_end_answers_from_cache_within_a_second(
    app: Flask, client: FlaskClient, backend: ScriptedBackEnd
) -> None:
    cache_stale(app, age_s=3600)
    backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal(TrangThaiHoSo=9)}, delay_s=3)
    started = time.monotonic()
    answer = lookup(client)
    assert time.monotonic() - started < 1.2
    assert answer.status_code == 200
    fresh = answer.json["freshness"]
    assert (fresh["source"], fresh["stale"], fresh["upstream"]) == ("cache", True, "unavailable")
    assert fresh["age_s"] >= 3600
    assert answer.json["dossier"]["status"] == 4  # what the cache knew


def test_down_back_end_without_cache_is_503_not_404(
    client: FlaskClient, backend: ScriptedBackEnd
) -> None:
    backend.answer(f"/api/hoso/{CODE}", 500, {"error": "boom"})
    answer = lookup(client)
    assert answer.status_code == 503
    assert answer.json["error"]["code"] == "upstream_unavailable"


def test_unknown_code_is_404_dossier_not_found(client: FlaskClient) -> None:
    answer = lookup(client, OTHER)  # the scripted back end answers 404 for it
    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "dossier_not_found"


@pytest.mark.parametrize(
    "body",
    [b"{garbage", b"[" * 100_000, json.dumps({"data": portal(TrangThaiHoSo="xx")}).encode()],
)
def test_garbage_from_the_back_end_leaves_the_cache_intact(
    app: Flask, client: FlaskClient, backend: ScriptedBackEnd, body: bytes
) -> None:
    cache_stale(app, age_s=3600)
    before = DossierCache(app.extensions["motcua.store"]).get(CODE)
    backend.answer(f"/api/hoso/{CODE}", 200, body)
    answer = lookup(client)
    assert answer.status_code == 200
    assert answer.json["freshness"]["upstream"] == "unavailable"
    time.sleep(0.2)  # let the background fetch finish, if it were to write anything
    assert DossierCache(app.extensions["motcua.store"]).get(CODE) == before


def test_back_end_404_for_a_cached_dossier_keeps_showing_it(
    app: Flask, client: FlaskClient
) -> None:
    cache_stale(app, age_s=3600)
    answer = lookup(client)
    assert answer.status_code == 200
    assert answer.json["freshness"]["upstream"] == "not_found"
    assert answer.json["freshness"]["stale"] is True


def test_stale_cache_is_refreshed_when_the_back_end_answers(
    app: Flask, client: FlaskClient, backend: ScriptedBackEnd
) -> None:
    cache_stale(app, age_s=3600)
    backend.answer(
        f"/api/hoso/{CODE}",
        200,
        {"data": portal(TrangThaiHoSo=9, NgayKetThucXuLy="20241118100000")},
    )
    answer = lookup(client).json
    assert answer["dossier"]["status"] == 9 and answer["dossier"]["timeliness"] == "early"
    assert answer["dossier"]["next_en"].startswith("The result is ready")
    assert answer["freshness"]["source"] == "upstream"


def test_without_a_back_end_the_cache_is_all_there_is(tmp_path: Path) -> None:
    app = make_app(tmp_path, None)
    client = app.test_client()
    missing = lookup(client)
    assert missing.status_code == 404 and "hub's records" in missing.json["error"]["message"]
    cache_stale(app, age_s=10)
    found = lookup(client).json
    assert found["freshness"]["upstream"] == "skipped" and found["freshness"]["age_s"] >= 10
    app.extensions["motcua.store"].close()


def test_lookups_are_rate_limited_per_address(tmp_path: Path, backend: ScriptedBackEnd) -> None:
    backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal()})
    app = make_app(tmp_path, backend.url, lookups_per_minute=3)
    client = app.test_client()
    assert [lookup(client).status_code for _ in range(3)] == [200, 200, 200]
    limited = lookup(client)
    assert limited.status_code == 429
    assert limited.json["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    other = client.get(f"/api/v1/dossiers/{CODE}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # another address has its own allowance
    app.extensions["motcua.store"].close()


def test_lookups_are_rate_limited_per_device(tmp_path: Path, backend: ScriptedBackEnd) -> None:
    backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal()})
    creds = seed_copy(tmp_path / "hub.sqlite3", demo.OFFICE)  # the demo office, seeded once
    app = make_app(tmp_path, backend.url, lookups_per_minute=3)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {creds['kiosk']['token']}"}
    statuses = [
        client.get(
            f"/api/v1/dossiers/{CODE}", headers=headers, environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}
        ).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]  # one kiosk, whatever address it comes from
    app.extensions["motcua.store"].close()


def test_guessing_codes_in_bulk_is_throttled(
    app: Flask, client: FlaskClient, backend: ScriptedBackEnd
) -> None:
    backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal()})
    assert lookup(client).status_code == 200
    guesses = [lookup(client, f"H21.22-241105-{n:04d}").status_code for n in range(100, 140)]
    assert 404 in guesses and guesses[-1] == 429
    # While throttled, even a real code is refused, so a refusal tells hits from misses nothing.
    assert lookup(client).status_code == 429


def test_a_recent_complete_sync_vouches_for_unchanged_cached_dossiers(
    app: Flask, client: FlaskClient, backend: ScriptedBackEnd
) -> None:
    cache_stale(app, age_s=3600)  # fetched an hour ago, and has not changed since
    app.extensions["motcua.dossiers"]["sync"].synced_through = time.time() - 30
    answer = lookup(client).json
    assert answer["freshness"]["upstream"] == "skipped" and answer["freshness"]["stale"] is False
    assert 30 <= answer["freshness"]["age_s"] < 40
    assert not any("/api/hoso/" in path for path, _ in backend.requests)


class InlineExecutor(Executor):
    """Runs each fetch before ``submit`` returns: a fetch finished before anyone waits on it."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def test_a_fetch_that_finishes_at_once_does_not_hang_the_lookup(
    tmp_path: Path, backend: ScriptedBackEnd
) -> None:
    store = db.Store(tmp_path / "hub.sqlite3")
    db.migrate(store.conn())
    service = LookupService(
        DossierCache(store),
        HttpAdapter(backend.url, timeout_s=0.5),
        zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"),
        executor=InlineExecutor(),
    )
    backend.answer(f"/api/hoso/{CODE}", 500, {"error": "boom"})
    outcomes: list[str] = []

    def both() -> None:
        try:
            service.lookup(CODE)
        except UpstreamUnavailable:
            outcomes.append("unavailable")
        backend.answer(f"/api/hoso/{CODE}", 200, {"data": portal()})
        outcomes.append(service.lookup(CODE)["freshness"]["source"])

    worker = threading.Thread(target=both, daemon=True)
    worker.start()
    worker.join(10)
    store.close()
    assert not worker.is_alive(), "the lookup deadlocked"
    assert outcomes == ["unavailable", "upstream"]
