"""The panel's link to the hub: the kit's client and event stream, each with a clean stop.

HubClient keeps one keep-alive connection per worker thread and has no way to close them; the
panel closes them when it stops, so an app stopped and started again in one process (tests, the
benchmark) leaves no sockets behind.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading

from appliance.hublink import EventStream, HubClient


class PanelClient(HubClient):
    """A HubClient that remembers its connections so :meth:`close` can end them all."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 5.0) -> None:
        super().__init__(base_url, token, timeout)
        self._opened: list[http.client.HTTPConnection] = []
        self._opened_lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        fresh = getattr(self._local, "conn", None) is None
        conn = super()._connection()
        if fresh:
            with self._opened_lock:
                self._opened.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection any thread opened (they reopen on the next request)."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()


class PanelEventStream(EventStream):
    """An EventStream whose ``stop()`` also ends a stream that is waiting for the next event.

    EventStream shuts down ``conn.sock``, but http.client drops that reference once the hub's
    streaming answer begins, so ``stop()`` had to wait for the next heartbeat. Keeping the socket
    when the connection is made lets stop() cut it at once.
    """

    _sock: socket.socket | None = None

    @property  # type: ignore[override]
    def _conn(self) -> http.client.HTTPConnection | None:
        return self.__dict__.get("_conn_value")

    @_conn.setter
    def _conn(self, conn: http.client.HTTPConnection | None) -> None:
        self.__dict__["_conn_value"] = conn
        if conn is not None:
            conn.connect()  # now, so the socket is known before the answer starts
            self._sock = conn.sock

    def stop(self, timeout: float = 5.0) -> None:
        """Stop and wait for the thread, cutting a stream that is waiting."""
        self._stop.set()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        super().stop(timeout)
