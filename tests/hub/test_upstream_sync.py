"""Periodic sync: against the real simulator process, and a scripted back end that fails."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from hub import db
from hub.catalogue.procedures import Catalogue
from hub.dossiers.cache import DossierCache
from hub.upstream.base import UpstreamBadData, UpstreamError
from hub.upstream.http import HttpAdapter
from hub.upstream.sync import CURSOR_KEY, SyncWorker
from hub.upstream.testing import ScriptedBackEnd, SimProcess, send

CHANGES = "/api/hoso/thay-doi"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimProcess]:
    process = SimProcess(dossiers=400, seed=11)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[db.Store]:
    store = db.Store(tmp_path / "hub.sqlite3")
    db.migrate(store.conn())
    yield store
    store.close()


def worker_for(url: str, store: db.Store, **kw: Any) -> SyncWorker:
    adapter = HttpAdapter(url, timeout_s=1.0, page_timeout_s=2.0)
    return SyncWorker(adapter, DossierCache(store), Catalogue(store), **kw)


@pytest.mark.slow
def test_full_then_incremental_sync_from_the_simulator(sim: SimProcess, store: db.Store) -> None:
    worker = worker_for(sim.url, store)
    assert worker.sync_catalogue() == 1601
    assert Catalogue(store).search("giay phep xay dung")[0] > 0
    report = worker.run_once()
    cache = DossierCache(store)
    assert report.dossiers == cache.count() > 300  # a few are received later today
    assert report.rejected == 0 and report.pages >= 1
    for sample in sim.samples():
        cached = cache.get(sample["code"])
        assert cached is not None, sample
        assert cached["status"] == sample["status"]
        assert cached["applicant_masked"] and "*" in cached["applicant_masked"]
    assert worker.run_once().dossiers <= 2  # only what changed in the last moment


def test_simulator_outage_keeps_the_cursor(sim: SimProcess, store: db.Store) -> None:
    worker = worker_for(sim.url, store)
    worker.run_once()
    cursor = DossierCache(store).state(CURSOR_KEY)
    sim.set_mode("down")
    try:
        with pytest.raises(UpstreamError):
            worker.run_once()
        worker.tick()  # the loop's pass never raises; it counts and backs off
        assert worker.failures == 1 and "503" in (worker.last_error or "")
    finally:
        sim.set_mode("ok")
    assert DossierCache(store).state(CURSOR_KEY) == cursor


def test_failure_mid_sync_resumes_after_the_last_committed_page(store: db.Store) -> None:
    pages = {
        "": {"data": [page_item("0001")], "next_cursor": "p1", "has_more": True},
        "p1": {"data": [page_item("0002")], "next_cursor": "p2", "has_more": True},
        "p2": {"data": [page_item("0003")], "next_cursor": "p3", "has_more": False},
    }
    broken = {"p1"}

    def behaviour(handler: Any) -> None:
        cursor = parse_qs(urlsplit(handler.path).query).get("cursor", [""])[0]
        if cursor in broken:
            send(handler, 500, b"{}")
        else:
            send(handler, 200, json.dumps(pages[cursor]).encode())

    with ScriptedBackEnd() as backend:
        backend.answer_with(CHANGES, behaviour)
        worker = worker_for(backend.url, store)
        with pytest.raises(UpstreamError, match="500"):
            worker.run_once()
        cache = DossierCache(store)
        assert cache.state(CURSOR_KEY) == "p1" and cache.count() == 1
        broken.clear()
        report = worker.run_once()
        assert report.dossiers == 2 and cache.count() == 3
        assert cache.state(CURSOR_KEY) == "p3"
        assert "cursor=p1" in backend.requests[-2][0]  # resumed, not restarted


def page_item(sequence: str) -> dict[str, Any]:
    return {"MaHoSo": f"H21.22-241105-{sequence}", "TrangThaiHoSo": 4}


def test_a_cursor_that_does_not_move_is_bad_data(store: db.Store) -> None:
    with ScriptedBackEnd() as backend:
        backend.answer(CHANGES, 200, {"data": [], "next_cursor": "same", "has_more": True})
        DossierCache(store).set_state(CURSOR_KEY, "same")
        with pytest.raises(UpstreamBadData, match="cursor did not move"):
            worker_for(backend.url, store).run_once()


def test_backoff_grows_with_jitter_and_resets(store: db.Store) -> None:
    worker = SyncWorker(
        HttpAdapter("http://127.0.0.1:9"), DossierCache(store), interval_s=10, rng=lambda: 1.0
    )
    assert worker.delay() == 10
    delays = []
    for _ in range(12):
        worker.failures += 1
        delays.append(worker.delay())
    assert delays[:3] == [20, 40, 80] and delays[-1] == 900  # capped
    worker.rng = lambda: 0.0
    assert worker.delay() == 450  # jitter: half to all of the backoff
    worker.failures = 0
    assert worker.delay() == 10


def test_background_thread_syncs_and_stops(store: db.Store) -> None:
    with ScriptedBackEnd() as backend:
        backend.answer(
            CHANGES, 200, {"data": [page_item("0042")], "next_cursor": "x", "has_more": False}
        )
        backend.answer("/api/tthc", 200, {"data": [], "next_cursor": None, "has_more": False})
        worker = worker_for(backend.url, store, interval_s=0.1)
        worker.start()
        try:
            deadline = time.monotonic() + 5
            while DossierCache(store).count() == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            worker.stop()
        assert DossierCache(store).get("H21.22-241105-0042") is not None
        assert worker.status()["failures"] == 0 and worker.status()["cursor"] == "x"
        assert worker._thread is None


def test_only_a_complete_pass_moves_synced_through(store: db.Store) -> None:
    pages = {"": {"data": [page_item("0001")], "next_cursor": "p1", "has_more": True}}

    def behaviour(handler: Any) -> None:
        cursor = parse_qs(urlsplit(handler.path).query).get("cursor", [""])[0]
        if cursor in pages:
            send(handler, 200, json.dumps(pages[cursor]).encode())
        else:
            send(handler, 503, b"{}")

    with ScriptedBackEnd() as backend:
        backend.answer_with(CHANGES, behaviour)
        worker = worker_for(backend.url, store, clock=lambda: 1000.0)
        with pytest.raises(UpstreamError):
            worker.run_once()
        assert worker.synced_through == 0.0  # the first page alone proves nothing about others
        pages["p1"] = {"data": [], "next_cursor": "p2", "has_more": False}
        worker.run_once()
        assert worker.synced_through == 1000.0
