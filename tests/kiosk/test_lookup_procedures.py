"""Dossier lookup and procedure information through a real hub relaying the real simulator."""

from __future__ import annotations

import pytest

from hub.inprocess import InProcessHub
from hub.upstream.testing import SimProcess
from kiosk.controllers.kiosk import Kiosk


def type_code(kiosk: Kiosk, code: str) -> None:
    kiosk.go("lookup")
    for key in code:
        kiosk.lookup.press(key)


def test_a_good_code_typed_on_the_keypad(relay_kiosk: Kiosk, sim: SimProcess):
    sample = next(s for s in sim.samples() if s["what"] != "overdue")
    type_code(relay_kiosk, sample["code"])
    relay_kiosk.lookup.submit()
    lookup = relay_kiosk.lookup
    assert lookup.stage == "found"
    assert lookup.dossier["code"] == sample["code"]
    assert lookup.dossier["status"] == sample["status"]
    assert "*" in lookup.dossier["applicant_masked"]  # never the full name on a public screen
    assert lookup.freshness["age_s"] >= 0


def test_a_scanned_lookup_url_finds_the_dossier(relay_kiosk: Kiosk, sim: SimProcess):
    sample = sim.samples()[0]
    relay_kiosk.scanned(f"https://dichvucong.gialai.gov.vn/tra-cuu?ma={sample['code']}")
    assert relay_kiosk.visible_screen == "dossier"
    assert relay_kiosk.lookup.stage == "found"
    assert relay_kiosk.lookup.dossier["code"] == sample["code"]
    assert relay_kiosk.lookup.code == sample["code"]


def test_overdue_dossier_says_so(relay_kiosk: Kiosk, sim: SimProcess):
    overdue = next(s for s in sim.samples() if s["what"] == "overdue")
    relay_kiosk.scanned(overdue["code"].lower())
    assert relay_kiosk.lookup.dossier["timeliness"] == "overdue"
    assert relay_kiosk.lookup.dossier["timeliness_vi"]


def test_malformed_codes_are_named_as_such(relay_kiosk: Kiosk):
    type_code(relay_kiosk, "12")
    relay_kiosk.lookup.submit()
    assert relay_kiosk.lookup.stage == "malformed"  # too short to ask the hub about
    type_code(relay_kiosk, "H21.22-2411-0012-XYZ.Q")
    relay_kiosk.lookup.submit()
    assert relay_kiosk.lookup.stage == "malformed"  # the hub's verdict (400 invalid_code)


def test_an_unknown_code_is_not_found(relay_kiosk: Kiosk):
    type_code(relay_kiosk, "H21.22-200101-0001")
    relay_kiosk.lookup.submit()
    assert relay_kiosk.lookup.stage == "unknown"
    relay_kiosk.scanned("https://dichvucong.gialai.gov.vn/tra-cuu?ma=h21.22-200101-0002")
    assert relay_kiosk.lookup.stage == "unknown"
    relay_kiosk.edit_code()
    assert relay_kiosk.lookup.code == "H21.22-200101-0002"  # the code to correct, not the URL


def test_back_end_down_means_cannot_check_now(relay_kiosk: Kiosk, sim: SimProcess):
    sim.set_mode("down")
    try:
        type_code(relay_kiosk, "H21.22-200101-0777")  # not cached: only the back end knows
        relay_kiosk.lookup.submit()
        assert relay_kiosk.lookup.stage == "unavailable"
    finally:
        sim.set_mode("ok")


def test_hub_down_means_cannot_check_now_and_offline(relay_kiosk: Kiosk, relay_hub: InProcessHub):
    relay_hub.stop()
    try:
        type_code(relay_kiosk, "H21.22-200101-0001")
        relay_kiosk.lookup.submit()
        assert relay_kiosk.lookup.stage == "unavailable"
        assert relay_kiosk.services.online is False
    finally:
        relay_hub.start()


def test_procedure_search_without_diacritics_then_detail(relay_kiosk: Kiosk):
    relay_kiosk.go("procedures")
    procedures = relay_kiosk.procedures
    assert procedures.fields and all("name" in f for f in procedures.fields)
    for key in "dang ky ket hon":
        procedures.press("SPACE" if key == " " else key)
    procedures.search()
    assert procedures.stage == "results" and procedures.total > 0
    first = procedures.results[0]
    assert "kết hôn" in first["name"].lower()
    relay_kiosk.open_procedure(first["code"])
    assert relay_kiosk.visible_screen == "procedure"
    assert procedures.procedure["code"] == first["code"]
    relay_kiosk.close_procedure()
    assert procedures.stage == "results" and procedures.procedure is None


