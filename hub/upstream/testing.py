"""A back end whose every answer a test scripts, speaking real HTTP on 127.0.0.1.

>>> with ScriptedBackEnd() as backend:
...     backend.answer("/api/hoso/H21.22-241105-0012", 200, {"data": {...}})
...     backend.answer_with("/api/hoso/thay-doi", lambda handler: time.sleep(5))
...     adapter = HttpAdapter(backend.url)

Unscripted paths answer 404. ``raw`` bodies are sent byte for byte, so malformed JSON, huge
bodies, lying Content-Length and dripping answers are all expressible; ``requests`` records
every path asked, with its headers.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

Behaviour = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        with self.server.lock:
            self.server.requests.append((self.path, dict(self.headers)))
            behaviour = self.server.routes.get(path) or self.server.routes.get("*")
        if behaviour is None:
            send(self, 404, b'{"error": "not found"}')
            return
        # The client may give up on a slow answer, as it should.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            behaviour(self)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Behaviour] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up on a slow or huge answer is the point of these tests: stay quiet."""


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_length: int | None = None,
    content_type: str = "application/json",
) -> None:
    """Write one whole answer."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header(
        "Content-Length", str(len(body) if content_length is None else content_length)
    )
    handler.end_headers()
    handler.wfile.write(body)


class ScriptedBackEnd:
    """The server; use as a context manager (it stops on exit)."""

    def __init__(self) -> None:
        self._server = _Server()
        # A short poll: shutdown() waits for the loop to look, and every test stops one.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.01,), daemon=True
        )
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"

    def __enter__(self) -> ScriptedBackEnd:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        """(path with query, headers) of every request so far."""
        with self._server.lock:
            return list(self._server.requests)

    def answer_with(self, path: str, behaviour: Behaviour) -> None:
        """Handle GET ``path`` (without query; ``*`` for any) with ``behaviour(handler)``."""
        with self._server.lock:
            self._server.routes[path] = behaviour

    def answer(self, path: str, status: int, body: Any, delay_s: float = 0.0) -> None:
        """Answer ``path`` with ``status`` and ``body`` (JSON-encoded unless bytes)."""
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()

        def behaviour(handler: BaseHTTPRequestHandler) -> None:
            if delay_s:
                time.sleep(delay_s)
            send(handler, status, data)

        self.answer_with(path, behaviour)


def drip(every_s: float = 0.2, total: int = 10_000) -> Behaviour:
    """Headers at once, then one byte every ``every_s`` seconds: a back end stuck mid-answer."""

    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        handler.wfile.write(b"{")
        for _ in range(total - 1):
            handler.wfile.flush()
            time.sleep(every_s)
            handler.wfile.write(b" ")

    return behaviour


def endless(chunk: bytes = b"[" * 65536) -> Behaviour:
    """A chunked answer that never ends: no Content-Length to refuse up front."""

    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for _ in range(100_000):
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    return behaviour


class SimProcess:
    """``motcua upstream-sim`` as a real subprocess on a free port; ``stop()`` it when done."""

    def __init__(self, dossiers: int = 500, seed: int = 7, extra: list[str] | None = None) -> None:
        import socket
        import subprocess
        import sys
        import tempfile

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", "motcua.cli", "upstream-sim", "--port", str(self.port)]
        argv += ["--dossiers", str(dossiers), "--seed", str(seed), *(extra or [])]
        # A file, not a pipe: nobody reads the output while it runs, and a full pipe would block.
        self.output = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(argv, stdout=self.output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"upstream-sim exited: {self.log()}")
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("upstream-sim did not start within 30 s")

    def get(self, path: str) -> Any:
        """GET ``path`` and parse the JSON answer."""
        import urllib.request

        with urllib.request.urlopen(self.url + path, timeout=5) as answer:
            return json.loads(answer.read())

    def samples(self) -> list[dict[str, Any]]:
        """Codes in interesting states right now: [{code, what, status}]."""
        return list(self.get("/sim/samples")["samples"])

    def set_mode(self, mode: str) -> None:
        """Make the simulator ok, slow, down or answer garbage."""
        import urllib.request

        body = json.dumps({"mode": mode}).encode()
        request = urllib.request.Request(self.url + "/sim/mode", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=5):
            pass

    def stop(self) -> None:
        """Terminate the process and wait for it."""
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.output.close()

    def log(self) -> str:
        """What the simulator printed so far."""
        self.output.seek(0)
        return self.output.read().decode("utf-8", "replace")
