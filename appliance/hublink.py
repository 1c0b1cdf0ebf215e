"""The appliances' link to the hub: JSON over HTTP, and the Server-Sent Events stream.

Plain Python with no Kivy, so controllers and tests use it directly. Nothing here runs on a UI
thread: apps call :class:`HubClient` from background workers (see :mod:`appliance.tasks`) and
:class:`EventStream` runs its own thread, reconnecting with backoff and resuming from the last
event id, so a hub restart or a network blip neither loses nor replays an event.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def _user_agent() -> str:
    """``motcua-app/0.1.0``: the hub notes which version each device's app runs (the LAN
    updater waits for the new one to be seen before it keeps an update)."""
    try:
        return f"motcua-app/{metadata.version('motcua')}"
    except metadata.PackageNotFoundError:  # run from a source tree without installing
        return "motcua-app/0"


USER_AGENT = _user_agent()

log = logging.getLogger(__name__)


class HubError(Exception):
    """The hub refused a request; ``code`` is the API's error code (see hub/API.md)."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, body: Any = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.body = body


class HubUnreachable(HubError):
    """The hub could not be reached or did not answer in time (the appliance is offline)."""

    def __init__(self, message: str) -> None:
        super().__init__(0, "offline", message)


def new_idempotency_key() -> str:
    """A fresh key for one user action; reuse it when retrying that same action."""
    return uuid.uuid4().hex


class HubClient:
    """Calls the hub's JSON API with this device's (or clerk's) bearer token.

    One keep-alive connection per thread. Requests that carry an idempotency key (and GETs) are
    retried once on a dropped connection, since repeating them cannot change anything twice.
    """

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 5.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"hub URL must be http(s)://host[:port], not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._prefix = parts.path.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.user_agent = USER_AGENT  # another tool on the device (the updater) says its own
        self._local = threading.local()
        self._opened: list[http.client.HTTPConnection] = []  # every thread's, for close()
        self._opened_lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = (
                http.client.HTTPSConnection
                if self._scheme == "https"
                else http.client.HTTPConnection
            )
            conn = cls(self._host, self._port, timeout=self.timeout)
            self._local.conn = conn
            with self._opened_lock:
                self._opened.append(conn)
        return conn

    def close(self) -> None:
        """Close every thread's keep-alive connection (when the app stops)."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            with self._opened_lock:
                self._opened = [c for c in self._opened if c is not conn]
        self._local.conn = None

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        idempotency_key: str | None = None,
        token: str | None = None,
    ) -> Any:
        """Send one request; return the decoded JSON (None for 204).

        Raises :class:`HubError` with the API's error code for a 4xx/5xx answer and
        :class:`HubUnreachable` when the hub cannot be reached in ``timeout`` seconds.
        """
        headers = {"Accept": "application/json", "User-Agent": self.user_agent}
        bearer = token or self.token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        payload = None
        if body is not None:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        retry_safe = method == "GET" or idempotency_key is not None
        attempts = 2 if retry_safe else 1
        for attempt in range(attempts):
            conn = self._connection()
            try:
                conn.request(method, self._prefix + path, body=payload, headers=headers)
                response = conn.getresponse()
                status, raw = response.status, response.read()
                break
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                if attempt + 1 == attempts:
                    raise HubUnreachable(f"{method} {path}: {exc}") from exc
        data = None
        if raw:
            try:
                data = json.loads(raw)
            except ValueError:
                raise HubError(status, "bad_answer", "the hub's answer is not JSON") from None
        if status >= 400:
            error = (data or {}).get("error", {}) if isinstance(data, dict) else {}
            raise HubError(
                status,
                str(error.get("code", "error")),
                str(error.get("message", f"HTTP {status}")),
                error.get("field"),
                data,
            )
        return data

    def get(self, path: str) -> Any:
        """GET a JSON resource."""
        return self.request("GET", path)

    def post(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        """POST JSON; pass the action's idempotency key so a retry or double tap is harmless."""
        payload = body if body is not None else {}
        return self.request("POST", path, payload, idempotency_key=idempotency_key)

    def download(self, path: str, target: Path, chunk: int = 1 << 16) -> None:
        """GET a file into ``target`` in pieces (a wheel may be tens of MB), on a connection of
        its own; :class:`HubError` for a refusal, :class:`HubUnreachable` for a broken link."""
        headers = {"User-Agent": self.user_agent}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        conn = cls(self._host, self._port, timeout=self.timeout)
        try:
            conn.request("GET", self._prefix + path, headers=headers)
            response = conn.getresponse()
            if response.status != 200:
                raise HubError(response.status, "error", f"GET {path}: HTTP {response.status}")
            with target.open("wb") as out:
                while piece := response.read(chunk):
                    out.write(piece)
        except (OSError, http.client.HTTPException) as exc:
            raise HubUnreachable(f"GET {path}: {exc}") from exc
        finally:
            conn.close()


