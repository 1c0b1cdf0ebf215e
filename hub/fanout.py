"""One thread writes every event to every live stream (waitress only), instead of a hundred
threads each waking for it.

Waitress gives each stream a thread, and a thread per stream waking per event is what costs on a
small CPU: each needs the interpreter lock in turn. So once a stream has caught up, its thread
parks and the :class:`Broadcaster` writes new events (and heartbeats) straight into the stream's
waitress channel, framed as the chunked response waitress started. A stream whose client reads
too slowly (its channel's buffer is over :data:`LAG_BYTES`) is handed back to its own thread,
which catches up from the ring or the event log at the client's pace, then parks again. A
disconnected client is noticed at the next write, at the latest at the next heartbeat.

The channel comes from ``environ["waitress.client_disconnected"]`` (a documented waitress key,
bound to the channel); under any other server, streams keep to their own threads.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

LAG_BYTES = 16 * 1024  # more than this unsent: the client is slow, let its own thread pace it


class Parked:
    """A caught-up stream whose events the broadcaster writes."""

    __slots__ = ("after", "channel", "chunked", "done", "gone", "topics", "written")

    def __init__(self, channel: Any, chunked: bool, topics: frozenset[str] | None, after: int):
        self.channel = channel
        self.chunked = chunked
        self.topics = topics
        self.after = after  # the last event id this stream has been given
        self.done = threading.Event()  # set when its own thread must take over again
        self.gone = False  # the client went away
        self.written = time.monotonic()  # when it was last sent anything

    def send(self, payload: bytes) -> bool:
        """Write ``payload`` as one chunk; False if the client is gone or too slow."""
        channel = self.channel
        if not channel.connected:
            self.gone = True
            return False
        if channel.total_outbufs_len > LAG_BYTES:
            return False
        frame = b"%X\r\n%s\r\n" % (len(payload), payload) if self.chunked else payload
        try:
            channel.write_soon(frame)
        except Exception:  # waitress raises ClientDisconnected, sockets raise OSError
            self.gone = True
            return False
        self.written = time.monotonic()
        return True


def channel_of(environ: dict[str, Any]) -> Any | None:
    """The waitress channel of this request, if the server is waitress."""
    probe = environ.get("waitress.client_disconnected")
    channel = getattr(probe, "__self__", None)
    if channel is None or not hasattr(channel, "write_soon"):
        return None
    return channel


class Broadcaster:
    """The thread that fans committed events out to parked streams."""

    def __init__(self, bus: Any, heartbeat_s: float) -> None:
        self.bus = bus
        self.heartbeat_s = heartbeat_s
        self.parked: set[Parked] = set()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="motcua-fanout", daemon=True)
            self._thread.start()

    def release_all(self) -> None:
        """Hand every parked stream back to its thread (the hub is stopping)."""
        for parked in list(self.parked):
            self.parked.discard(parked)
            parked.done.set()

    def _run(self) -> None:
        bus = self.bus
        sent = bus.last_id
        while not bus.closed:
            with bus._cond:
                fresh = bus._cond.wait_for(
                    lambda sent=sent: bus.last_id > sent or bus.closed, self.heartbeat_s / 2
                )
                if bus.closed:
                    break
                events = bus._since_locked(sent) if fresh else []
                parked = list(self.parked)
                sent = bus.last_id
            try:
                self._deliver(parked, events, fresh)
            except Exception:  # never let one bad stream stop the others' events
                log.exception("event fan-out failed")
        self.release_all()

    def _deliver(self, parked: list[Parked], events: list[Any] | None, fresh: bool) -> None:
        quiet_since = time.monotonic() - self.heartbeat_s
        for stream in parked:
            if events is None:  # the ring moved past us: every stream catches up itself
                self._release(stream)
                continue
            ok = True
            mine = [e for e in events if e.id > stream.after] if fresh else []
            if mine:
                chunk = b"".join(
                    e.sse for e in mine if stream.topics is None or e.topic in stream.topics
                )
                ok = stream.send(chunk) if chunk else True
                if ok:
                    stream.after = mine[-1].id
            # A stream whose topics were quiet still hears from us, so clients and proxies
            # keep it open, and a client that left is noticed.
            if ok and stream.written < quiet_since:
                ok = stream.send(b": heartbeat\n\n")
            if not ok:
                self._release(stream)

    def _release(self, stream: Parked) -> None:
        with self.bus._cond:
            self.parked.discard(stream)
        stream.done.set()
