"""The push adapter: a real hub process receiving signed webhook deliveries."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.testing import HubProcess, start_hub
from hub.upstream.push import signed_headers

SECRET = "webhook-test-secret"
PATH = "/api/v1/upstream/webhook"


def portal(code: str, status: int = 4, **fields: Any) -> dict[str, Any]:
    record = {
        "MaHoSo": code, "MaTTHC": "1.001612", "TenTTHC": "Cấp giấy phép xây dựng",
        "TrangThaiHoSo": status, "NgayTiepNhan": "20261105083000",
        "NgayHenTra": "20261230170000", "ChuHoSo": "Lê Thị Hoa",
        "SoDienThoai": "0905123456", "SoGiayToChuHoSo": "052090001234",
    }  # fmt: skip
    record.update(fields)
    return record


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = start_hub(
        tmp_path_factory.mktemp("webhook"), settings={"upstream": {"webhook_secret": SECRET}}
    )
    try:
        yield process
    finally:
        process.stop()


def post(hub: HubProcess, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        hub.url + PATH, data=body, method="POST", headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def deliver(hub: HubProcess, payload: Any, secret: str = SECRET, **kw: Any) -> tuple[int, Any]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    delivery = kw.pop("delivery", uuid.uuid4().hex)
    return post(hub, body, signed_headers(secret, delivery, body, **kw))


def test_signed_delivery_updates_the_cache_and_drops_personal_data(hub: HubProcess) -> None:
    code = "H21.22-261105-0101"
    status, body = deliver(
        hub, {"data": [portal(code), portal("nonsense"), portal("H21.22-261305-0101")]}
    )
    assert status == 200, body
    assert (body["accepted"], body["rejected"]) == (1, 2)
    assert "MaHoSo" in body["errors"][0]
    status, found = hub.request("GET", f"/api/v1/dossiers/{code}")
    assert status == 200
    assert found["dossier"]["status"] == 4
    assert found["dossier"]["applicant_masked"] == "Lê T** H**"
    text = json.dumps(found, ensure_ascii=False)
    assert "0905123456" not in text and "052090001234" not in text
    deliver(hub, {"data": [portal(code, status=9, NgayKetThucXuLy="20261120090000")]})
    assert hub.request("GET", f"/api/v1/dossiers/{code}")[1]["dossier"]["status"] == 9


def test_replayed_delivery_is_refused_and_changes_nothing(hub: HubProcess) -> None:
    code = "H21.22-261105-0102"
    body = json.dumps({"data": [portal(code, status=4)]}).encode()
    headers = signed_headers(SECRET, "delivery-0102", body)
    assert post(hub, body, headers)[0] == 200
    deliver(hub, {"data": [portal(code, status=10)]})  # a later, genuine change
    status, answer = post(hub, body, headers)  # an attacker replays the old one
    assert status == 409 and answer["error"]["code"] == "replayed"
    assert hub.request("GET", f"/api/v1/dossiers/{code}")[1]["dossier"]["status"] == 10


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ("wrong secret", "does not match"),
        ("tampered body", "does not match"),
        ("no signature", "sha256="),
        ("no timestamp", "unix seconds"),
        ("bad delivery id", "X-Motcua-Delivery"),
        ("old timestamp", "away from the hub's clock"),
        ("future timestamp", "away from the hub's clock"),
    ],
)
def test_bad_signatures_are_refused(hub: HubProcess, tamper: str, problem: str) -> None:
    code = "H21.22-261105-0103"
    body = json.dumps({"data": [portal(code)]}).encode()
    headers = signed_headers(SECRET, uuid.uuid4().hex, body)
    if tamper == "wrong secret":
        headers = signed_headers("guess", uuid.uuid4().hex, body)
    elif tamper == "tampered body":
        body = body.replace(b'"TrangThaiHoSo": 4', b'"TrangThaiHoSo": 9')
    elif tamper == "no signature":
        del headers["X-Motcua-Signature"]
    elif tamper == "no timestamp":
        del headers["X-Motcua-Timestamp"]
    elif tamper == "bad delivery id":
        headers = signed_headers(SECRET, "x y", body)
    elif tamper == "old timestamp":
        headers = signed_headers(SECRET, uuid.uuid4().hex, body, now=time.time() - 600)
    elif tamper == "future timestamp":
        headers = signed_headers(SECRET, uuid.uuid4().hex, body, now=time.time() + 600)
    status, answer = post(hub, body, headers)
    assert status == 401
    assert problem in answer["error"]["message"]
    assert hub.request("GET", f"/api/v1/dossiers/{code}")[0] == 404  # nothing was stored


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (b"{not json", 400),
        (b"[" * 100_000, 400),
        ({"data": {"MaHoSo": "x"}}, 400),
        ({"dossiers": []}, 400),
        ({"data": [{}] * 1001}, 413),
    ],
)
def test_malformed_deliveries_are_refused(hub: HubProcess, payload: Any, status: int) -> None:
    assert deliver(hub, payload)[0] == status


def test_huge_body_is_refused_before_it_is_sent(hub: HubProcess) -> None:
    body = b'{"data": ["' + b"x" * (3 * 1024 * 1024) + b'"]}'
    # A sender of a large body asks first (Expect: 100-continue), as curl does. The hub answers
    # from the headers alone: had it asked for the body, the answer would never come. (Sending
    # the body regardless races the hub closing the connection: a broken pipe, not an answer.)
    conn = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=10)
    try:
        conn.putrequest("POST", PATH)
        headers = {**signed_headers(SECRET, uuid.uuid4().hex, body), "Expect": "100-continue"}
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            conn.putheader(name, value)
        conn.endheaders()
        answer = conn.getresponse()
        assert answer.status == 413
        assert json.loads(answer.read())["error"]["code"] == "too_large"
    finally:
        conn.close()


def test_webhook_is_off_without_a_secret(tmp_path: Path) -> None:
    hub = start_hub(tmp_path)
    try:
        status, answer = deliver(hub, {"data": []})
        assert status == 404 and "not enabled" in answer["error"]["message"]
    finally:
        hub.stop()
