"""``motcua upstream-sim``: a separate HTTP process that behaves like an agency's back end.

It serves the simulated world of :mod:`hub.upstream.sim_data` in the national portal's field
names, at the endpoints the hub's default mapping expects:

    GET  /api/hoso/{code}                        one dossier, {"data": {...}} or 404
    GET  /api/hoso/thay-doi?cursor=&limit=       changed dossiers since a cursor
    GET  /api/tthc?cursor=&limit=                the procedure catalogue, paged
    GET  /sim/samples                            a few codes worth typing in a demo
    POST /sim/mode  {"mode": "ok|slow|down|garbage"}   misbehave on purpose, for demos
    POST /api/outbox                             the hub's outbox deliveries (hub/API.md)
    GET  /sim/outbox[?items=1]                   what was delivered, deduplicated by key
    POST /sim/outbox/refuse {"types": [...]}     answer 422 to items of these types

With ``--push-url`` and ``--push-secret`` it also pushes changed dossiers to the hub's webhook.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import threading
import time
import urllib.request
import uuid
import zoneinfo
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from hub.upstream import push
from hub.upstream.sim_data import ZONE_NAME, World, to_portal

log = logging.getLogger("motcua.upstream-sim")
MODES = ("ok", "slow", "down", "garbage")
MAX_DELIVERY_BYTES = 16 * 1024 * 1024


class Received:
    """The outbox items the back end has taken, once each by key, and how often each came."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: dict[str, dict[str, Any]] = {}
        self.arrived = 0  # deliveries that came in, whatever became of them
        self.requests = 0  # deliveries taken
        self.duplicates = 0
        self.refuse: set[str] = set()  # item types answered 422, to show a refused item

    def take(self, body: Any) -> tuple[int, dict[str, Any]]:
        """(status, answer) for one delivery: 422 naming what is wrong, else 200."""
        problem = _delivery_problem(body)
        if problem:
            return 422, {"error": problem}
        with self.lock:
            refused = [i["key"] for i in body["items"] if i["type"] in self.refuse]
            if refused:
                return 422, {"error": f"items refused on purpose: {', '.join(refused[:5])}"}
            self.requests += 1
            new = 0
            for item in body["items"]:
                if item["key"] in self.items:
                    self.duplicates += 1
                    continue
                self.items[item["key"]] = {**item, "hub": body["hub"], "received_at": time.time()}
                new += 1
        return 200, {"accepted": new, "duplicates": len(body["items"]) - new}

    def report(self, with_items: bool) -> dict[str, Any]:
        """Counts, and the items themselves when asked."""
        with self.lock:
            by_type: dict[str, int] = {}
            for item in self.items.values():
                by_type[item["type"]] = by_type.get(item["type"], 0) + 1
            found: dict[str, Any] = {
                "count": len(self.items), "arrived": self.arrived, "requests": self.requests,
                "duplicates": self.duplicates, "by_type": by_type,
            }  # fmt: skip
            if with_items:
                found["items"] = list(self.items.values())
        return found


def _delivery_problem(body: Any) -> str:
    """What makes a delivery malformed, or ""."""
    if not isinstance(body, dict) or not isinstance(body.get("hub"), dict):
        return "the body must be an object with hub and items"
    if not isinstance(body["hub"].get("id"), str) or not body["hub"]["id"]:
        return "hub.id must be a non-empty string"
    items = body.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= 1000:
        return "items must be a list of 1 to 1000 items"
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            return f"items[{n}] must be an object"
        for name, kind in (("key", str), ("type", str), ("at", str), ("data", dict)):
            if not isinstance(item.get(name), kind) or (kind is str and not item[name]):
                return f"items[{n}].{name} must be a non-empty {kind.__name__}"
        if len(item["key"]) > 200:
            return f"items[{n}].key is longer than 200 characters"
    return ""


