"""The event stream served on the event loop: an open stream costs a coroutine, not a thread.

Same wire format and parameters as the Flask endpoint in :mod:`hub.queue.events` (which tests
in one process still use): an opening ``retry``/``id`` message, events from the in-memory ring
(or the ``events`` table for a resume older than the ring), ``?topics=`` filter, heartbeats.

One :class:`Fanout` per worker wakes every waiting stream at once: the writer's thread hands it
each committed batch with one thread-safe call, and wake-ups are spaced by :data:`ROUND_S`, so
under a burst a thousand streams wake for a round of events, not once per event each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from hub.errors import ApiError
from hub.queue.events import BACKLOG_PAGE, EventBus, _parse_after, _parse_topics

log = logging.getLogger(__name__)

ROUND_S = 0.02  # at least this long between two wake-ups of every stream
SSE_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


class Fanout:
    """Wakes the streams of one event loop when events are published or a heartbeat is due,
    and counts them per client address (the cap refuses more with a 429)."""

    def __init__(self, bus: EventBus, loop: asyncio.AbstractEventLoop, heartbeat_s: float,
                 per_address: int) -> None:  # fmt: skip
        self.bus = bus
        self.loop = loop
        self.heartbeat_s = heartbeat_s
        self.per_address = per_address
        self.by_address: Counter[str] = Counter()
        self._future: asyncio.Future[None] = loop.create_future()
        self._pending = False  # a wake-up is already scheduled
        self._last_round = 0.0
        self._ticker = loop.call_later(heartbeat_s / 2, self._tick)
        bus.listeners.append(self.notify)

    def notify(self) -> None:
        """From any thread (the writer's): events were published, or the bus closed."""
        if not self._pending:
            self._pending = True
            self.loop.call_soon_threadsafe(self._schedule)

    def _schedule(self) -> None:
        wait = self._last_round + ROUND_S - time.monotonic()
        if wait > 0 and not self.bus.closed:
            self.loop.call_later(wait, self._wake)
        else:
            self._wake()

    def _tick(self) -> None:
        self._ticker = self.loop.call_later(self.heartbeat_s / 2, self._tick)
        self._wake()

    def _wake(self) -> None:
        self._pending = False
        self._last_round = time.monotonic()
        future, self._future = self._future, self.loop.create_future()
        future.set_result(None)

    def next_round(self) -> asyncio.Future[None]:
        """Done at the next wake-up (events, the bus closing, or a heartbeat tick)."""
        return self._future

    def close(self) -> None:
        """Stop the heartbeat timer (the worker is stopping)."""
        self._ticker.cancel()
        with contextlib.suppress(ValueError):
            self.bus.listeners.remove(self.notify)


def _refuse(status: int, error: ApiError) -> tuple[int, bytes]:
    import json

    return status, json.dumps(error.body(), ensure_ascii=False).encode()


async def serve_stream(
    fanout: Fanout,
    read_log: Callable[[int], Awaitable[list[Any]]],
    scope: dict[str, Any],
    receive: Receive,
    send: Send,
) -> None:
    """Answer one ``GET /api/v1/events``: a 400 for bad parameters, a 429 past the address's
    cap, else the stream until the client goes or the hub stops."""
    address = (scope.get("client") or ("-", 0))[0]
    headers = dict(scope.get("headers") or [])
    query = _query(scope.get("query_string", b""))
    try:
        topics = _parse_topics(query.get("topics"))
        last = headers.get(b"last-event-id")
        after = _parse_after(None if last is None else last.decode("latin-1"), "Last-Event-ID")
        if after is None:
            after = _parse_after(query.get("after"), "after")
    except ApiError as exc:
        await _answer(send, *_refuse(exc.status, exc))
        return
    if fanout.by_address[address] >= fanout.per_address:
        log.info("GET /api/v1/events 429 - (%s has %d streams open)", address, fanout.per_address)
        too_many = ApiError(
            429, "rate_limited",
            f"at most {fanout.per_address} event streams per address; close one first",
            retry_after=5,
        )  # fmt: skip
        await _answer(send, *_refuse(429, too_many), [(b"retry-after", b"5")])
        return
    bus = fanout.bus
    if after is None or after > bus.last_id:
        after = bus.last_id  # no resume point, or one from another database: from now on
    fanout.by_address[address] += 1
    gone = asyncio.ensure_future(_disconnected(receive))
    try:
        await send({"type": "http.response.start", "status": 200, "headers": SSE_HEADERS})
        await _body(send, f"retry: 2000\nid: {after}\n\n".encode())
        last_write = time.monotonic()
        while not bus.closed and not gone.done():
            events = bus.since(after)
            if events is None:  # older than the ring: read the log, in a thread
                events = await read_log(after)
            if events:
                events = events[:BACKLOG_PAGE]  # a lagging reader takes its backlog in slices
                after = events[-1].id
                chunk = b"".join(e.sse for e in events if topics is None or e.topic in topics)
                if chunk:
                    await _body(send, chunk)
                    last_write = time.monotonic()
                continue
            if time.monotonic() - last_write >= fanout.heartbeat_s:
                await _body(send, b": heartbeat\n\n")
                last_write = time.monotonic()
            await asyncio.wait((fanout.next_round(), gone), return_when=asyncio.FIRST_COMPLETED)
        if not gone.done():
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    except OSError:  # the client went while we wrote
        pass
    finally:
        gone.cancel()
        fanout.by_address[address] -= 1
        if fanout.by_address[address] <= 0:
            del fanout.by_address[address]


async def _disconnected(receive: Receive) -> None:
    while (await receive()).get("type") != "http.disconnect":
        pass


async def _body(send: Send, data: bytes) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": True})


async def _answer(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": status, "headers": headers + (extra or [])}
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _query(raw: bytes) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))
