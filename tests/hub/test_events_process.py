"""The event stream of a real hub process: live delivery, topic filters, heartbeats, and resume
after a ``kill -9`` and restart with ``Last-Event-ID`` (what was missed, once, in order)."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.testing import HubProcess, start_hub


class Stream:
    """An SSE subscription read line by line with a deadline."""

    def __init__(self, hub: HubProcess, query: str = "", last_id: int | None = None) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=5)
        headers = {} if last_id is None else {"Last-Event-ID": str(last_id)}
        self.http.request("GET", f"/api/v1/events{query}", headers=headers)
        self.response = self.http.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")

    def next(self, timeout: float = 5.0, comments: bool = False) -> dict[str, Any]:
        """The next event (or comment, if asked) within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        fields: dict[str, Any] = {}
        while time.monotonic() < deadline:
            line = self.response.readline().decode()
            if line.startswith(":") and comments:
                return {"comment": line[1:].strip()}
            if line in ("\n", "") and "data" in fields:
                fields["data"] = json.loads(fields["data"])
                return fields
            key, _, value = line.rstrip("\n").partition(": ")
            if key in ("id", "event", "data"):
                fields[key] = value
        raise TimeoutError("no event in time")

    def close(self) -> None:
        self.http.close()


def issue(hub: HubProcess, service: str = "A") -> dict[str, Any]:
    status, body = hub.request("POST", "/api/v1/tickets", {"service": service}, hub.kiosk_token)
    assert status == 201, body
    return body


def test_resume_after_kill_and_restart_gets_the_missed_events_once(hub_process: HubProcess) -> None:
    hub = hub_process
    issue(hub)
    stream = Stream(hub, "?topics=ticket")
    seen = issue(hub)
    event = stream.next()
    assert event["event"] == "ticket.issued"
    assert event["data"]["ticket"]["id"] == seen["id"]
    assert "token" not in event["data"]["ticket"]
    last_id = int(event["id"])
    stream.close()
    hub.kill()
    hub.start()
    missed = [issue(hub, "B"), issue(hub, "C")]
    resumed = Stream(hub, "?topics=ticket", last_id=last_id)
    got = [resumed.next(), resumed.next()]
    assert [e["data"]["ticket"]["id"] for e in got] == [t["id"] for t in missed]
    assert [int(e["id"]) for e in got] == sorted(int(e["id"]) for e in got)
    live = issue(hub, "D")
    assert resumed.next()["data"]["ticket"]["id"] == live["id"]  # no repeat of what it had
    resumed.close()
    # The query form of resume works too, for clients that cannot set headers.
    again = Stream(hub, f"?topics=ticket&after={last_id}")
    assert again.next()["data"]["ticket"]["id"] == missed[0]["id"]
    again.close()


@pytest.fixture
def quick_hub(tmp_path: Path) -> Iterator[HubProcess]:
    """A hub whose streams send a heartbeat every 0.3 s."""
    hub = start_hub(tmp_path / "hub", settings={"heartbeat_s": 0.3})
    try:
        yield hub
    finally:
        hub.stop()


def test_topic_filter_and_heartbeat(quick_hub: HubProcess) -> None:
    hub = quick_hub
    stream = Stream(hub, "?topics=counter")
    issue(hub)  # a ticket event: filtered out
    hub.clerk_token(2)
    event = stream.next()
    assert event["event"] == "counter.updated"
    assert event["data"]["counter"]["number"] == 2
    assert event["data"]["counter"]["state"] == "open"
    assert event["data"]["counter"]["clerk"] == "Trần Văn Minh"
    beat = stream.next(timeout=2, comments=True)
    assert beat == {"comment": "heartbeat"}
    stream.close()


def test_bad_stream_parameters_are_refused(hub_process: HubProcess) -> None:
    for query in ("?topics=tickets", "?after=abc"):
        status, body = hub_process.request("GET", f"/api/v1/events{query}")
        assert status == 400
        assert body["error"]["field"] in ("topics", "after")


@pytest.mark.slow
def test_a_slow_reader_gets_every_event_once_in_order(unlimited_hub: HubProcess) -> None:
    """A client that stops reading while hundreds of events go by gets every one of them
    exactly once, in order, when it reads again."""
    hub = unlimited_hub
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fill up quickly
    sock.connect(("127.0.0.1", hub.port))
    sock.sendall(b"GET /api/v1/events?topics=ticket HTTP/1.1\r\nHost: hub\r\n\r\n")
    sock.settimeout(5)
    data = b""
    # The stream follows on from the id its opening message names: once that is here, every
    # ticket issued from now on is the stream's to deliver.
    while b"\n\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"the hub closed the stream before its opening message: {data!r}"
        data += chunk
    issued = [issue(hub, "ABCD"[i % 4]) for i in range(600)]  # about 1 MB, unread
    deadline = time.monotonic() + 20
    # Every complete event ends with a blank line; the first one closes the "retry:" line.
    while data.count(b"\n\n") < len(issued) + 1 and time.monotonic() < deadline:
        data += sock.recv(65536)
    sock.close()
    events = [m for m in data.split(b"\n\n") if b"\ndata: " in m]  # not the opening id
    ids = [int(line[4:]) for m in events for line in m.split(b"\n") if line.startswith(b"id: ")]
    assert len(ids) == len(issued)
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    numbers = [json.loads(line[6:])["ticket"]["number"]
               for line in data.split(b"\n") if line.startswith(b"data: ")]  # fmt: skip
    assert numbers == [t["number"] for t in issued]


def test_stopping_the_hub_ends_open_streams_at_once(hub_process: HubProcess) -> None:
    """A stop (SIGTERM) ends every open stream cleanly and promptly, so the appliances resume
    from their last id, instead of the server waiting out its kill timeout (10 s) for them."""
    hub = hub_process
    streams = [Stream(hub) for _ in range(3)]
    time.sleep(0.3)  # every stream is open and waiting
    began = time.monotonic()
    hub.stop()
    assert time.monotonic() - began < 5
    for stream in streams:
        stream.response.read()  # the chunked body ends: no exception, no hang
        assert stream.response.isclosed()
        stream.close()
    log = hub.log()
    assert "ending the event streams" in log
    assert "hub stopped" in log  # the worker went through its own shutdown (writer drained)


def test_kill_9_leaves_no_process_serving(hub_process: HubProcess) -> None:
    """The hub is a supervisor and its worker; a kill -9 of the hub takes both, so nothing
    answers on its port until it is started again."""
    hub = hub_process
    assert len(hub.pids()) == 2
    hub.kill()
    # Refused, reset or unanswered, by whatever the network stack does with a dead port.
    conn = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=2)
    with pytest.raises(OSError):
        conn.request("GET", "/healthz")
        conn.getresponse()
    conn.close()
    hub.start()
    assert issue(hub)["number"].startswith("A")