class SimServer(ThreadingHTTPServer):
    """The HTTP server, holding the world and the current mode."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], world: World, token: str = "") -> None:
        super().__init__(address, _Handler)
        self.world = world
        self.token = token
        self.mode = "ok"
        self.received = Received()
        self.catalogue = [to_portal(p) for p in world.procedures]


class _Handler(BaseHTTPRequestHandler):
    server: SimServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm holds the second
    # until the client's delayed ACK (40 ms), which would cap a keep-alive client at 25 requests/s.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _send(self, status: int, body: Any) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _misbehave(self) -> bool:
        mode = self.server.mode
        if mode == "slow":
            time.sleep(5)
        elif mode == "down":
            self._send(503, {"error": "bảo trì hệ thống"})
            return True
        elif mode == "garbage":
            self._send(200, b'{"data": {"MaHoSo": [1, 2, {"x": ' + b"[" * 50 + b"}")
            return True
        return False

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        if path == "/healthz":
            return self._send(200, {"ok": True, "mode": self.server.mode})
        if path == "/sim/samples":
            return self._send(200, {"samples": self.server.world.samples(time.time())})
        if path == "/sim/outbox":
            return self._send(200, self.server.received.report(query.get("items") == "1"))
        if self.server.token and self.headers.get("Authorization") != f"Bearer {self.server.token}":
            return self._send(401, {"error": "unauthorized"})
        if self._misbehave():
            return None
        try:
            return self._serve(path, query)
        except ValueError as exc:  # a malformed limit or cursor
            return self._send(400, {"error": f"bad request: {exc}"})

    def _serve(self, path: str, query: dict[str, str]) -> None:
        limit = min(max(int(query.get("limit", "500") or 500), 1), 5000)
        if path == "/api/hoso/thay-doi":
            items, cursor, more = self.server.world.changes(
                query.get("cursor", ""), limit, time.time()
            )
            return self._send(200, {"data": items, "next_cursor": cursor, "has_more": more})
        if path.startswith("/api/hoso/"):
            code = unquote(path[len("/api/hoso/") :])
            dossier = self.server.world.dossiers.get(code)
            record = dossier.portal_record(time.time()) if dossier else None
            if record is None:
                return self._send(404, {"error": "không tìm thấy hồ sơ"})
            return self._send(200, {"data": record})
        if path == "/api/tthc":
            start = int(query.get("cursor") or 0)
            page = self.server.catalogue[start : start + limit]
            more = start + limit < len(self.server.catalogue)
            return self._send(
                200, {"data": page, "next_cursor": str(start + limit), "has_more": more}
            )
        return self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == "/api/outbox":
            return self._outbox()
        if path == "/sim/outbox/refuse":
            return self._refuse()
        if path != "/sim/mode":
            return self._send(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length") or 0)
        try:
            mode = json.loads(self.rfile.read(min(length, 1024)) or b"{}").get("mode")
        except (ValueError, AttributeError):
            mode = None
        if mode not in MODES:
            return self._send(400, {"error": f"mode must be one of {', '.join(MODES)}"})
        self.server.mode = mode
        return self._send(200, {"mode": mode})

    def _read_json(self, limit: int) -> Any:
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) > limit:
            raise ValueError(f"the body must have a Content-Length of at most {limit} bytes")
        return json.loads(self.rfile.read(int(length)) or b"null")

    def _outbox(self) -> None:
        """Take a delivery from the hub's outbox (in any mode but ok, misbehave first)."""
        with self.server.received.lock:
            self.server.received.arrived += 1
        try:
            body = self._read_json(MAX_DELIVERY_BYTES)
        except ValueError as exc:
            self.close_connection = True  # the body may not have been read: start afresh
            return self._send(400, {"error": f"bad request: {exc}"})
        if self.server.token and self.headers.get("Authorization") != f"Bearer {self.server.token}":
            return self._send(401, {"error": "unauthorized"})
        if self.server.mode == "garbage":  # a broken answer is no acknowledgement
            return self._send(502, b"<html>Bad Gateway" + b"<" * 100)
        if self._misbehave():
            return None
        status, answer = self.server.received.take(body)
        return self._send(status, answer)

    def _refuse(self) -> None:
        """``{"types": ["rating.created"]}``: refuse deliveries carrying items of these types."""
        try:
            types = self._read_json(4096).get("types")
        except (ValueError, AttributeError):
            types = None
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            return self._send(400, {"error": "types must be a list of item types"})
        with self.server.received.lock:
            self.server.received.refuse = set(types)
        return self._send(200, {"types": sorted(types)})


def pusher(
    world: World,
    url: str,
    secret: str,
    every_s: float,
    stop: threading.Event,
    backlog_s: float = 0.0,
) -> None:
    """Post dossiers that changed since the last push to the hub's webhook, signed, in batches.

    The first round also sends what changed in the last ``backlog_s`` seconds; by default only
    what changes from now on (the hub's pull covers the past).
    """
    since = time.time() - backlog_s
    while not stop.wait(every_s):
        now = time.time()
        items = [
            d.portal_record(now)
            for d in world.dossiers.values()
            if any(since < t <= now for t, _ in d.transitions)
        ]
        since = now
        for start in range(0, len(items), push.MAX_RECORDS):
            batch = items[start : start + push.MAX_RECORDS]
            body = json.dumps({"data": batch}, ensure_ascii=False).encode()
            headers = push.signed_headers(secret, uuid.uuid4().hex, body)
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    log.info("pushed %d dossiers: HTTP %s", len(batch), answer.status)
            except OSError as exc:
                log.warning("push to %s failed: %s", url, exc)


def build_world(seed: int, count: int, today: str | None) -> World:
    """The simulated world anchored at local midnight of ``today`` (default: today)."""
    zone = zoneinfo.ZoneInfo(ZONE_NAME)
    day = dt.date.fromisoformat(today) if today else dt.datetime.now(zone).date()
    return World(seed, count, dt.datetime(day.year, day.month, day.day, tzinfo=zone))


def main(argv: list[str] | None = None) -> int:
    """Run the simulator until interrupted."""
    parser = argparse.ArgumentParser(prog="motcua upstream-sim", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dossiers", type=int, default=3000)
    parser.add_argument("--today", help="anchor day YYYY-MM-DD (default: today)")
    parser.add_argument("--token", default="", help="require 'Authorization: Bearer TOKEN'")
    parser.add_argument("--push-url", default="", help="the hub's /api/v1/upstream/webhook")
    parser.add_argument("--push-secret", default="")
    parser.add_argument("--push-every", type=float, default=30.0)
    parser.add_argument(
        "--push-backlog", type=float, default=0.0, help="first push: changes of the last N s"
    )
    args = parser.parse_args(argv)
    if args.dossiers < 1 or args.dossiers > 2_000_000:
        parser.error("--dossiers must be 1 to 2000000")
    logging.basicConfig(level=logging.INFO, format="upstream-sim: %(message)s")
    world = build_world(args.seed, args.dossiers, args.today)
    server = SimServer((args.host, args.port), world, args.token)
    host, port = server.server_address[:2]
    print(
        f"upstream-sim: serving {len(world.dossiers)} dossiers and {len(server.catalogue)}"
        f" procedures at http://{host}:{port}",
        flush=True,
    )
    print("upstream-sim: codes to try:", flush=True)
    for sample in world.samples(time.time()):
        print(f"  {sample['code']:<30} {sample['what']}", flush=True)
    stop = threading.Event()
    if args.push_url and args.push_secret:
        threading.Thread(
            target=pusher,
            args=(world, args.push_url, args.push_secret, args.push_every, stop),
            kwargs={"backlog_s": args.push_backlog},
            daemon=True,
        ).start()
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
