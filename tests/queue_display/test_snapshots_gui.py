"""The board at TV size in both orientations, each drawn by its own process (the window size is
fixed when Kivy opens it), checked from the layout report and the pixels of the PNG."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from test_board_screen_gui import busy_state, ticket

pytestmark = pytest.mark.gui

SHOTS = Path(os.environ["MOTCUA_SHOTS"]) if os.environ.get("MOTCUA_SHOTS") else None


def snapshot(tmp_path, size, *extra, state_data=None, tag=""):
    state = tmp_path / "state.json"
    data = state_data or busy_state()
    state.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    name = f"board{tag}-{size[0]}x{size[1]}{'-' + extra[0].strip('-') if extra else ''}.png"
    out = (SHOTS or tmp_path) / name
    done = subprocess.run(
        [sys.executable, "-m", "queue_display.snapshot", "--state", str(state),
         "--size", f"{size[0]}x{size[1]}", "--out", str(out), "--report", *extra],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_CONSOLELOG": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    with Image.open(out) as image:
        return json.loads(done.stdout.strip().splitlines()[-1]), image.convert("RGB")


def inside(item, size):
    return (
        item["x"] >= 0
        and item["y"] >= 0
        and item["x"] + item["width"] <= size[0] + 1
        and item["y"] + item["height"] <= size[1] + 1
    )


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_board_reads_from_across_the_room_in_both_orientations(tmp_path, size):
    report, image = snapshot(tmp_path, size, "--call", "1023:5")
    assert image.size == size
    assert report["landscape"] is (size[0] > size[1])
    number = report["call_number"]
    assert number["text"] == "1023" and report["highlighted"]
    # A 1080p panel: the called number drawn at least 250 px tall, counters and waiting counts
    # in at least 40 px type; nothing outside the window.
    assert number["font_size"] >= 250
    assert all(c["font_size"] >= 40 for c in report["counters"])
    assert all(w["font_size"] >= 36 for w in report["waiting"])
    assert [c["text"] for c in report["counters"]][-2:] == ["Quầy 5", "1023"]
    for item in [number, report["call_counter"], *report["counters"], *report["waiting"]]:
        assert inside(item, size), item
    # The lit panel is red behind white digits: sample the middle of the number's box.
    x = int(number["x"] + number["width"] / 2)
    y = size[1] - int(number["y"] + number["height"] * 0.95)  # PNG rows run top-down
    r, g, b = image.getpixel((x, y))
    assert r > 140 and g < 80 and b < 80, (r, g, b)
    # The ticker (notice) is a yellow band along the bottom.
    r, g, b = image.getpixel((size[0] // 2, size[1] - 5))
    assert r > 200 and g > 160 and b < 120, (r, g, b)
    assert not report["offline_mark"]["shown"]


def test_offline_mark_in_the_header_at_tv_size(tmp_path):
    report, _image = snapshot(tmp_path, (1920, 1080), "--offline")
    mark = report["offline_mark"]
    assert mark["shown"] and "Mất kết nối" in mark["text"]
    assert mark["y"] > 1080 - 130  # in the header band, not over the board
    assert not report["highlighted"]


@pytest.mark.slow
def test_the_real_app_in_portrait_shows_what_the_hub_says(hub_process, tmp_path):
    hub = hub_process
    for service in ("A", "A", "B"):
        status, _ = hub.request(
            "POST", "/api/v1/tickets", {"service": service}, token=hub.kiosk_token
        )
        assert status == 201
    called = []
    for counter in (1, 3):
        status, body = hub.request(
            "POST", f"/api/v1/counters/{counter}/call-next", token=hub.clerk_token(counter)
        )
        assert status == 200, body
        called.append(body["ticket"]["number"])
    out = (SHOTS or tmp_path) / "board-hub-1080x1920.png"
    done = subprocess.run(
        [sys.executable, "-m", "queue_display.snapshot", "--hub", hub.url,
         "--size", "1080x1920", "--out", str(out), "--report"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_CONSOLELOG": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert not report["landscape"]
    # From the snapshot: the newest call large (not flashed: it was not heard live).
    assert report["call_number"]["text"] == called[-1] and not report["highlighted"]
    texts = [c["text"] for c in report["counters"]]
    assert texts[texts.index("Quầy 1") + 1] == called[0]
    assert texts[texts.index("Quầy 3") + 1] == called[1]
    waiting = [w["text"] for w in report["waiting"]]
    assert waiting[waiting.index("A – Đất đai, xây dựng") + 1] == "1"
    with Image.open(out) as image:
        assert image.size == (1080, 1920)


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_twenty_counters_fit_in_columns(tmp_path, size):
    state = busy_state()
    state["counters"] = [
        {"number": n, "name": f"Quầy {n}", "state": "paused" if n == 7 else "open",
         "services": ["A"], "current": ticket(100 + n, f"A{100 + n}", "A", n) if n % 3 else None}
        for n in range(1, 21)
    ]  # fmt: skip
    report, _image = snapshot(tmp_path, size, state_data=state, tag="-20-counters")
    cells = report["counters"]
    assert [c["text"] for c in cells[0::2]] == [str(n) for n in range(1, 21)]
    assert cells[1]["text"] == "A101" and cells[13]["text"] == "Tạm dừng"
    assert all(c["font_size"] >= 36 for c in cells[0::2])  # still readable
    lowest = min(c["y"] for c in cells)
    waiting_top = max(w["y"] + w["height"] for w in report["waiting"])
    assert lowest > waiting_top  # every counter inside its panel, none under the next one
    for cell in cells:
        assert inside(cell, size), cell
        assert cell["drawn_height"] > 0


def test_a_tv_on_its_side_turns_the_picture_to_portrait(tmp_path):
    """rotation = 90: the panel keeps its 1920×1080 mode, the board is laid out in portrait."""
    report, image = snapshot(tmp_path, (1920, 1080), "--rotation", "90", tag="-rotated")
    assert not report["landscape"]
    assert report["call_number"]["font_size"] >= 250
    assert image.size == (1080, 1920)  # the picture as the people in the room see it
    r, g, b = image.getpixel((10, 60))  # the blue header along the top
    assert b > 120 and r < 40, (r, g, b)
    r, g, b = image.getpixel((540, 1915))  # the yellow notice along the bottom
    assert r > 200 and g > 160 and b < 120, (r, g, b)


def eight_services_state():
    state = busy_state()
    names = [
        "A – Đất đai, xây dựng", "B – Hộ tịch, chứng thực", "C – Kinh doanh, đầu tư",
        "D – Lao động, thương binh và xã hội", "E – Tư pháp", "F – Giao thông vận tải",
        "G – Y tế, giáo dục", "H – Nông nghiệp, môi trường",
    ]  # fmt: skip
    state["services"] = [
        {"code": name[0], "name_vi": name, "name_en": name[0], "waiting": 3 + i}
        for i, name in enumerate(names)
    ]
    return state, names


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_eight_services_all_show_in_the_waiting_panel(tmp_path, size):
    state, names = eight_services_state()
    report, _image = snapshot(tmp_path, size, state_data=state, tag="-8-services")
    cells = report["waiting"]
    assert [c["text"] for c in cells[0::2]] == names
    assert [c["text"] for c in cells[1::2]] == [str(3 + i) for i in range(8)]
    box = report["waiting_grid"]
    for cell in cells:  # every one inside the waiting panel, none under the ticker
        assert cell["y"] >= box["y"] - 1, cell
        assert cell["y"] + cell["height"] <= box["y"] + box["height"] + 1, cell
        assert cell["drawn_height"] > 0 and cell["font_size"] >= 28
        assert inside(cell, size)
    assert report["waiting_pages"] == 1


def test_more_services_than_two_columns_hold_turn_pages(tmp_path):
    state, _names = eight_services_state()
    state["services"] += [
        {"code": f"K{i}", "name_vi": f"K{i} – Dịch vụ {i}", "name_en": "", "waiting": i}
        for i in range(12)
    ]
    report, _image = snapshot(tmp_path, (1920, 1080), state_data=state, tag="-20-services")
    assert report["waiting_pages"] >= 2
    assert 0 < len(report["waiting"]) // 2 < 20
    assert report["waiting"][0]["text"] == "A – Đất đai, xây dựng"  # page one first


def test_offline_dims_the_board_and_says_so_across_it(tmp_path):
    online_report, online = snapshot(tmp_path, (1920, 1080), tag="-online")
    report, image = snapshot(tmp_path, (1920, 1080), "--offline")
    overlay = report["offline_overlay"]
    assert overlay["shown"] and "ĐANG MẤT KẾT NỐI" in overlay["text"]
    assert not online_report["offline_overlay"]["shown"]
    # The yellow ticker and the waiting counts are dimmed; the middle says why, in red.
    r, g, b = image.getpixel((960, 1075))
    assert r < 120 and g < 100, (r, g, b)
    assert sum(online.getpixel((960, 1075))) > 2 * sum(image.getpixel((960, 1075)))
    r, g, b = image.getpixel((20, 540))
    assert r > 100 and g < 60 and b < 60, (r, g, b)
    r, g, b = image.getpixel((10, 60))  # the header keeps its blue: the agency, the clock
    assert b > 120 and r < 40, (r, g, b)
    assert overlay["width"] <= 1920 - 60


def test_offline_in_portrait_the_message_wraps_inside_the_board(tmp_path):
    report, _image = snapshot(tmp_path, (1080, 1920), "--offline")
    assert report["offline_overlay"]["shown"]
    assert 0 < report["offline_overlay"]["width"] <= 1080 - 60
