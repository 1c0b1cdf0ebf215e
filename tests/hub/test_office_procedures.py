"""The procedures this office handles: chosen in the console (admin), then the procedure API's
``scope=office`` lists and searches only those, and says what the whole catalogue holds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub import core, demo
from tests.hub.conftest import Office, make_office
from tests.hub.test_console import audit_actions, csrf_of, login


@pytest.fixture(scope="module")
def seeded_catalogue(
    bundled_catalogue: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """The demo office over the 1,601 bundled procedures."""
    path = tmp_path_factory.mktemp("office-procedures") / "hub.sqlite3"
    shutil.copy(bundled_catalogue, path)
    return path, demo.seed(path)


@pytest.fixture
def office(tmp_path: Path, seeded_catalogue: tuple[Path, dict[str, Any]]) -> Iterator[Office]:
    o = make_office(tmp_path, seeded_catalogue)
    try:
        yield o
    finally:
        core.shutdown(o.app)


def choose(office: Office, **form: Any) -> Any:
    """Send the office's procedures form as the admin (logging in first if need be)."""
    shown = office.client.get("/console/procedures")
    if shown.status_code != 200:
        assert login(office.client, **office.creds["admin"]).status_code == 303
        shown = office.client.get("/console/procedures")
    token = csrf_of(shown)
    return office.client.post("/console/procedures", data={"csrf": token, **form})


def search(office: Office, **params: str) -> dict[str, Any]:
    answer = office.client.get("/api/v1/procedures", query_string=params)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_the_office_scope_keeps_to_the_chosen_fields_and_codes(office: Office) -> None:
    everything = search(office, q="giay phep xay dung")
    answer = choose(office, level="", fields=["Hộ tịch"], codes="1.005058")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    listed = search(office, scope="office", limit="100")
    assert listed["total"] > 20
    assert {p["field"] for p in listed["procedures"]} == {"Hộ tịch"} | {
        p["field"] for p in listed["procedures"] if p["code"] == "1.005058"
    }
    assert "1.005058" in {p["code"] for p in search(office, scope="office", q="1.005058")[
        "procedures"]}  # fmt: skip
    # Of the building permits only the railway one picked by code is this office's; the whole
    # catalogue has more, and the answer says so.
    scoped = search(office, scope="office", q="giay phep xay dung")
    assert [p["code"] for p in scoped["procedures"]] == ["1.005058"]
    assert scoped["all_total"] == everything["total"] > 1 and scoped["elsewhere"] is True
    # Marriage registration is all the office's (Hộ tịch): nothing new elsewhere.
    assert search(office, scope="office", q="dang ky ket hon")["elsewhere"] is False
    # Birth registration is: found in the office's list.
    birth = search(office, scope="office", q="khai sinh")
    assert birth["total"] > 0 and all(p["field"] == "Hộ tịch" for p in birth["procedures"])
    fields = office.client.get("/api/v1/procedures/fields?scope=office").json["fields"]
    assert [f["name"] for f in fields] == sorted(
        {"Hộ tịch", *(p["field"] for p in search(office, q="1.005058")["procedures"])},
        key=lambda name: -next(f["count"] for f in fields if f["name"] == name),
    )
    assert ("procedures.office", "admin", "-") in audit_actions(office)


def test_a_level_narrows_the_fields(office: Office) -> None:
    assert choose(office, level="", fields=["Đất đai"]).status_code == 303
    every_level = search(office, scope="office")["total"]
    assert choose(office, level="Cấp xã", fields=["Đất đai"]).status_code == 303
    commune = search(office, scope="office", limit="100")
    assert 0 < commune["total"] < every_level
    page = office.client.get("/console/procedures").get_data(as_text=True)
    assert f"{commune['total']} " in page  # the page says how many the choice makes


@pytest.mark.parametrize(
    ("form", "named"),
    [
        ({"level": "Cấp sao Hỏa", "fields": ["Hộ tịch"]}, "Cấp thực hiện"),
        ({"fields": ["Không có lĩnh vực này"]}, "Lĩnh vực"),
        ({"fields": ["Hộ tịch"], "codes": "1.005058\n9.999999"}, "9.999999"),
        ({"codes": ""}, "Lĩnh vực"),
    ],
)
def test_a_wrong_choice_is_refused_by_name_and_changes_nothing(
    office: Office, form: dict[str, Any], named: str
) -> None:
    before = search(office, scope="office")["total"]
    answer = choose(office, **form)
    assert answer.status_code == 400
    assert named in answer.get_data(as_text=True)
    assert search(office, scope="office")["total"] == before
    assert "procedures.office" not in {a[0] for a in audit_actions(office)}


def test_an_unknown_scope_is_refused_by_name(office: Office) -> None:
    answer = office.client.get("/api/v1/procedures?scope=mine")
    assert answer.status_code == 400 and answer.json["error"]["field"] == "scope"
    assert office.client.get("/api/v1/procedures/fields?scope=").status_code == 400
