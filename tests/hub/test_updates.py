"""Updates over the LAN, the hub's side: the newest version in the wheelhouse with its files'
digests, the files themselves to devices only, and which version each device's app runs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub import core
from tests.hub.conftest import Office, make_office
from tests.provisioning.wheels import make_wheel


@pytest.fixture
def office(tmp_path: Path, seeded_db: tuple[Path, dict[str, Any]]) -> Iterator[Office]:
    """The demo office with a wheelhouse holding two releases and a dependency."""
    house = tmp_path / "wheelhouse"
    for version in ("0.9.0", "0.10.0"):
        make_wheel(house, version)
    make_wheel(house, "1.2.3", name="dependency")
    (house / "notes.txt").write_text("not a wheel")
    o = make_office(tmp_path, seeded_db, updates_dir=str(house))
    try:
        yield o
    finally:
        core.shutdown(o.app)


def test_the_newest_release_is_offered_with_its_files(office: Office, tmp_path: Path) -> None:
    status, body = office.req("GET", "/updates", token=office.kiosk)
    assert status == 200
    assert body["version"] == "0.10.0"  # 10 after 9, as numbers
    names = [f["name"] for f in body["files"]]
    assert names == ["dependency-1.2.3-py3-none-any.whl", "motcua-0.10.0-py3-none-any.whl"]
    wheel = tmp_path / "wheelhouse" / "motcua-0.10.0-py3-none-any.whl"
    listed = next(f for f in body["files"] if f["name"] == wheel.name)
    assert listed == {"name": wheel.name, "size": wheel.stat().st_size,
                      "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()}  # fmt: skip
    auth = {"Authorization": f"Bearer {office.kiosk}"}
    with office.client.get(f"/api/v1/updates/files/{wheel.name}", headers=auth) as answer:
        assert answer.status_code == 200 and answer.data == wheel.read_bytes()


def test_files_are_for_devices_and_only_wheels_of_the_house(office: Office) -> None:
    assert office.client.get("/api/v1/updates").status_code == 401
    auth = {"Authorization": f"Bearer {office.kiosk}"}
    for name in ("notes.txt", "..%2Fhub.sqlite3", "missing-1.0-py3-none-any.whl"):
        assert office.client.get(f"/api/v1/updates/files/{name}", headers=auth).status_code == 404


def test_the_hub_notes_the_version_each_app_runs(office: Office) -> None:
    assert office.req("GET", "/updates", token=office.kiosk)[1]["device"] is None
    office.req("GET", "/state", token=office.kiosk, headers={"User-Agent": "motcua-app/0.10.0"})
    seen = office.req("GET", "/updates", token=office.kiosk)[1]["device"]
    assert seen["version"] == "0.10.0"
    # Another device's app, the updater and requests without a token don't count for the kiosk.
    office.req("GET", "/state", token=office.display, headers={"User-Agent": "motcua-app/0.9.0"})
    office.req("GET", "/updates", token=office.kiosk, headers={"User-Agent": "motcua-updater/1"})
    office.req("GET", "/state", headers={"User-Agent": "motcua-app/0.1.0"})
    assert office.req("GET", "/updates", token=office.kiosk)[1]["device"]["version"] == "0.10.0"
    assert office.req("GET", "/updates", token=office.display)[1]["device"]["version"] == "0.9.0"


def test_no_wheelhouse_offers_nothing(tmp_path: Path, seeded_db: tuple[Path, Any]) -> None:
    o = make_office(tmp_path, seeded_db)
    try:
        assert o.req("GET", "/updates", token=o.kiosk)[1] == {
            "version": None, "files": [], "device": None}  # fmt: skip
    finally:
        core.shutdown(o.app)


def test_the_console_lists_each_devices_version_and_what_is_offered(office: Office) -> None:
    from tests.hub.test_console import as_admin

    office.req("GET", "/state", token=office.kiosk, headers={"User-Agent": "motcua-app/0.9.0"})
    as_admin(office)
    page = office.client.get("/console/devices").get_data(as_text=True)
    assert '0.9.0 <span class="behind">(hub có bản cập nhật 0.10.0' in page
