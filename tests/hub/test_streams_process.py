"""Open streams and slow clients cost a real hub no thread: hundreds of idle event streams,
sockets that never finish their headers and POSTs whose body never comes leave it answering
everyone else at once; one address past its caps gets a clear 429."""

from __future__ import annotations

import json
import selectors
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.config import HubConfig
from hub.testing import HubProcess, start_hub
from motcua.config import ConfigError, load

PROMPT_S = 1.0  # what "at once" means here, on a shared test machine


def open_stream(hub: HubProcess, source: str = "127.0.0.1") -> socket.socket:
    """A raw ``GET /api/v1/events`` with no token; the request sent, nothing read yet."""
    sock = socket.create_connection(("127.0.0.1", hub.port), timeout=10, source_address=(source, 0))
    sock.sendall(b"GET /api/v1/events HTTP/1.1\r\nHost: hub\r\n\r\n")
    return sock


def read_head(sock: socket.socket) -> tuple[int, bytes]:
    """The status of an answer, and what came with its head."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed after {data!r}"
        data += chunk
    return int(data[9:12]), data


def wait_opened(socks: list[socket.socket], timeout: float = 30.0) -> None:
    """Until every stream has its opening message (the ``retry``/``id`` lines)."""
    selector = selectors.DefaultSelector()
    for sock in socks:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, bytearray())
    waiting = len(socks)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for key, _ in selector.select(0.5):
            key.data.extend(key.fileobj.recv(65536))
            if b"retry: 2000" in key.data:
                selector.unregister(key.fileobj)
                waiting -= 1
    selector.close()
    assert waiting == 0, f"{waiting} of {len(socks)} streams got no opening message"
    for sock in socks:
        sock.setblocking(True)


def timed(hub: HubProcess, method: str, path: str, body: object = None, token: str | None = None):
    began = time.monotonic()
    status, answer = hub.request(method, path, body, token)
    return status, answer, time.monotonic() - began


@pytest.fixture
def many_streams_hub(tmp_path: Path) -> Iterator[HubProcess]:
    """A hub taking up to 400 streams from one address, with few request threads."""
    hub = start_hub(tmp_path / "hub", settings={"streams_per_address": 400, "threads": 8})
    try:
        yield hub
    finally:
        hub.stop()


@pytest.mark.slow
def test_300_idle_streams_leave_health_and_ticket_issue_prompt(many_streams_hub: HubProcess):
    hub = many_streams_hub
    streams = [open_stream(hub) for _ in range(300)]
    try:
        wait_opened(streams)  # 300 streams open on a hub with 8 request threads
        status, body, took = timed(hub, "GET", "/healthz")
        assert status == 200 and body["ok"] and took < PROMPT_S
        status, ticket, took = timed(hub, "POST", "/api/v1/tickets", {"service": "A"},
                                     hub.kiosk_token)  # fmt: skip
        assert status == 201 and took < PROMPT_S
        # And the streams are live: the ticket reaches the first and the last of them.
        for sock in (streams[0], streams[-1]):
            sock.settimeout(5)
            data = b""
            while b"ticket.issued" not in data:
                chunk = sock.recv(65536)
                assert chunk, "the stream ended"
                data += chunk
            assert ticket["number"].encode() in data
    finally:
        for sock in streams:
            sock.close()


@pytest.fixture
def capped_hub(tmp_path: Path) -> Iterator[HubProcess]:
    settings = {"streams_per_address": 3, "unfinished_per_address": 4, "body_timeout_s": 2.0,
                "header_timeout_s": 2.0, "threads": 8}  # fmt: skip
    hub = start_hub(tmp_path / "hub", settings=settings)
    try:
        yield hub
    finally:
        hub.stop()


def test_a_client_past_its_stream_cap_gets_a_clear_429(capped_hub: HubProcess):
    hub = capped_hub
    streams = [open_stream(hub) for _ in range(3)]
    wait_opened(streams)
    extra = open_stream(hub)
    status, answer = read_head(extra)
    extra.close()
    assert status == 429
    assert b"retry-after: 5" in answer.lower()
    body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert body["error"]["code"] == "rate_limited"
    assert "3 event streams per address" in body["error"]["message"]
    # Another address is not affected.
    other = open_stream(hub, source="127.0.0.2")
    assert read_head(other)[0] == 200
    other.close()
    # Once a stream of the first address closes, it may open one again.
    streams.pop().close()
    deadline = time.monotonic() + 5
    while True:
        again = open_stream(hub)
        status, _ = read_head(again)
        again.close()
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert status == 200
    for sock in streams:
        sock.close()


def slow_post(hub: HubProcess, source: str) -> socket.socket:
    """A ticket POST that declares 1,000 bytes of body and sends one."""
    sock = socket.create_connection(("127.0.0.1", hub.port), timeout=10, source_address=(source, 0))
    sock.sendall(
        b"POST /api/v1/tickets HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{"
    )
    return sock


@pytest.mark.slow  # over 2 s: left out of make test-fast
def test_slow_bodies_hold_no_thread_are_capped_and_time_out(capped_hub: HubProcess):
    """More slow POSTs than the hub has request threads leave it answering others at once; the
    one past the address's cap gets a 429 at once; the slow ones get a 408 after the body
    timeout."""
    hub = capped_hub
    # 4 per address, from 3 addresses: 12 bodies that never come, on 8 request threads.
    slow = [slow_post(hub, f"127.0.0.{n}") for n in (2, 3, 4) for _ in range(4)]
    time.sleep(0.2)  # let the hub take them in before asking it anything else
    began = time.monotonic()
    refused = slow_post(hub, "127.0.0.2")
    status, answer = read_head(refused)
    refused.close()
    assert status == 429 and time.monotonic() - began < PROMPT_S
    assert b"too many unfinished requests" in answer
    status, _, took = timed(hub, "POST", "/api/v1/tickets", {"service": "A"}, hub.kiosk_token)
    assert status == 201 and took < PROMPT_S
    status, _, took = timed(hub, "GET", "/healthz")
    assert status == 200 and took < PROMPT_S
    for sock in slow:
        sock.settimeout(10)
        status, answer = read_head(sock)  # after body_timeout_s
        assert status == 408, answer
        sock.close()


def ended(sock: socket.socket, timeout: float) -> bool:
    """The hub ended this connection (a 408 answer or none) within ``timeout`` seconds."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return data == b"" or data.startswith(b"HTTP/1.1 408")


