"""``motcua sms-sim``: the fake GSM modem as a program, and a phone to text it from.

``motcua sms-sim serve`` runs a :class:`~hub.sms.fake_modem.FakeModem` whose device appears at
``--link`` (point the hub's ``[sms] ports`` at it) and listens on a Unix socket (``--control``)
for what a phone network would do: deliver a message, switch a fault on. ``motcua sms-sim send
0912345678 "HS H21.22-261019-0004"`` delivers a message through that socket and prints the reply
the hub sends back. The socket speaks one JSON object per line each way.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import socketserver
import sys
import threading
import time
from pathlib import Path
from typing import Any

from hub.sms.fake_modem import FakeModem
from hub.sms.outbox import normalize_phone

DEFAULT_CONTROL = os.environ.get("MOTCUA_SMS_SIM", "var/demo/sms-sim.sock")
FAULTS = ("sim_missing", "no_network", "hung", "pdu_mode")


def handle(modem: FakeModem, request: dict[str, Any]) -> dict[str, Any]:
    """One control request: deliver, replies, fault, garbage, unplug, plug."""
    op = request.get("op")
    if op == "deliver":
        sender = normalize_phone(str(request["from"]))
        return {"indexes": modem.deliver(sender, str(request["text"])), "from": sender}
    if op == "replies":
        return {"replies": modem.replies_to(normalize_phone(str(request["to"])))}
    if op == "fault":
        name = request.get("name")
        if name not in FAULTS:
            return {"error": f"unknown fault {name!r}; one of {', '.join(FAULTS)}"}
        if name == "hung":
            modem.hang(bool(request.get("on", True)))
        else:
            setattr(modem.faults, name, bool(request.get("on", True)))
        return {"ok": True}
    if op == "garbage":
        modem.garbage()
        return {"ok": True}
    return {"error": f"unknown op {op!r}"}


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        for line in self.rfile:
            try:
                answer = handle(self.server.modem, json.loads(line))  # type: ignore[attr-defined]
            except (ValueError, KeyError, TypeError) as exc:
                answer = {"error": f"bad request: {exc}"}
            self.wfile.write(json.dumps(answer, ensure_ascii=False).encode() + b"\n")


def serve_control(modem: FakeModem, path: Path) -> socketserver.ThreadingUnixStreamServer:
    """Listen on ``path`` for control requests (in a thread); the caller shuts it down."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    server = socketserver.ThreadingUnixStreamServer(str(path), _Handler)
    server.daemon_threads = True
    server.modem = modem  # type: ignore[attr-defined]
    # Polled every 0.05 s rather than 0.5 s: shutting it down waits for the loop to look.
    threading.Thread(
        target=server.serve_forever, args=(0.05,), name="sms-sim-control", daemon=True
    ).start()
    return server


def ask(path: Path, request: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    """Send one control request to a running ``sms-sim serve``; its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall(json.dumps(request, ensure_ascii=False).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data)


def send(path: Path, number: str, text: str, wait_s: float) -> tuple[int, list[str]]:
    """Deliver ``text`` from ``number``; (exit code, new replies) after waiting for one."""
    before = len(ask(path, {"op": "replies", "to": number})["replies"])
    ask(path, {"op": "deliver", "from": number, "text": text})
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        replies = ask(path, {"op": "replies", "to": number})["replies"]
        if len(replies) > before:
            return 0, replies[before:]
        time.sleep(0.2)
    return 1, []


def main(argv: list[str] | None = None) -> int:
    """``motcua sms-sim serve|send|fault``."""
    parser = argparse.ArgumentParser(prog="motcua sms-sim", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--control", type=Path, default=Path(DEFAULT_CONTROL),
        help=f"control socket (default {DEFAULT_CONTROL}, or $MOTCUA_SMS_SIM)",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("serve", help="run the fake modem")
    run.add_argument("--link", type=Path, required=True, help="where its device appears")
    text = sub.add_parser("send", help="text the hub from a phone number and print its reply")
    text.add_argument("number", help="the sender, e.g. 0912345678")
    text.add_argument("text", help='the message, e.g. "HS H21.22-261019-0004"')
    text.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the reply")
    fault = sub.add_parser("fault", help="switch a modem fault on or off")
    fault.add_argument("name", choices=FAULTS)
    fault.add_argument("state", choices=("on", "off"))
    args = parser.parse_args(argv)
    if args.cmd == "serve":
        return _serve(args.link, args.control)
    try:
        if args.cmd == "fault":
            answer = ask(args.control, {"op": "fault", "name": args.name,
                                        "on": args.state == "on"})  # fmt: skip
            print(answer.get("error") or f"{args.name} {args.state}")
            return 1 if "error" in answer else 0
        code, replies = send(args.control, args.number, args.text, args.wait)
    except OSError as exc:
        print(f"motcua sms-sim: no fake modem at {args.control} ({exc}); is the demo running?",
              file=sys.stderr)  # fmt: skip
        return 1
    if code:
        print(f"no reply within {args.wait:.0f} s (is [sms] enabled on the hub?)", file=sys.stderr)
    for reply in replies:
        print(reply)
    return code


def _serve(link: Path, control: Path) -> int:
    modem = FakeModem(link.absolute()).plug()
    server = serve_control(modem, control)
    print(f"fake GSM modem at {link} (control socket {control})", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        with contextlib.suppress(OSError):
            control.unlink()
        modem.unplug()
    return 0
