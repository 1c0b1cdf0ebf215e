"""Lookup and procedure screens for real, offscreen, through a hub relaying upstream-sim."""

from __future__ import annotations

import pytest
from kiosk_support import screen, shot

pytestmark = pytest.mark.gui


def press(driver, keys: str) -> None:
    """Tap keys of the dossier-code keypad (switching to letters and back when needed)."""
    for key in keys:
        found = [w for w in driver.app.root.walk() if getattr(w, "key", None) == key]
        if not found:
            toggle = "ABC" if key.isalpha() else "123"
            driver.tap(driver.find(lambda w, t=toggle: getattr(w, "key", None) == t))
            driver.pump(2)
            found = [w for w in driver.app.root.walk() if getattr(w, "key", None) == key]
        driver.tap(found[0])


def test_good_code_typed_shows_status_dates_steps_and_freshness(run_relay_kiosk, sim, tmp_path):
    sample = next(s for s in sim.samples() if s["what"] != "overdue")
    driver = run_relay_kiosk()
    app = driver.app
    driver.tap(screen(driver, "home").ids.lookup)
    driver.wait_until(lambda: app.manager.current == "lookup", 5, "the keypad")
    driver.pump(3)
    press(driver, sample["code"])
    assert screen(driver, "lookup").ids.code.text == sample["code"]
    shot(driver, tmp_path, "kiosk-lookup-typed")
    submit = screen(driver, "lookup").ids.submit
    driver.wait_until(lambda: not submit.disabled, 5, "the Look up button enabled")
    driver.tap(submit)
    driver.wait_until(lambda: app.kiosk.lookup.stage != "entry", 5, "the tap on Look up")
    dossier = screen(driver, "dossier")
    driver.wait_until(lambda: app.kiosk.lookup.stage != "checking", 10, "the answer")
    assert app.kiosk.lookup.stage == "found", (app.kiosk.lookup.stage, app.kiosk.lookup.code)
    driver.pump(3)
    shown = " ".join(w.text for w in dossier.ids.body.children)
    assert dossier.ids.title.text == app.kiosk.lookup.dossier["status_vi"]
    assert "Ngày hẹn trả" in shown and "Cập nhật" in shown
    assert app.kiosk.lookup.dossier["applicant_masked"] in shown
    shot(driver, tmp_path, "kiosk-dossier-found")
    # The services refresh every second here; the answer being read is not rebuilt by it.
    first_line, loaded = dossier.ids.body.children[-1], app.kiosk.services.loaded_at
    driver.wait_until(lambda: app.kiosk.services.loaded_at != loaded, 5, "a services refresh")
    driver.pump(3)
    assert dossier.ids.body.children[-1] is first_line


def test_a_wedge_scan_from_the_home_screen_looks_the_code_up(run_relay_kiosk, sim, tmp_path):
    from kivy.core.window import Window

    overdue = next(s for s in sim.samples() if s["what"] == "overdue")
    driver = run_relay_kiosk()
    app = driver.app
    for ch in f"https://dichvucong.gialai.gov.vn/tra-cuu?ma={overdue['code']}":
        Window.dispatch("on_textinput", ch)
    Window.dispatch("on_key_down", 13, 40, "\r", [])
    driver.wait_until(lambda: app.manager.current == "dossier", 5, "the answer screen")
    driver.wait_until(lambda: app.kiosk.lookup.stage == "found", 10, "the answer")
    driver.pump(3)
    shown = " ".join(w.text for w in screen(driver, "dossier").ids.body.children)
    assert "Quá hạn" in shown or "quá hạn" in shown
    shot(driver, tmp_path, "kiosk-dossier-overdue-scanned")


def test_unknown_code_says_so_and_offers_to_correct_it(run_relay_kiosk, tmp_path):
    driver = run_relay_kiosk()
    app = driver.app
    app.kiosk.scanned("H21.22-200101-0001")
    dossier = screen(driver, "dossier")
    driver.wait_until(lambda: dossier.ids.title.text == "Không có hồ sơ nào mang mã này", 10, "404")
    shot(driver, tmp_path, "kiosk-dossier-unknown")


