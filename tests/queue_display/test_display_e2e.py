"""End to end: a real hub process, the real display app offscreen, calls made through the API.

The display reaches the hub through an unpluggable TCP forwarder, so a network cut is a real
one. Speech is real (espeak-ng); the speaker is the file fake, which keeps each WAV it played.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time

import pytest
from display_support import Cable, voiced_fraction, wav_file

from appliance.devices.speaker import FileSpeaker

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture
def cable(hub_process):
    forwarder = Cable(hub_process.port)
    yield forwarder
    forwarder.close()


def start_display(hub_process, cable, tmp_path):
    """The real display app offscreen, following the hub through ``cable``."""
    from appliance.hublink import HubClient
    from appliance.ui.harness import AppDriver
    from queue_display.app import DisplayApp
    from queue_display.settings import DisplaySettings

    settings = DisplaySettings(
        hub_url=cable.url,
        agency_name="UBND phường Bến Thành",
        speaker="file",
        audio_dir=tmp_path / "audio",
        speech_rate_wpm=260,  # the same words, said quicker, to keep the test short
        stale_after_s=2.0,
    )
    speakers = []

    def speaker(s):
        speakers.append(FileSpeaker(s.audio_dir, s.volume))
        return speakers[-1]

    client = HubClient(cable.url, token=hub_process.display_token, timeout=2.0)
    app = DisplayApp(settings, client, speaker_factory=speaker)
    driver = AppDriver(app).start()
    driver.speaker = speakers[0]
    return driver


@pytest.fixture
def display(hub_process, cable, tmp_path):
    driver = start_display(hub_process, cable, tmp_path)
    try:
        app = driver.app
        driver.wait_until(lambda: app.controller.loaded, 20, "the first snapshot")
        driver.wait_until(lambda: app.controller.online, 10, "the event stream")
        yield driver
    finally:
        driver.stop()


def last_seen(hub):
    """When the hub last heard the display's heartbeat (read from its database, as a witness)."""
    with contextlib.closing(sqlite3.connect(f"file:{hub.db_path}?mode=ro", uri=True)) as conn:
        row = conn.execute(
            "SELECT last_seen_at, status FROM devices WHERE role = 'display' ORDER BY id LIMIT 1"
        ).fetchone()
    return row[0] if row and row[1] and "last_event_id" in row[1] else None


def issue(hub, service, count):
    for _ in range(count):
        status, body = hub.request(
            "POST", "/api/v1/tickets", {"service": service}, token=hub.kiosk_token
        )
        assert status == 201, body


def act(hub, clerks, counter, action="call-next"):
    status, body = hub.request(
        "POST", f"/api/v1/counters/{counter}/{action}", token=clerks[counter]
    )
    assert status == 200, body
    return body["ticket"]["number"]


def spoken(driver):
    return [
        (s.announcement.number, s.announcement.counter, s.announcement.recall)
        for s in driver.app.announcer.history
        if s.outcome == "spoken"
    ]


def shown(driver):
    return driver.app.screen.ids.call_number.text


def test_calls_appear_and_are_announced_in_order_across_restart_and_cable_cut(
    hub_process, cable, display
):
    hub, driver = hub_process, display
    # The display says it is alive (its first heartbeat goes 2 s after start).
    driver.wait_until(lambda: last_seen(hub) is not None, 10, "the display's heartbeat")
    assert driver.app.controller.heartbeat_error is None
    # The admin's notice reaches the ticker.
    admin = hub.admin_token()
    notice = {"text_vi": "Nghỉ trưa từ 11 giờ 30", "text_en": "Lunch break from 11:30"}
    status, _ = hub.request("PUT", "/api/v1/notice", notice, token=admin)
    assert status == 200
    ticker = driver.app.screen.ids.ticker
    driver.wait_until(lambda: "Nghỉ trưa" in ticker.text, 10, "the notice on the ticker")
    assert "Lunch break" in ticker.text and ticker.height > 0
    clerks = {n: hub.clerk_token(n) for n in (1, 2, 3)}
    issue(hub, "A", 4)
    issue(hub, "B", 3)

    # Two calls, then a recall: each appears on the board and is said, in order.
    first = act(hub, clerks, 1)
    second = act(hub, clerks, 2)
    driver.wait_until(lambda: shown(driver) == second, 10, f"{second} on the board")
    assert driver.app.screen.highlighted
    act(hub, clerks, 1, "recall")
    driver.wait_until(lambda: len(spoken(driver)) == 3, 30, "three announcements")
    assert spoken(driver) == [(first, 1, False), (second, 2, False), (first, 1, True)]
    assert shown(driver) == first  # the recall is the newest call again
    labels = [p.label for p in driver.speaker.played]
    expected = [(first, 1), (second, 2), (first, 1)]
    assert labels == [x for n, c in expected for x in ("chime", f"call-{n}-{c}")]
    speech = wav_file(driver.speaker.played[1].path)
    assert 1.5 < speech.duration < 8.0 and voiced_fraction(speech) > 0.4

    # The hub restarts: the display marks itself offline, comes back, misses nothing.
    hub.stop()
    driver.wait_until(lambda: driver.app.screen.offline, 10, "the offline mark")
    hub.start()
    driver.wait_until(lambda: not driver.app.screen.offline, 20, "back online")
    third = act(hub, clerks, 3)
    driver.wait_until(lambda: shown(driver) == third, 10, f"{third} after the restart")
    driver.wait_until(lambda: len(spoken(driver)) == 4, 30, "the call after the restart")
    assert spoken(driver)[-1] == (third, 3, False)

    # The cable is cut while calls go on: when it is back the board catches up, but calls
    # older than stale_after_s (2 s here) are not read out to the room.
    cable.unplug()
    driver.wait_until(lambda: driver.app.screen.offline, 10, "offline after the cut")
    missed = [act(hub, clerks, 2), act(hub, clerks, 3)]
    driver.pump(1)
    time.sleep(3.5)  # the Date header that sets the hub clock offset is whole seconds
    cable.plug()
    driver.wait_until(lambda: shown(driver) == missed[-1], 20, "the board catching up")
    driver.wait_until(lambda: not driver.app.screen.offline, 10, "online after the cut")
    assert [c.number for c in driver.app.controller.board.calls[:2]] == missed[::-1]
    fresh = act(hub, clerks, 1)
    driver.wait_until(lambda: len(spoken(driver)) == 5, 30, "the fresh call")
    numbers = [n for n, _, _ in spoken(driver)]
    assert numbers == [first, second, first, third, fresh]  # no stale call, none repeated
    assert not set(missed) & set(numbers)