def test_browse_a_field_and_page_through(relay_kiosk: Kiosk):
    relay_kiosk.go("procedures")
    procedures = relay_kiosk.procedures
    biggest = max(procedures.fields, key=lambda f: f.get("count", 0))
    procedures.browse(biggest["name"])
    assert procedures.stage == "results"
    assert procedures.total == biggest["count"]
    assert all(p["field"] == biggest["name"] for p in procedures.results)
    if procedures.total > len(procedures.results):
        shown = len(procedures.results)
        procedures.more()
        assert len(procedures.results) > shown
    relay_kiosk.go_home()
    assert procedures.query == "" and procedures.results == []


@pytest.mark.slow
def test_procedures_come_back_by_themselves_after_the_hub_does(
    relay_kiosk: Kiosk, relay_hub: InProcessHub
):
    relay_hub.stop()
    try:
        relay_kiosk.go("procedures")
        assert relay_kiosk.procedures.error == "offline" and relay_kiosk.procedures.fields == []
        assert relay_kiosk.services.online is False
    finally:
        relay_hub.start()
    relay_kiosk.services.refresh()  # what the app's timer does every few seconds while offline
    assert relay_kiosk.services.online is True
    assert relay_kiosk.procedures.error is None and relay_kiosk.procedures.fields


def test_a_burst_of_bad_codes_meets_the_rate_limit_screen(kiosk: Kiosk):
    stages = []
    for n in range(40):  # someone walking through codes, or a child at the keypad
        type_code(kiosk, f"XYZ.{n:04d}-NOT-A-CODE")
        kiosk.lookup.submit()
        stages.append(kiosk.lookup.stage)
    assert stages[0] == "malformed"
    assert stages[-1] == "rate_limited"
    assert set(stages) == {"malformed", "rate_limited"}


def search_for(kiosk: Kiosk, words: str) -> None:
    kiosk.go("procedures")
    for key in words:
        kiosk.procedures.press("SPACE" if key == " " else key)
    kiosk.procedures.search()


def test_everyday_words_find_the_procedure_meant(relay_kiosk: Kiosk):
    search_for(relay_kiosk, "so do")
    procedures = relay_kiosk.procedures
    assert procedures.stage == "results" and not procedures.not_found
    assert "giấy chứng nhận quyền sử dụng đất" in procedures.results[0]["name"].lower()


def test_nonsense_says_not_found_and_offers_fields(relay_kiosk: Kiosk):
    search_for(relay_kiosk, "qwerty zxcvb")
    procedures = relay_kiosk.procedures
    assert procedures.stage == "results" and procedures.total == 0 and procedures.not_found
    offered = [f["name"] for f in procedures.suggested_fields]
    assert "Hộ tịch" in offered
    procedures.browse_suggested("Hộ tịch")
    assert procedures.query == "" and procedures.field == "Hộ tịch"
    assert procedures.total > 0 and not procedures.not_found
    assert all(p["field"] == "Hộ tịch" for p in procedures.results)


def test_a_procedure_page_reads_clean_and_shows_the_original_on_request(relay_kiosk: Kiosk):
    search_for(relay_kiosk, "giay phep xay dung")
    procedures = relay_kiosk.procedures
    first = procedures.results[0]
    assert first["name"].startswith("Cấp giấy phép xây dựng mới")
    relay_kiosk.open_procedure(first["code"])
    shown = procedures.procedure
    assert not any(line.endswith(".docx (1 bản chính)") for line in shown["documents"])
    assert shown["raw"]["documents"] != shown["documents"]
    assert procedures.show_raw is False
    procedures.toggle_raw()
    assert procedures.show_raw is True
    relay_kiosk.close_procedure()
    assert procedures.show_raw is False and procedures.stage == "results"


def test_this_offices_procedures_first_and_every_procedure_on_asking(relay_kiosk: Kiosk):
    relay_kiosk.go("procedures")
    procedures = relay_kiosk.procedures
    # The default office is a commune's: no customs, tax or banking before the citizen asks.
    offered = {f["name"] for f in procedures.fields}
    assert "Hộ tịch" in offered and "Hải quan" not in offered and "Thuế" not in offered
    search_for(relay_kiosk, "giay phep xay dung duong sat")
    assert not any("đường sắt" in p["name"] for p in procedures.results)
    assert procedures.elsewhere  # the whole catalogue has railway permits: offer them
    procedures.search_everywhere()
    assert procedures.everywhere and any("đường sắt" in p["name"] for p in procedures.results)
    assert "Hải quan" in {f["name"] for f in procedures.fields}
    relay_kiosk.go_home()  # the next citizen starts with this office's procedures again
    assert not procedures.everywhere
    assert "Hải quan" not in {f["name"] for f in procedures.fields}
