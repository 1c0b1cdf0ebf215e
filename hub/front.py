"""The hub's ASGI front: what happens to a request before a Python thread takes it.

Granian serves this on its event loop (one thread). Event streams stay on the loop
(:mod:`hub.queue.live`): an open stream costs a coroutine, not a thread. Every other request
has its whole body read here first, under a deadline and a per-address count of unfinished
requests, and only then goes to the Flask app in a pool of ``threads`` threads, whose answer
comes back whole (Flask's answers are complete, so the pool thread never waits on a client).
A client that sends slowly, or not at all, holds a socket and a coroutine, never a thread.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from a2wsgi.wsgi import build_environ
from flask import Flask

from hub.config import HubConfig
from hub.queue import live
from hub.queue.events import EventBus, load_after

log = logging.getLogger("motcua.hub")
access = logging.getLogger("motcua.access")

EVENTS_PATH = "/api/v1/events"
WEBHOOK_PATH = "/api/v1/upstream/webhook"
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class Front:
    """The ASGI application: streams on the loop, everything else to Flask in the pool."""

    def __init__(self, app: Flask, settings: HubConfig) -> None:
        self.app = app
        self.settings = settings
        self.bus: EventBus = app.extensions["motcua.bus"]
        self.store = app.extensions["motcua.store"]
        self.pool = ThreadPoolExecutor(settings.threads, thread_name_prefix="motcua-http")
        # Requests whose body is still coming, per client address.
        self.unfinished: dict[str, int] = {}
        self.fanout: live.Fanout | None = None
        # Bodies allowed past max_body_bytes, by path: the back end's pushed batches, and only
        # when the webhook is enabled (else any caller could make the hub read megabytes).
        self.larger_bodies: dict[str, int] = {}
        if settings.upstream.webhook_secret:
            from hub.upstream.push import MAX_BODY

            self.larger_bodies[WEBHOOK_PATH] = MAX_BODY

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            if scope["path"] == EVENTS_PATH and scope["method"] == "GET":
                await live.serve_stream(self._fanout(), self._read_log, scope, receive, send)
            else:
                await self._to_flask(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    # --- event streams ---------------------------------------------------------------------

    def _fanout(self) -> live.Fanout:
        if self.fanout is None:  # built on the loop it serves
            self.fanout = live.Fanout(
                self.bus, asyncio.get_running_loop(), self.settings.heartbeat_s,
                self.settings.streams_per_address,
            )  # fmt: skip
        return self.fanout

    async def _read_log(self, after: int) -> list[Any]:
        def read() -> list[Any]:
            with self.store.borrow() as conn:
                return load_after(conn, after)

        return await asyncio.get_running_loop().run_in_executor(self.pool, read)

    # --- everything else -------------------------------------------------------------------

    async def _to_flask(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = await self._read_body(scope, receive)
        if isinstance(body, tuple):
            status, headers, payload = body
        else:
            loop = asyncio.get_running_loop()
            status, headers, payload = await loop.run_in_executor(
                self.pool, call_wsgi, self.app.wsgi_app, scope, body
            )
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload, "more_body": False})

    async def _read_body(self, scope: dict[str, Any], receive: Any) -> bytes | Answer:
        """The request's whole body, or the answer that refuses it (429, 408).

        A body declared larger than ``max_body_bytes`` (or the path's own larger limit) is not
        read: Flask refuses the request from its headers and says the connection closes.
        """
        length = chunked = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = value
        if chunked is None and (length is None or length == b"0"):
            return b""
        limit = self.larger_bodies.get(scope["path"], self.settings.max_body_bytes)
        if length is not None and length.isdigit() and int(length) > limit:
            return b""
        address = (scope.get("client") or ("-", 0))[0]
        if self.unfinished.get(address, 0) >= self.settings.unfinished_per_address:
            access.info("%s %s 429 - (%s: too many unfinished requests)",
                        scope["method"], scope["path"], address)  # fmt: skip
            message = "too many unfinished requests from this address"
            return _refusal(429, "rate_limited", message, retry_after=5)
        self.unfinished[address] = self.unfinished.get(address, 0) + 1
        parts: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.settings.body_timeout_s):
                more = True
                while more and size <= limit:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return _refusal(400, "invalid", "the client went before its body came")
                    parts.append(message.get("body", b""))
                    size += len(parts[-1])
                    more = message.get("more_body", False)
        except TimeoutError:
            access.info("%s %s 408 - (%s: body not received in %g s)", scope["method"],
                        scope["path"], address, self.settings.body_timeout_s)  # fmt: skip
            return _refusal(408, "timeout", "the request's body did not arrive in time")
        finally:
            self.unfinished[address] -= 1
            if not self.unfinished[address]:
                del self.unfinished[address]
        return b"".join(parts)  # past the limit by a part at most: Flask refuses it with a 413

    # --- start and stop --------------------------------------------------------------------

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._fanout()
                self._end_streams_on_stop(asyncio.get_running_loop())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.fanout is not None:
                    self.fanout.close()
                self.pool.shutdown(wait=False)
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _end_streams_on_stop(self, loop: asyncio.AbstractEventLoop) -> None:
        """End every event stream as soon as the worker is told to stop.

        Granian stops gracefully: it waits for open answers to finish, and a stream never
        finishes by itself. Granian's loop owns SIGTERM and SIGINT through its wakeup fd; a
        Python-level handler set on top runs as well, without taking that over.
        """

        def stopping() -> None:
            log.info("stopping: ending the event streams (clients resume from their last id)")
            self.bus.close(wait_s=0)

        for signum in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(signum)

            def handler(number: int, frame: Any, previous: Any = previous) -> None:
                loop.call_soon_threadsafe(stopping)
                if callable(previous):
                    previous(number, frame)

            signal.signal(signum, handler)


def _refusal(status: int, code: str, message: str, retry_after: int | None = None) -> Answer:
    error: dict[str, Any] = {"code": code, "message": message}
    headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
    if retry_after is not None:
        error["retry_after"] = retry_after
        headers.append((b"retry-after", str(retry_after).encode()))
    return status, headers, json.dumps({"error": error}).encode()


def call_wsgi(app: Any, scope: dict[str, Any], body: bytes) -> Answer:
    """In a pool thread: a WSGI app's whole answer to one request whose body is here whole.

    The app's answer is joined here, once: the loop then sends it in one write.
    """
    # a2wsgi reads the query as ASCII and fails on a raw non-ASCII byte; WSGI wants it as
    # latin-1 "bytes as text", which Werkzeug then decodes.
    environ = build_environ({**scope, "query_string": b""}, io.BytesIO(body))  # type: ignore[arg-type]
    environ["QUERY_STRING"] = scope.get("query_string", b"").decode("latin-1")
    if "CONTENT_LENGTH" not in environ and body:
        environ["wsgi.input_terminated"] = True  # a chunked body, here whole
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started[:] = [status, headers]

    result = app(environ, start_response)
    try:
        payload = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    status, headers = started
    encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    return int(status[:3]), encoded, payload