def copy_database(hub, folder):
    """The hub's database files as they are now (the hub is stopped): a backup."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for path in hub.db_path.parent.glob(hub.db_path.name + "*"):
        shutil.copy2(path, folder / path.name)


def put_back(hub, folder):
    """Restore the copied files over the hub's (the hub is stopped)."""
    import shutil

    for path in hub.db_path.parent.glob(hub.db_path.name + "*"):
        path.unlink()
    for path in folder.iterdir():
        shutil.copy2(path, hub.db_path.parent / path.name)


def test_display_follows_a_hub_restored_from_an_older_backup(hub_process, display, tmp_path):
    """After a restore the hub's event ids start again below what the display has seen; the
    display notices, reloads its board and keeps announcing the new calls."""
    hub, driver = hub_process, display
    issue(hub, "A", 4)
    hub.stop()
    copy_database(hub, tmp_path / "backup")  # four tickets waiting, nobody called
    hub.start()
    driver.wait_until(lambda: not driver.app.screen.offline, 20, "online after the backup")
    clerks = {n: hub.clerk_token(n) for n in (1, 2)}
    lost = [act(hub, clerks, 1), act(hub, clerks, 2)]  # these calls the restore will undo
    driver.wait_until(lambda: shown(driver) == lost[-1], 10, "the calls before the restore")

    hub.stop()
    put_back(hub, tmp_path / "backup")
    hub.start()
    driver.wait_until(lambda: not driver.app.screen.offline, 20, "online after the restore")
    # The board is reloaded from the restored hub: nobody has been called there.
    driver.wait_until(lambda: shown(driver) == "", 15, "the board of the restored hub")
    clerks = {n: hub.clerk_token(n) for n in (1, 2)}  # sessions went back with the database
    again = act(hub, clerks, 1)
    assert again == lost[0]  # the restored hub calls the same first ticket again
    driver.wait_until(lambda: shown(driver) == again, 10, "a call after the restore")
    driver.wait_until(lambda: len(spoken(driver)) == 3, 30, "its announcement")
    assert [n for n, _, _ in spoken(driver)] == [*lost, again]


def test_display_started_before_the_network_shows_it_then_catches_up(hub_process, cable, tmp_path):
    hub = hub_process
    cable.unplug()  # the display boots while the hub cannot be reached
    driver = start_display(hub, cable, tmp_path)
    try:
        screen = driver.app.screen
        driver.pump(10)
        assert screen.offline and screen.ids.offline_mark.opacity == 1
        assert "Đang kết nối máy chủ" in screen.ids.call_counter.text
        assert "Connecting to the hub" in screen.ids.call_counter.text
        issue(hub, "B", 1)
        number = act(hub, {3: hub.clerk_token(3)}, 3)
        cable.plug()
        driver.wait_until(lambda: shown(driver) == number, 20, "the board once connected")
        driver.wait_until(lambda: not screen.offline, 10, "online")
        # It was called before the display could hear it: shown from the snapshot, not said.
        driver.pump(10)
        assert spoken(driver) == []
    finally:
        driver.stop()
