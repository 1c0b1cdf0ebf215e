"""End to end: a real hub process relaying a real simulator process, which then misbehaves."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from hub.testing import HubProcess, start_hub
from hub.upstream.testing import SimProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sim() -> Iterator[SimProcess]:
    process = SimProcess(dossiers=600, seed=5)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def hub(sim: SimProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    upstream = {"kind": "sim", "base_url": sim.url, "sync_interval_s": 1.0,
                "stale_after_s": 2.0, "timeout_s": 0.5}  # fmt: skip
    process = start_hub(tmp_path_factory.mktemp("e2e"), settings={"upstream": upstream})
    try:
        yield process
    finally:
        process.stop()


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_catalogue_arrives_and_searches_without_diacritics(hub: HubProcess) -> None:
    def synced() -> bool:
        return hub.request("GET", "/api/v1/procedures?q=giay%20phep%20xay%20dung")[1]["total"] > 0

    wait_for(synced)
    status, body = hub.request("GET", "/api/v1/procedures?q=dang%20ky%20ket%20hon&limit=3")
    assert status == 200
    assert any("đăng ký kết hôn" in p["name"].lower() for p in body["procedures"])


def test_simulated_codes_look_up_with_their_status(hub: HubProcess, sim: SimProcess) -> None:
    samples = sim.samples()
    assert len(samples) >= 4

    def synced() -> bool:  # the relay's sync has brought them; until then a lookup goes upstream
        with contextlib.closing(sqlite3.connect(hub.db_path)) as conn:
            cached = {row[0] for row in conn.execute("SELECT code FROM dossiers")}
        return all(sample["code"].upper() in cached for sample in samples)

    wait_for(synced)
    for sample in samples:
        status, body = hub.request("GET", "/api/v1/dossiers/" + quote(sample["code"].lower()))
        assert status == 200, body
        assert body["dossier"]["status"] == sample["status"]
        assert body["dossier"]["procedure_name"]
        assert "*" in body["dossier"]["applicant_masked"]
    overdue = next(s for s in samples if s["what"] == "overdue")
    body = hub.request("GET", f"/api/v1/dossiers/{overdue['code']}")[1]
    assert body["dossier"]["timeliness"] == "overdue"
    status, body = hub.request("GET", "/api/v1/dossiers/H21.22-200101-0001")
    assert status == 404 and body["error"]["code"] == "dossier_not_found"


@pytest.mark.parametrize("mode", ["slow", "down", "garbage"])
def test_misbehaving_back_end_still_answers_from_cache_quickly(
    hub: HubProcess, sim: SimProcess, mode: str
) -> None:
    code = sim.samples()[0]["code"]
    assert hub.request("GET", f"/api/v1/dossiers/{code}")[0] == 200  # cached
    sim.set_mode(mode)
    try:
        time.sleep(2.1)  # the cached answer goes stale, so the hub asks the back end
        started = time.monotonic()
        status, body = hub.request("GET", f"/api/v1/dossiers/{code}")
        assert time.monotonic() - started < 1.5
        assert status == 200
        assert body["freshness"]["stale"] is True
        assert body["freshness"]["upstream"] == "unavailable"
        assert body["freshness"]["age_s"] >= 2
        started = time.monotonic()
        status, body = hub.request("GET", "/api/v1/dossiers/H21.22-200101-0002")
        assert time.monotonic() - started < 1.5
        assert status == 503 and body["error"]["code"] == "upstream_unavailable"
    finally:
        sim.set_mode("ok")
    assert hub.request("GET", "/healthz")[0] == 200


def test_simulator_pushes_signed_changes_to_a_hub_that_does_not_pull(tmp_path: Path) -> None:
    secret = "push-e2e-secret"
    hub = start_hub(tmp_path / "hub", settings={"upstream": {"webhook_secret": secret}})
    sim = None
    try:
        hook = f"{hub.url}/api/v1/upstream/webhook"
        sim = SimProcess(
            dossiers=1500,
            seed=9,
            extra=["--push-url", hook, "--push-secret", secret, "--push-every", "0.3",
                   "--push-backlog", str(60 * 86400)],
        )  # fmt: skip
        code = sim.samples()[0]["code"]
        wait_for(lambda: hub.request("GET", f"/api/v1/dossiers/{code}")[0] == 200)
        body = hub.request("GET", f"/api/v1/dossiers/{code}")[1]
        assert body["freshness"]["upstream"] == "skipped"  # from what was pushed, not pulled
        wait_for(lambda: "pushed 1000 dossiers: HTTP 200" in sim.log())  # batches of 1,000
    finally:
        if sim is not None:
            sim.stop()
        hub.stop()
