"""The event stream served on the event loop: an open stream costs a coroutine, not a thread.

Same wire format and parameters as the Flask endpoint in :mod:`hub.queue.events` (which tests
in one process still use): an opening ``retry``/``id`` message, events from the in-memory ring
(or the ``events`` table for a resume older than the ring), ``?topics=`` filter, heartbeats.

One :class:`Fanout` per worker sends each round of new events to every stream that is caught
up: the chunk is joined once per topic filter and written to each stream with one call, so a
thousand streams cost a thousand writes per round, not a thousand wake-ups. The writer's thread
tells it of each committed batch with one thread-safe call, and rounds are spaced by
:data:`ROUND_S`, so under a burst a round carries many events. A stream that is behind (a
resume) catches up on its own, then joins the round.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from hub.errors import ApiError
from hub.queue.events import BACKLOG_PAGE, EventBus, _parse_after, _parse_topics

log = logging.getLogger("motcua.access")

ROUND_S = 0.02  # at least this long between two rounds of writes
# The server buffers what a stream is sent however slowly its client reads, so a stream ends
# after this long (its client resumes from its last id): a client that stopped reading holds at
# most this much of the day's events (a busy office's 4 hours: a few MB). Long, because today's
# appliances show "reconnecting" for a moment when a stream ends.
LIFETIME_S = 4 * 3600.0
SSE_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Topics = frozenset[str] | None


class Follower:
    """A caught-up stream: where to write, and the future that ends it."""

    __slots__ = ("done", "last_write", "send")

    def __init__(self, send: Send, done: asyncio.Future[None]) -> None:
        self.send = send
        self.done = done
        self.last_write = time.monotonic()

    def end(self) -> None:
        if not self.done.done():
            self.done.set_result(None)


class Fanout:
    """Sends new events to every caught-up stream of one event loop, and heartbeats; counts
    streams per client address (past ``per_address`` a new one gets a 429)."""

    def __init__(self, bus: EventBus, loop: asyncio.AbstractEventLoop, heartbeat_s: float,
                 per_address: int) -> None:  # fmt: skip
        self.bus = bus
        self.loop = loop
        self.heartbeat_s = heartbeat_s
        self.per_address = per_address
        self.by_address: dict[str, int] = {}
        self.cursor = bus.last_id  # every follower has been sent every event up to here
        self.groups: dict[Topics, set[Follower]] = {}
        self._round: asyncio.Future[None] = loop.create_future()
        self._pending = False  # a round is already scheduled
        self._last_round = 0.0
        self._ticker = loop.call_later(heartbeat_s / 2, self._tick)
        bus.listeners.append(self.notify)

    def notify(self) -> None:
        """From any thread (the writer's): events were published, or the bus closed."""
        if not self._pending:
            self._pending = True
            with contextlib.suppress(RuntimeError):  # the loop has closed: the worker is ending
                self.loop.call_soon_threadsafe(self._schedule)

    def _schedule(self) -> None:
        wait = self._last_round + ROUND_S - time.monotonic()
        if wait > 0 and not self.bus.closed:
            self.loop.call_later(wait, self._run_round)
        else:
            self._run_round()

    def _run_round(self) -> None:
        self._pending = False
        self._last_round = time.monotonic()
        if self.bus.closed:
            for group in self.groups.values():
                for follower in group:
                    follower.end()
        else:
            self._send_new()
        future, self._round = self._round, self.loop.create_future()
        future.set_result(None)

    def _send_new(self) -> None:
        events = self.bus.since(self.cursor)
        if not events:
            if events is None:  # this loop fell a ring behind (it should not): all catch up
                for group in self.groups.values():
                    for follower in group:
                        follower.end()
                self.groups.clear()
                self.cursor = self.bus.last_id
            return
        self.cursor = events[-1].id
        now = time.monotonic()
        for topics, group in self.groups.items():
            chunk = b"".join(e.sse for e in events if topics is None or e.topic in topics)
            if chunk:
                self._write(group, chunk, now)

    def _write(self, group: set[Follower], chunk: bytes, now: float) -> None:
        message = {"type": "http.response.body", "body": chunk, "more_body": True}
        for follower in list(group):
            try:
                follower.send(message)  # granian takes the bytes at once: nothing to await
                follower.last_write = now
            except Exception:
                group.discard(follower)
                follower.end()

    def _tick(self) -> None:
        self._ticker = self.loop.call_later(self.heartbeat_s / 2, self._tick)
        now = time.monotonic()
        for group in self.groups.values():
            quiet = {f for f in group if now - f.last_write >= self.heartbeat_s}
            if quiet:
                self._write(quiet, b": heartbeat\n\n", now)
        future, self._round = self._round, self.loop.create_future()
        future.set_result(None)  # streams catching up look again

    def next_round(self) -> asyncio.Future[None]:
        """Done after the next round or heartbeat tick."""
        return self._round

    def follow(self, topics: Topics, follower: Follower) -> None:
        """From now on ``follower`` gets every round (it has every event up to the cursor)."""
        self.groups.setdefault(topics, set()).add(follower)

    def unfollow(self, topics: Topics, follower: Follower) -> None:
        group = self.groups.get(topics)
        if group is not None:
            group.discard(follower)
            if not group:
                del self.groups[topics]

    def close(self) -> None:
        """Stop the heartbeat timer (the worker is stopping)."""
        self._ticker.cancel()
        if self.notify in self.bus.listeners:
            self.bus.listeners.remove(self.notify)


async def serve_stream(
    fanout: Fanout,
    read_log: Callable[[int], Awaitable[list[Any]]],
    scope: dict[str, Any],
    receive: Receive,
    send: Send,
) -> None:
    """Answer one ``GET /api/v1/events``: a 400 for bad parameters, a 429 past the address's
    cap, else the stream until the client goes, the hub stops or the stream's lifetime ends."""
    address = (scope.get("client") or ("-", 0))[0]
    query = dict(parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"), True))
    last = dict(scope.get("headers") or []).get(b"last-event-id")
    try:
        topics = _parse_topics(query.get("topics"))
        after = _parse_after(None if last is None else last.decode("utf-8", "replace"),
                             "Last-Event-ID")  # fmt: skip
        if after is None:
            after = _parse_after(query.get("after"), "after")
    except ApiError as exc:
        await _answer(send, exc)
        return
    if fanout.by_address.get(address, 0) >= fanout.per_address:
        log.info("GET /api/v1/events 429 - (%s: %d streams open)", address, fanout.per_address)
        await _answer(send, ApiError(
            429, "rate_limited",
            f"at most {fanout.per_address} event streams per address; close one first",
            retry_after=5,
        ))  # fmt: skip
        return
    bus = fanout.bus
    if after is None or after > bus.last_id:
        after = fanout.cursor  # no resume point, or one from another database: from now on
    fanout.by_address[address] = fanout.by_address.get(address, 0) + 1
    done: asyncio.Future[None] = fanout.loop.create_future()
    follower = Follower(send, done)
    gone = asyncio.ensure_future(_disconnected(receive))
    gone.add_done_callback(lambda _: follower.end())
    lifetime = fanout.loop.call_later(LIFETIME_S, follower.end)
    try:
        await send({"type": "http.response.start", "status": 200, "headers": SSE_HEADERS})
        await send(_body(f"retry: 2000\nid: {after}\n\n".encode()))
        # Catch up to the fan-out's cursor on our own, then let it write to us.
        while after != fanout.cursor and not done.done() and not bus.closed:
            if after > fanout.cursor:  # resuming after an id the fan-out has not sent yet
                await asyncio.wait((fanout.next_round(), done), return_when=asyncio.FIRST_COMPLETED)
                continue
            events = bus.since(after)
            if events is None:  # older than the ring: read the log, in a thread
                events = await read_log(after)
            events = [e for e in events[:BACKLOG_PAGE] if e.id <= fanout.cursor]
            if not events:  # the log is behind the ring (should not happen): take the ring's
                break
            after = events[-1].id
            chunk = b"".join(e.sse for e in events if topics is None or e.topic in topics)
            if chunk:
                await send(_body(chunk))
        if not bus.closed and not done.done():
            fanout.follow(topics, follower)
            await done
            fanout.unfollow(topics, follower)
        if not gone.done():
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    except OSError:  # the client went while we wrote
        pass
    finally:
        fanout.unfollow(topics, follower)
        gone.cancel()
        lifetime.cancel()
        fanout.by_address[address] -= 1
        if fanout.by_address[address] <= 0:
            del fanout.by_address[address]


async def _disconnected(receive: Receive) -> None:
    while (await receive()).get("type") != "http.disconnect":
        pass


def _body(data: bytes) -> dict[str, Any]:
    return {"type": "http.response.body", "body": data, "more_body": True}


async def _answer(send: Send, error: ApiError) -> None:
    body = json.dumps(error.body(), ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if "retry_after" in error.extra:
        headers.append((b"retry-after", str(error.extra["retry_after"]).encode()))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
