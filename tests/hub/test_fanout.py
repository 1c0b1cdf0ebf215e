"""The broadcaster hands a slow stream back to its own thread and takes it again once it has
caught up: every event reaches the client exactly once, in order, whichever path carried it."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from hub.events import EventBus, stream
from hub.writer import Event


class FakeChannel:
    """What the broadcaster uses of a waitress channel; ``slow`` fakes a full buffer."""

    def __init__(self) -> None:
        self.connected = True
        self.slow = False
        self.frames: list[bytes] = []

    @property
    def total_outbufs_len(self) -> int:
        return 10**6 if self.slow else 0

    def write_soon(self, frame: bytes) -> int:
        self.frames.append(frame)
        return len(frame)


def event(n: int) -> Event:
    return Event(n, "ticket.issued", "ticket", f'{{"id": {n}}}')


def ids(chunks: list[bytes]) -> list[int]:
    return [int(m) for m in re.findall(rb"id: (\d+)\n", b"".join(chunks))]


def wait_until(check: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def no_log() -> Any:
    raise AssertionError("the ring holds everything here; the log must not be read")


def test_slow_stream_is_handed_back_and_parked_again() -> None:
    bus = EventBus(0)
    bus.enable_fanout(heartbeat_s=30)
    channel = FakeChannel()
    own: list[bytes] = []  # what the stream's own thread wrote (through the server)
    body = stream(bus, no_log, 0, None, 30, channel, chunked=False)
    runner = threading.Thread(target=lambda: own.extend(body), daemon=True)
    runner.start()
    wait_until(lambda: bus.fanout is not None and len(bus.fanout.parked) == 1)
    bus.publish([event(n) for n in range(1, 6)])
    wait_until(lambda: ids(channel.frames) == [1, 2, 3, 4, 5])
    channel.slow = True  # the client stops reading: the broadcaster must let go
    bus.publish([event(n) for n in range(6, 11)])
    wait_until(lambda: ids(own) == [6, 7, 8, 9, 10])
    channel.slow = False
    wait_until(lambda: len(bus.fanout.parked) == 1)  # caught up: parked again
    bus.publish([event(11), event(12)])
    wait_until(lambda: ids(channel.frames) == [1, 2, 3, 4, 5, 11, 12])
    assert ids(own) == [6, 7, 8, 9, 10]
    bus.close(wait_s=2)
    runner.join(5)
    assert not runner.is_alive()


def test_a_client_that_left_frees_its_thread() -> None:
    bus = EventBus(0)
    bus.enable_fanout(heartbeat_s=30)
    channel = FakeChannel()
    body = stream(bus, no_log, 0, None, 30, channel, chunked=True)
    runner = threading.Thread(target=lambda: list(body), daemon=True)
    runner.start()
    wait_until(lambda: len(bus.fanout.parked) == 1)
    bus.publish([event(1)])
    wait_until(lambda: len(channel.frames) == 1)
    assert channel.frames[0].startswith(b"%X\r\nid: 1\n" % len(event(1).sse))  # chunk framing
    channel.connected = False
    bus.publish([event(2)])
    runner.join(5)
    assert not runner.is_alive()
    assert bus.streams == 0
