"""The appliances' hub link against a real hub (served from the test's process): errors,
idempotent retries, event stream."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from appliance.hublink import EventStream, HubClient, HubError, HubUnreachable, new_idempotency_key


def _wait(condition, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_api_errors_arrive_as_codes_and_a_repeated_key_changes_nothing(inprocess_hub):
    kiosk = HubClient(inprocess_hub.url, inprocess_hub.kiosk_token)
    try:
        with pytest.raises(HubError) as caught:
            kiosk.post("/api/v1/tickets", {"service": "NO-SUCH"})
        assert caught.value.status in (400, 404)
        anonymous = HubClient(inprocess_hub.url)
        with pytest.raises(HubError) as caught:
            anonymous.post("/api/v1/tickets", {"service": "A"})
        anonymous.close()
        assert caught.value.code == "unauthorized"
        key = new_idempotency_key()
        first = kiosk.post("/api/v1/tickets", {"service": "A"}, idempotency_key=key)
        again = kiosk.post("/api/v1/tickets", {"service": "A"}, idempotency_key=key)
        assert again["number"] == first["number"]
        other = kiosk.post(
            "/api/v1/tickets", {"service": "A"}, idempotency_key=new_idempotency_key()
        )
        assert other["number"] != first["number"]
    finally:
        kiosk.close()


def test_an_unreachable_hub_is_reported_as_offline(inprocess_hub):
    client = HubClient(inprocess_hub.url, timeout=1.0)
    inprocess_hub.stop()
    with pytest.raises(HubUnreachable) as caught:
        client.get("/api/v1/services")
    assert caught.value.code == "offline"


def test_stream_resumes_across_a_restart_once_each_and_stops_promptly(inprocess_hub, caplog):
    caplog.set_level(logging.INFO, logger="appliance.hublink")
    seen: list[int] = []
    states: list[bool] = []
    lock = threading.Lock()

    def on_event(event):
        with lock:
            seen.append(event.id)

    stream = EventStream(
        inprocess_hub.url, on_event, states.append, topics=["ticket"], backoff=(0.1, 0.5)
    )
    kiosk = HubClient(inprocess_hub.url, inprocess_hub.kiosk_token)
    stream.start()
    try:
        _wait(lambda: stream.online, what="the stream to connect")
        kiosk.post("/api/v1/tickets", {"service": "A"}, idempotency_key=new_idempotency_key())
        _wait(lambda: len(seen) == 1, what="the first event")
        inprocess_hub.stop()
        _wait(lambda: not stream.online, what="the stream to notice the hub is gone")
        inprocess_hub.start()
        # Issued while the stream is reconnecting: it must still arrive, exactly once.
        kiosk.post("/api/v1/tickets", {"service": "A"}, idempotency_key=new_idempotency_key())
        kiosk.post("/api/v1/tickets", {"service": "B"}, idempotency_key=new_idempotency_key())
        _wait(lambda: len(seen) == 3, what="the events issued around the restart")
        time.sleep(0.3)
        assert seen == sorted(set(seen)), f"an event was repeated or out of order: {seen}"
        assert states[:2] == [True, False] and states[-1] is True
    finally:
        logged = len(caplog.records)
        started = time.monotonic()
        stream.stop()
        stopped_in = time.monotonic() - started
        kiosk.close()
    assert stopped_in < 2.0, f"stop() waited {stopped_in:.1f} s for a heartbeat"
    # A stop is not a lost link: the log a technician reads must not say the hub dropped it.
    assert [r.getMessage() for r in caplog.records[logged:]] == []


def test_a_stream_follows_a_hub_restored_from_an_older_backup(inprocess_hub, tmp_path, capsys):
    """A restore takes the hub's event ids back below what the stream has delivered; the stream
    must follow the hub again (not drop its new events as already seen) and tell the app."""
    from hub import cli

    hub = inprocess_hub
    db = ["--db", str(hub.db_path)]
    assert cli.backup_main([*db, "--dir", str(tmp_path / "backups")]) == 0
    written = capsys.readouterr().out.strip()
    seen: list[int] = []
    resets: list[int] = []
    stream = EventStream(
        hub.url, lambda event: seen.append(event.id), on_reset=resets.append,
        topics=["ticket"], backoff=(0.1, 0.5),
    )  # fmt: skip
    kiosk = HubClient(hub.url, hub.kiosk_token)
    stream.start()
    try:
        _wait(lambda: stream.online, what="the stream to connect")
        for _ in range(3):
            kiosk.post("/api/v1/tickets", {"service": "A"}, idempotency_key=new_idempotency_key())
        _wait(lambda: len(seen) == 3, what="the events before the restore")
        hub.stop()
        assert cli.restore_main([written, *db]) == 0
        hub.start()
        restored_last = hub.request("GET", "/healthz")[1]["last_event_id"]
        assert restored_last < seen[2]
        # What happened between the restore and the reconnect is in no log the stream could
        # replay: the app is told to reload its state, and follows the hub from there.
        _wait(lambda: resets, what="the stream to notice the hub went back")
        kiosk.post("/api/v1/tickets", {"service": "B"}, idempotency_key=new_idempotency_key())
        _wait(lambda: len(seen) == 4, what="the event issued after the restore")
    finally:
        stream.stop()
        kiosk.close()
    assert resets == [restored_last], "the app is told once, with the id the hub follows on from"
    assert restored_last < seen[3] <= seen[2], "delivered though its id was seen before"