@pytest.mark.slow
def test_slowloris_sockets_do_not_stop_others_and_are_dropped(capped_hub: HubProcess):
    """200 sockets that never finish their headers: others are answered at once, and the hub
    drops them after ``header_timeout_s``."""
    hub = capped_hub
    loris = []
    for n in range(200):
        sock = socket.create_connection(("127.0.0.1", hub.port), timeout=10,
                                        source_address=(f"127.0.1.{n % 200 + 1}", 0))  # fmt: skip
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Wait: ")
        loris.append(sock)
    try:
        for _ in range(5):
            status, _, took = timed(hub, "GET", "/healthz")
            assert status == 200 and took < PROMPT_S
            status, _, took = timed(hub, "POST", "/api/v1/tickets", {"service": "B"},
                                    hub.kiosk_token)  # fmt: skip
            assert status == 201 and took < PROMPT_S
        for sock in loris:  # header_timeout_s is 2 s: each is ended well within 10
            assert ended(sock, timeout=10)
    finally:
        for sock in loris:
            sock.close()


def test_stream_and_slow_client_settings_are_checked() -> None:
    for key, value in (("STREAMS_PER_ADDRESS", "0"), ("UNFINISHED_PER_ADDRESS", "0"),
                       ("BODY_TIMEOUT_S", "0"), ("HEADER_TIMEOUT_S", "-1"),
                       ("MAX_CONNECTIONS", "10")):  # fmt: skip
        with pytest.raises(ConfigError) as caught:
            load(HubConfig, env={f"MOTCUA_{key}": value})
        assert caught.value.key == key.lower()


def test_raw_non_ascii_bytes_in_a_query_are_no_server_error(hub_process: HubProcess) -> None:
    """The front hands Flask the query as WSGI asks (latin-1 text); a raw UTF-8 byte in it is
    read as the character it encodes."""
    for target in (b"/api/v1/procedures?q=\xc3\xa9", b"/api/v1/events?topics=\xc3\xa9"):
        sock = socket.create_connection(("127.0.0.1", hub_process.port), timeout=10)
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
        status, answer = read_head(sock)
        sock.close()
        assert status in (200, 400), answer
    assert "Traceback" not in hub_process.log()
    sock = socket.create_connection(("127.0.0.1", hub_process.port), timeout=10)
    sock.sendall(
        b"GET /api/v1/events?topics=\xc3\xa9 HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n"
    )
    answer = b""
    while chunk := sock.recv(65536):  # the whole answer: the hub closes after it
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.1 400") and "unknown topic(s) é".encode() in answer