@dataclass(frozen=True)
class Event:
    """One event from the hub's stream."""

    id: int
    type: str
    data: dict[str, Any]


class EventStream:
    """Follows ``GET /api/v1/events`` in a background thread, for as long as it runs.

    ``on_event`` gets each :class:`Event` once, in order; ``on_online`` gets True when the stream
    (re)connects and False when it drops. Both are called on the stream's thread: Kivy apps hand
    them to the main thread. After a drop it reconnects with exponential backoff and asks for
    what came after the last id it delivered, so nothing is missed or repeated.

    Each connection starts with the id the hub follows on from. When that is behind the last id
    delivered, the hub's log went back (it was restored from a backup): the stream follows the
    hub from there, and ``on_reset`` gets that id, since what the app built from the lost events
    is no longer true.
    """

    def __init__(
        self,
        base_url: str,
        on_event: Callable[[Event], None],
        on_online: Callable[[bool], None] | None = None,
        *,
        on_reset: Callable[[int], None] | None = None,
        topics: list[str] | None = None,
        last_event_id: int | None = None,
        stall_timeout: float = 40.0,
        backoff: tuple[float, float] = (0.5, 10.0),
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"hub URL must be http://host[:port], not {base_url!r}")
        self._host = parts.hostname
        self._port = parts.port or 80
        self._prefix = parts.path.rstrip("/")
        self._on_event = on_event
        self._on_online = on_online or (lambda online: None)
        self._on_reset = on_reset or (lambda event_id: None)
        self._topics = topics
        self.last_event_id = last_event_id
        self._stall_timeout = stall_timeout  # the hub sends a heartbeat every 15 s
        self._backoff = backoff
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: http.client.HTTPConnection | None = None
        # http.client forgets the socket once a streaming answer begins; keep it so stop()
        # can cut a stream that is waiting for the next event.
        self._sock: socket.socket | None = None
        self.online = False

    def start(self) -> None:
        """Start following the stream."""
        self._thread = threading.Thread(target=self._run, name="hub-events", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop and wait for the thread to end."""
        self._stop.set()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout)

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self._on_online(online)

    def _run(self) -> None:
        delay = self._backoff[0]
        while not self._stop.is_set():
            try:
                self._follow()
                delay = self._backoff[0]
            except (OSError, http.client.HTTPException, ValueError) as exc:
                if not self._stop.is_set():  # stop() cuts the socket: no drop to report
                    log.info("event stream dropped: %s", exc)
            finally:
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None
                if self._sock is not None:
                    self._sock.close()
                    self._sock = None
            if self._stop.is_set():
                break
            self._set_online(False)
            self._stop.wait(delay)
            delay = min(delay * 2, self._backoff[1])

    def _follow(self) -> None:
        path = f"{self._prefix}/api/v1/events"
        if self._topics:
            path += "?topics=" + ",".join(self._topics)
        headers = {"Accept": "text/event-stream", "User-Agent": USER_AGENT}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._stall_timeout)
        self._conn.connect()
        self._sock = self._conn.sock
        if self._stop.is_set():  # stop() came while connecting
            return
        self._conn.request("GET", path, headers=headers)
        response = self._conn.getresponse()
        if response.status != 200:
            raise http.client.HTTPException(f"event stream answered {response.status}")
        self._set_online(True)
        event_id: str | None = None
        event_type = "message"
        data_lines: list[str] = []
        while not self._stop.is_set():
            raw = response.fp.readline()
            if not raw:
                raise ConnectionError("the hub closed the event stream")
            line = raw.decode("utf-8").rstrip("\r\n")
            if line == "":
                if data_lines and event_id is not None:
                    self._deliver(int(event_id), event_type, "\n".join(data_lines))
                elif event_id is not None:
                    self._start_at(int(event_id))
                event_id, event_type, data_lines = None, "message", []
            elif line.startswith(":"):
                continue  # heartbeat comment: the socket timeout restarts with it
            else:
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "id":
                    event_id = value
                elif name == "event":
                    event_type = value
                elif name == "data":
                    data_lines.append(value)

    def _start_at(self, event_id: int) -> None:
        """The hub names the id this connection follows on from."""
        if self.last_event_id is None:
            self.last_event_id = event_id  # a drop before the first event resumes from here
        elif event_id < self.last_event_id:
            log.warning(
                "the hub's event log went back from %s to %s (restored from a backup?)",
                self.last_event_id, event_id,
            )  # fmt: skip
            self.last_event_id = event_id
            try:
                self._on_reset(event_id)
            except Exception:
                log.exception("reset handler failed")

    def _deliver(self, event_id: int, event_type: str, raw: str) -> None:
        if self.last_event_id is not None and event_id <= self.last_event_id:
            return  # already delivered before a reconnect
        data = json.loads(raw)
        self.last_event_id = event_id
        try:
            self._on_event(Event(event_id, event_type, data))
        except Exception:  # a bug in one handler must not end the stream
            log.exception("event handler failed for %s %s", event_type, event_id)
