"""The outbox's delivery: one background thread posting batches to the back end, at least once.

An item is marked delivered only after a 2xx answer to the request that carried it; anything
else leaves it in line, so a crash at any moment costs at most a repeat, which the back end
recognizes by the item's key. What an answer means:

- 2xx: the batch is delivered;
- 408, 409 (the same key still in progress), 425, 429, 5xx, a timeout, no connection: retry the
  batch later, backing off exponentially with jitter up to ``backoff_cap_s`` (``Retry-After`` is
  honoured within that cap);
- 401, 403, 404, 405, 407: the endpoint refuses the hub itself (a wrong URL or token), not an
  item: back off as well, and the console says why;
- 413 or another 4xx: something in the batch is refused. The batch is split in halves and each
  sent again, down to the one item refused, which is kept, marked failed and shown in the
  console; it is not retried until an administrator requeues it.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import random
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from hub import db
from hub.outbox import payloads, store
from hub.outbox.settings import OutboxConfig
from hub.queue.writer import Writer

log = logging.getLogger(__name__)

RETRY = frozenset((408, 409, 425, 429))
REFUSES_HUB = frozenset((401, 403, 404, 405, 407))
MAX_ANSWER_BYTES = 64 * 1024
PRUNE_EVERY_S = 3600.0


class RetryLater(Exception):
    """The back end cannot take the batch now; ``after_s`` is its ``Retry-After``, if any."""

    def __init__(self, message: str, after_s: float | None = None) -> None:
        super().__init__(message)
        self.after_s = after_s


class Delivery:
    """Posts outbox items to ``config.url`` from a daemon thread until :meth:`stop`."""

    def __init__(
        self,
        config: OutboxConfig,
        db_path: Any,
        writer: Writer,
        hub: dict[str, Any],
        iso: Callable[[float], str],
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.db_path = db_path
        self.writer = writer
        self.hub = hub  # {"id", "site", "name"}: sent with every request
        self.iso = iso
        self.rng = rng
        parts = urlsplit(config.url)
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname or "", parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.headers = {"Content-Type": "application/json", "User-Agent": "motcua-hub"}
        if config.auth_header:
            name, _, value = config.auth_header.partition(":")
            self.headers[name.strip()] = value.strip()
        self._http: http.client.HTTPConnection | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pruned_at = 0.0
        # What the console shows (read from other threads: plain values, replaced whole).
        self.failures = 0
        self.last_error: str | None = None
        self.next_attempt_at: float | None = None
        self.last_success: float | None = None
        self.delivered = 0  # items, since the hub started
        self.refused = 0
        self.requests = 0

    # --- thread ------------------------------------------------------------------------------

    def start(self) -> None:
        """Run the delivery loop on a daemon thread (idempotent)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="motcua-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the thread, cutting short a request in hand (its items stay in line: the next
        start sends them again); the caller stops the writer and closes the database next, so
        this waits for the thread."""
        self._stop.set()
        self._wake.set()
        in_hand = self._http
        if in_hand is not None and in_hand.sock is not None:
            with contextlib.suppress(OSError):
                in_hand.sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wake(self) -> None:
        """New items were committed: look now rather than at the next poll."""
        self._wake.set()

    def delay(self) -> float:
        """Seconds to wait after ``failures`` failures in a row: exponential, capped, jittered
        (half to all of it, so a province's hubs do not return in step to a recovering back end)."""
        base, cap = self.config.backoff_base_s, self.config.backoff_cap_s
        backoff = min(cap, base * 2 ** min(self.failures - 1, 30))
        return backoff * (0.5 + 0.5 * self.rng())

    def _loop(self) -> None:
        conn = db.connect(self.db_path)
        try:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    sent = self.run_once(conn)
                except RetryLater as exc:
                    self.failures += 1
                    self.last_error = str(exc)
                    wait = self.delay()
                    if exc.after_s is not None:
                        wait = min(max(wait, exc.after_s), self.config.backoff_cap_s)
                    self.next_attempt_at = time.time() + wait
                    log.warning("outbox: %s; retrying in %.1f s (%d in a row)",
                                exc, wait, self.failures)  # fmt: skip
                    self._stop.wait(wait)  # only a stop cuts a backoff short, not new items
                    continue
                except Exception as exc:  # a bug here must not kill the thread or the hub
                    self.failures += 1
                    self.last_error = f"internal error: {exc}"
                    log.exception("outbox delivery crashed")
                    self._stop.wait(self.delay())
                    continue
                self.next_attempt_at = None
                if sent:
                    continue  # more may be waiting: no pause while there is a backlog
                self._maybe_prune()
                self._wake.wait(self.config.poll_s)
        finally:
            self._close_http()
            conn.close()

    # --- one round ---------------------------------------------------------------------------

    def run_once(self, conn: sqlite3.Connection) -> int:
        """Send one batch of the oldest pending items; how many were settled (delivered or
        refused). Raises :class:`RetryLater` when the back end cannot take them now."""
        rows = store.pending(conn, self.config.batch_size)
        if not rows:
            return 0
        items = payloads.build_items(conn, rows, self.hub["id"], self.iso)
        ids = [row["id"] for row in rows]
        settled = self._send(list(zip(ids, items, strict=True)))
        if self.failures:
            log.info("outbox: the back end takes deliveries again")
        self.failures = 0
        self.last_error = None
        return settled

    def _send(self, batch: list[tuple[int, dict[str, Any]]]) -> int:
        status, reason = self._post([item for _, item in batch])
        if 200 <= status < 300:
            self.writer.run(store.mark_delivered([item_id for item_id, _ in batch]))
            self.delivered += len(batch)
            self.last_success = time.time()
            return len(batch)
        if len(batch) > 1:  # something in it is refused: find it, deliver the rest
            half = len(batch) // 2
            return self._send(batch[:half]) + self._send(batch[half:])
        item_id, item = batch[0]
        error = f"HTTP {status}: {reason}"
        log.error("outbox: the back end refused item %s (%s): %s", item["key"], item["type"], error)
        self.writer.run(store.mark_failed(item_id, error))
        self.refused += 1
        return 1

    def _post(self, items: list[dict[str, Any]]) -> tuple[int, str]:
        """(status, a line of the answer) for an item-level refusal; 2xx for success; raises
        :class:`RetryLater` for everything that is not about the items."""
        data = payloads.body(self.hub, items)
        headers = {**self.headers, "Idempotency-Key": payloads.batch_key([i["key"] for i in items])}
        deadline = time.monotonic() + self.config.timeout_s
        reused = self._http is not None
        try:
            answer, text = self._exchange(data, headers, deadline)
        except (ConnectionError, http.client.RemoteDisconnected) as exc:
            # A kept-alive connection the back end closed while idle fails at once: try once
            # more on a new one before calling it down (a repeat is harmless: keys).
            self._close_http()
            if not reused or self._stop.is_set():
                raise RetryLater(f"cannot reach {self._host}: {exc}") from None
            try:
                answer, text = self._exchange(data, headers, deadline)
            except (ConnectionError, http.client.RemoteDisconnected) as again:
                self._close_http()
                raise RetryLater(f"cannot reach {self._host}: {again}") from None
        status = answer.status
        if answer.will_close:
            self._close_http()
        if 200 <= status < 300:
            return status, ""
        line = text.decode("utf-8", "replace").strip().replace("\n", " ")[:200]
        if status in RETRY or status >= 500:
            after = _retry_after(answer.getheader("Retry-After"))
            raise RetryLater(f"HTTP {status}: {line}", after)
        if status in REFUSES_HUB:
            raise RetryLater(f"the endpoint refuses the hub: HTTP {status}: {line}")
        return status, line

    def _exchange(
        self, data: bytes, headers: dict[str, str], deadline: float
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """One request and its answer's body; :class:`RetryLater` on a timeout, and on any
        failure but a dropped connection, which the caller may try again."""
        self.requests += 1
        try:
            conn = self._connection()
            conn.request("POST", self._path, body=data, headers=headers)
            answer = conn.getresponse()
            return answer, self._read(answer, deadline)
        except (ConnectionError, http.client.RemoteDisconnected):
            raise
        except (OSError, http.client.HTTPException) as exc:
            self._close_http()
            if isinstance(exc, TimeoutError):
                raise RetryLater(f"no answer within {self.config.timeout_s:.0f} s") from None
            raise RetryLater(f"cannot reach {self._host}: {exc}") from None

    def _connection(self) -> http.client.HTTPConnection:
        if self._http is None:  # kept open between batches: one TCP set-up, not one per batch
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._http = cls(self._host, self._port, timeout=self.config.timeout_s)
        return self._http

    def close(self) -> None:
        """Close the connection kept to the back end (the thread does so when it stops)."""
        self._close_http()

    def _close_http(self) -> None:
        if self._http is not None:
            with contextlib.suppress(OSError):
                self._http.close()
            self._http = None

    def _read(self, answer: http.client.HTTPResponse, deadline: float) -> bytes:
        """The answer's body, up to :data:`MAX_ANSWER_BYTES`, within what is left of the
        deadline (an answer that drips slower than that is a timeout)."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed while waiting for the answer")
        if self._http is not None and self._http.sock is not None:
            self._http.sock.settimeout(left)
        text = answer.read(MAX_ANSWER_BYTES + 1)
        if len(text) > MAX_ANSWER_BYTES or not answer.isclosed():
            self._close_http()  # the rest of a huge answer is not worth reading: a new socket
        return text

    def _maybe_prune(self) -> None:
        """Forget items delivered more than ``keep_delivered_days`` ago, a slice at a time."""
        now = time.time()
        if now - self._pruned_at < PRUNE_EVERY_S:
            return
        self._pruned_at = now
        before = now - self.config.keep_delivered_days * 86400
        while not self._stop.is_set() and self.writer.run(store.prune(before)) > 0:
            pass

    def status(self) -> dict[str, Any]:
        """For the console: the worker's state and its counts since the hub started."""
        return {
            "failures": self.failures, "last_error": self.last_error,
            "next_attempt_at": self.next_attempt_at, "last_success": self.last_success,
            "delivered": self.delivered, "refused": self.refused, "requests": self.requests,
        }  # fmt: skip


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (the HTTP-date form is ignored: the backoff stands in)."""
    if value and value.strip().isdigit():
        return float(value.strip()[:6])
    return None
