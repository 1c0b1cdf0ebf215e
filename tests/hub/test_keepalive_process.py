"""A request refused before its body was read does not cost the client its connection silently:
within the accepted size the connection carries on; past it, the answer says it closes."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from hub.testing import HubProcess


def refused_post(hub: HubProcess, body_bytes: int) -> tuple[socket.socket, bytes]:
    """A ticket POST without a token over a fresh connection, and the head of its answer."""
    url = urlsplit(hub.url)
    conn = socket.create_connection((url.hostname, url.port), timeout=10)
    body = b'{"service": "A", "pad": "' + b"x" * body_bytes + b'"}'
    conn.sendall(
        b"POST /api/v1/tickets HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    )
    return conn, read_answer(conn)


def read_answer(conn: socket.socket) -> bytes:
    """One whole HTTP answer with a Content-Length body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    )  # fmt: skip
    while len(rest) < length:
        rest += conn.recv(65536)
    return head.lower()


def test_refused_post_within_the_limit_keeps_the_connection(hub_process: HubProcess) -> None:
    conn, head = refused_post(hub_process, 60_000)
    with conn:
        assert head.startswith(b"http/1.1 401") and b"connection: close" not in head
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
        assert read_answer(conn).startswith(b"http/1.1 200")


def test_refused_post_past_the_limit_says_the_connection_closes(hub_process: HubProcess) -> None:
    conn, head = refused_post(hub_process, 200_000)
    with conn:
        assert head.startswith(b"http/1.1 401") and b"connection: close" in head
