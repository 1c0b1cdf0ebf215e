"""The board screen drawn for real offscreen, with fixed data, in both orientations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from appliance.records import Event, Snapshot
from appliance.translations import translator

pytestmark = pytest.mark.gui

SHOTS = Path(os.environ.get("MOTCUA_SHOTS", "")) if os.environ.get("MOTCUA_SHOTS") else None


def ticket(tid, number, service, counter):
    return {"id": tid, "number": number, "service": service, "counter": counter,
            "counter_name": f"Quầy {counter}", "state": "called"}  # fmt: skip


def busy_state():
    services = [
        ("A", "A – Đất đai, xây dựng", 7),
        ("B", "B – Hộ tịch, chứng thực", 12),
        ("C", "C – Kinh doanh, đầu tư", 3),
        ("D", "D – Lao động, thương binh và xã hội", 0),
    ]
    counters = [
        {"number": 1, "name": "Quầy 1", "state": "open", "services": ["A", "C"],
         "current": ticket(31, "A031", "A", 1)},
        {"number": 2, "name": "Quầy 2", "state": "open", "services": ["A"],
         "current": ticket(30, "A030", "A", 2)},
        {"number": 3, "name": "Quầy 3", "state": "paused", "services": ["B", "D"],
         "current": None},
        {"number": 4, "name": "Quầy 4", "state": "open", "services": ["B", "A"],
         "current": ticket(52, "B052", "B", 4)},
        {"number": 5, "name": "Quầy 5", "state": "open", "services": ["C", "D", "B"],
         "current": None},
    ]  # fmt: skip
    recent = [
        ticket(31, "A031", "A", 1),
        ticket(52, "B052", "B", 4),
        ticket(30, "A030", "A", 2),
        ticket(51, "B051", "B", 3),
        ticket(12, "C012", "C", 5),
        ticket(29, "A029", "A", 1),
        ticket(50, "B050", "B", 4),
    ]
    return {
        "day": "2026-11-29",
        "last_event_id": 500,
        "services": [{"code": c, "name_vi": n, "name_en": c, "waiting": w} for c, n, w in services],
        "counters": counters,
        "notice": {
            "text_vi": "Chiều thứ Sáu tiếp nhận hồ sơ đến 16 giờ 30",
            "text_en": "Friday afternoons: dossiers received until 16:30",
        },
        "recent_calls": recent,
    }


def load_busy_state(board):
    """The office and the board start again from :func:`busy_state`."""
    board.office.load(Snapshot.from_wire(busy_state()))
    board.load()


@pytest.fixture(scope="module")
def board_app():
    from kivy.app import App

    from appliance.live import Office
    from appliance.ui.harness import AppDriver
    from queue_display.board import Board
    from queue_display.screens.board_screen import BoardScreen, load_kv

    class BoardOnly(App):
        def build(self):
            load_kv()
            self.board = Board(Office(), highlight_s=3600)
            load_busy_state(self.board)
            self.screen = BoardScreen(translator("queue_display"), "UBND phường Bến Thành")
            self.screen.show(self.board)
            return self.screen

    driver = AppDriver(BoardOnly()).start()
    yield driver
    driver.stop()


def call(driver, event_id, tid, number, counter):
    t = ticket(tid, number, "A", counter)
    app = driver.app
    event = Event.from_wire(event_id, "ticket.called", {"ticket": t, "counter": {
        "number": counter, "name": f"Quầy {counter}", "state": "open", "services": ["A"],
        "current": t}})  # fmt: skip
    app.board.office.apply(event)
    app.board.apply(event)
    app.screen.show(app.board)
    driver.pump(3)


def test_a_call_takes_the_big_panel_lit_and_the_lists_follow(board_app):
    driver = board_app
    screen = driver.app.screen
    load_busy_state(driver.app.board)
    screen.show(driver.app.board)
    driver.pump(3)
    # The snapshot's newest call is shown, not flashed as new.
    assert screen.ids.call_number.text == "A031"
    assert not screen.highlighted
    call(driver, 501, 33, "1023", 5)
    assert screen.ids.call_number.text == "1023"
    assert "Quầy 5" in screen.ids.call_counter.text and "Counter 5" in screen.ids.call_counter.text
    assert screen.highlighted
    texts = [w.text for w in reversed(screen.ids.counters_grid.children)]
    assert texts == ["Quầy 1", "A031", "Quầy 2", "A030", "Quầy 3", "Tạm dừng", "Quầy 4",
                     "B052", "Quầy 5", "1023"]  # fmt: skip
    waiting = [w.text for w in reversed(screen.ids.waiting_grid.children)]
    assert waiting[:2] == ["A – Đất đai, xây dựng", "7"]
    recent = [w.text for w in reversed(screen.ids.recent_box.children)]
    assert recent[0::2] == ["A031", "B052", "A030", "B051", "C012", "A029"]
    assert recent[1::2][:2] == ["Quầy 1", "Quầy 4"]
    # a second call updates the same labels in place (no widget churn on every call)
    before = list(screen.ids.counters_grid.children)
    call(driver, 502, 34, "1024", 2)
    assert list(screen.ids.counters_grid.children) == before
    assert [w.text for w in reversed(screen.ids.counters_grid.children)][3] == "1024"
    assert "16 giờ 30" in screen.ids.ticker.text and "16:30" in screen.ids.ticker.text


def test_the_clock_shows_the_hubs_time_in_the_offices_zone(board_app):
    import time

    from appliance import timefmt

    driver = board_app
    screen = driver.app.screen
    screen.clock_offset = 2 * 3600.0  # this display's own clock is two hours behind the hub's

    def hub_time():  # in Hà Nội time, whatever zone this machine's clock is set to
        return timefmt.office_time(time.time() + 2 * 3600).strftime("%H:%M")

    driver.wait_until(lambda: screen.clock_text == hub_time(), 3, "the hub's time")
    screen.clock_offset = 0.0
    driver.wait_until(lambda: screen.clock_text == timefmt.now_text("%H:%M"), 3, "office time")
    if time.strftime("%z") != "+0700":  # on a machine whose zone is not the office's
        assert screen.clock_text != time.strftime("%H:%M")


def test_offline_mark_shows_discreetly(board_app, tmp_path):
    driver = board_app
    screen = driver.app.screen
    screen.show(driver.app.board, offline=True)
    driver.pump(3)
    mark = screen.ids.offline_mark
    assert mark.opacity == 1 and "Mất kết nối" in mark.text
    assert mark.height < 130 and mark.width < 400  # a mark in the header, not a banner
    driver.screenshot((SHOTS or tmp_path) / "board-offline.png")
    screen.show(driver.app.board, offline=False)
    driver.pump(2)
    assert mark.opacity == 0


def test_a_waiting_list_longer_than_its_panel_turns_pages(board_app):
    import time

    from queue_display.screens.board_screen import PAGE_S

    driver = board_app
    app, screen = driver.app, driver.app.screen
    state = busy_state()
    state["services"] = [
        {"code": f"S{i:02d}", "name_vi": f"S{i:02d} – Dịch vụ {i}", "name_en": "", "waiting": i}
        for i in range(30)
    ]
    app.board.office.load(Snapshot.from_wire(state))
    app.board.load()
    screen.show(app.board)
    driver.pump(4)
    try:
        assert screen.waiting_pages >= 2

        def names():
            return [w.text for w in reversed(screen.ids.waiting_grid.children)][0::2]

        first = names()
        assert first[0] == "S00 – Dịch vụ 0" and 0 < len(first) < 30
        screen._page_at = time.monotonic() - PAGE_S  # the page has been shown long enough
        driver.wait_until(lambda: names() and names()[0] != first[0], 3, "the next page")
        assert names()[0] == f"S{len(first):02d} – Dịch vụ {len(first)}"  # on from the first
    finally:
        screen.waiting_page = 0
        load_busy_state(app.board)
        screen.show(app.board)
        driver.pump(3)