def test_cannot_check_now_when_the_back_end_is_down(run_relay_kiosk, sim, tmp_path):
    driver = run_relay_kiosk()
    app = driver.app
    sim.set_mode("down")
    try:
        app.kiosk.scanned("H21.22-200101-0999")
        dossier = screen(driver, "dossier")
        driver.wait_until(lambda: dossier.ids.title.text == "Chưa tra cứu được lúc này", 10, "503")
        assert dossier.ids.again.opacity == 1  # a "try again" button
        shot(driver, tmp_path, "kiosk-dossier-unavailable")
    finally:
        sim.set_mode("ok")


def test_procedure_search_on_the_vietnamese_keyboard_then_detail(run_relay_kiosk, tmp_path):
    driver = run_relay_kiosk()
    app = driver.app
    driver.tap(screen(driver, "home").ids.procedures)
    procedures = screen(driver, "procedures")
    driver.wait_until(lambda: len(procedures.ids.list.children) > 3, 10, "the fields")
    shot(driver, tmp_path, "kiosk-procedures-fields")
    assert not any(getattr(w, "key", None) == "k" for w in app.root.walk())  # no keyboard yet
    driver.tap(procedures.ids.query)
    driver.wait_until(
        lambda: any(getattr(w, "key", None) == "k" for w in app.root.walk()), 5, "the keyboard"
    )
    driver.pump(3)
    for key in ["k", "e", "t", "SPACE", "h", "ô", "n", "`"]:
        driver.tap(driver.find(lambda w, k=key: getattr(w, "key", None) == k))
    assert app.kiosk.procedures.query == "ket hồn"  # the tone lands on the last word's vowel
    for _ in range(3):
        driver.tap(driver.find(lambda w: getattr(w, "key", None) == "DEL"))
    for key in ["h", "o", "n"]:
        driver.tap(driver.find(lambda w, k=key: getattr(w, "key", None) == k))
    driver.wait_until(lambda: app.kiosk.procedures.results_for == "ket hon", 5, "results")
    driver.wait_until(lambda: "thủ tục" in procedures.ids.status.text, 5, "the count")
    driver.pump(3)
    shot(driver, tmp_path, "kiosk-procedures-results")
    first = next(w for w in reversed(procedures.ids.list.children) if hasattr(w, "text_vi"))
    assert "kết hôn" in first.text_vi.lower()
    driver.tap(first)
    detail = screen(driver, "procedure")
    driver.wait_until(lambda: app.manager.current == "procedure", 5, "the detail")
    driver.wait_until(lambda: app.kiosk.procedures.procedure is not None, 10, "the procedure")
    driver.pump(3)
    shown = " ".join(w.text for w in detail.ids.body.children)
    assert "Thời hạn giải quyết" in shown and "Hồ sơ cần nộp" in shown
    shot(driver, tmp_path, "kiosk-procedure-detail")
    driver.tap(detail.ids.back)
    driver.wait_until(lambda: app.manager.current == "procedures", 5, "back to the results")


def test_a_serial_scanner_on_a_pty_looks_the_code_up(run_relay_kiosk, sim, tmp_path):
    import os
    import tty

    sample = sim.samples()[0]
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        driver = run_relay_kiosk(scanner={"kind": "serial", "serial_device": os.ttyname(slave)})
        app = driver.app
        driver.wait_until(lambda: app._serial.connected.is_set(), 5, "the scanner port open")
        os.write(master, sample["code"].encode() + b"\r\n")
        driver.wait_until(
            lambda: app.kiosk.lookup.stage == "found", 10, "the scanned code's answer"
        )
        assert app.manager.current == "dossier"
        assert app.kiosk.lookup.dossier["code"] == sample["code"]
    finally:
        os.close(master)
        os.close(slave)
