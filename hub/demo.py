"""``motcua demo``: the hub on http://127.0.0.1:8080 with a demo office, plus its companions.

On start-up the demo seeds ``var/demo/hub.sqlite3`` with an office (services, counters, clerks,
an admin), gives the demo appliances fresh device tokens written to ``var/demo/devices.json``
(so appliance apps started by the demo, or by hand, can use them), prints the office and the
credentials, then runs its child processes until Ctrl-C and stops them.

Adding a part to the demo: append a :class:`Child` in :func:`children` (argv, optional extra
environment, optional ``ready_url`` polled before the next child starts). If the hub needs a
setting for it (say the upstream simulator's URL), add it to :func:`hub_settings`; it becomes a
key of ``var/demo/hub.toml``. Children start in list order and stop in reverse order.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub import db
from hub.auth import accounts
from hub.queue import office
from hub.reports import sample
from hub.upstream.fileimport import import_records
from hub.upstream.sim_data import bundled_procedures

HOST, PORT = "127.0.0.1", 8080
SIM_PORT, SIM_SECRET = 8090, "demo-webhook-secret"  # the simulated back end and its webhook key

OFFICE: dict[str, Any] = {
    "services": [
        {"code": "A", "prefix": "A", "name_vi": "A – Đất đai, xây dựng",
         "name_en": "A – Land and construction", "daily_limit": 300},
        {"code": "B", "prefix": "B", "name_vi": "B – Hộ tịch, chứng thực",
         "name_en": "B – Civil status and certification", "daily_limit": 400},
        {"code": "C", "prefix": "C", "name_vi": "C – Kinh doanh, đầu tư",
         "name_en": "C – Business and investment", "daily_limit": 200},
        {"code": "D", "prefix": "D", "name_vi": "D – Lao động, thương binh và xã hội",
         "name_en": "D – Labour, invalids and social affairs", "daily_limit": 200},
    ],
    "counters": [
        {"number": 1, "name": "Quầy 1", "services": ["A", "C"]},
        {"number": 2, "name": "Quầy 2", "services": ["A"]},
        {"number": 3, "name": "Quầy 3", "services": ["B", "D"]},
        {"number": 4, "name": "Quầy 4", "services": ["B", "A"]},
        {"number": 5, "name": "Quầy 5", "services": ["C", "D", "B"]},
    ],
}  # fmt: skip

# (username, display name, counter) — every clerk's demo password is CLERK_PASSWORD.
CLERKS = [
    ("lan", "Nguyễn Thị Lan", 1),
    ("minh", "Trần Văn Minh", 2),
    ("hoa", "Lê Thị Hoa", 3),
    ("tuan", "Phạm Minh Tuấn", 4),
    ("an", "Võ Văn An", 5),
]
CLERK_PASSWORD = "demo-clerk"
ADMIN = ("admin", "Quản trị viên", "demo-admin")
SUPERVISOR = ("totruong", "Tổ trưởng Lê Thu Hà", "demo-supervisor")


@dataclass
class Child:
    """A process the demo runs and stops."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ready_url: str | None = None


def seed_catalogue(db_path: Path) -> int:
    """Load the bundled procedure catalogue into ``db_path`` unless it holds one; return how
    many procedures it holds.

    The demo does this before the hub starts: otherwise searches would find nothing until the
    hub's first sync from the simulated back end had pulled the catalogue.
    """
    store = db.Store(db_path)
    db.migrate(store.conn())
    try:
        if not store.conn().execute("SELECT 1 FROM procedures LIMIT 1").fetchone():
            import_records("procedures", bundled_procedures(), store)
        return int(store.conn().execute("SELECT count(*) FROM procedures").fetchone()[0])
    finally:
        store.close()


def seed(db_path: Path, office_data: dict[str, Any] = OFFICE) -> dict[str, Any]:
    """Seed an office, staff and appliances into ``db_path``; return every credential."""
    store = db.Store(db_path)
    db.migrate(store.conn())
    try:
        with store.write() as conn:
            office.load(conn, office_data)
            accounts.ensure_user(conn, ADMIN[0], ADMIN[2], "admin", ADMIN[1])
            accounts.ensure_user(conn, SUPERVISOR[0], SUPERVISOR[2], "supervisor", SUPERVISOR[1])
            clerks = []
            for c in office_data["counters"]:  # a clerk per counter; beyond CLERKS, clerkN
                n = c["number"]
                username, name = next(
                    ((u, d) for u, d, k in CLERKS if k == n), (f"clerk{n}", f"Cán bộ {n}")
                )
                accounts.ensure_user(conn, username, CLERK_PASSWORD, "clerk", name)
                clerks.append({"username": username, "password": CLERK_PASSWORD,
                               "display_name": name, "counter": n})  # fmt: skip
            kiosk_id, kiosk = accounts.ensure_device(conn, "Kiosk sảnh (demo)", "kiosk")
            display_id, display = accounts.ensure_device(conn, "Màn hình chờ (demo)", "display")
            counters = {}
            for c in office_data["counters"]:
                n = c["number"]
                dev_id, token = accounts.ensure_device(conn, f"Bảng quầy {n} (demo)", "counter", n)
                counters[str(n)] = {"device_id": dev_id, "token": token}
            codes = {
                role: accounts.enroll_code(conn, role) for role in ("kiosk", "display", "counter")
            }
    finally:
        store.close()
    return {
        "kiosk": {"device_id": kiosk_id, "token": kiosk},
        "display": {"device_id": display_id, "token": display},
        "counters": counters,
        "clerks": clerks,
        "admin": {"username": ADMIN[0], "password": ADMIN[2]},
        "supervisor": {"username": SUPERVISOR[0], "password": SUPERVISOR[2]},
        "enroll_codes": codes,
    }


def hub_settings(var: Path) -> dict[str, Any]:
    """The demo hub's configuration (written to ``var/demo/hub.toml``)."""
    return {"host": HOST, "port": PORT, "db_path": str(var / "hub.sqlite3"),
            "backup_dir": str(var / "backups"),
            "log_changes": True,  # so whoever runs the demo sees each call go by
            # The simulated one-stop back end (motcua upstream-sim), pulled and pushing.
            "upstream": {"kind": "sim", "base_url": f"http://{HOST}:{SIM_PORT}",
                         "sync_interval_s": 30.0, "webhook_secret": SIM_SECRET},
            # Queue events, ratings and daily summaries delivered to it (see its /sim/outbox).
            "outbox": {"url": f"http://{HOST}:{SIM_PORT}/api/outbox", "site": "DEMO"},
            # SMS lookup through the fake GSM modem (motcua sms-sim), at a real modem's pace.
            "sms": {"enabled": True, "ports": [str(var / "modem" / "ttyUSB*")],
                    "send_interval_s": 4.0}}  # fmt: skip


def children(var: Path) -> list[Child]:
    """The demo's processes, in start order. Add yours here (see the module docstring)."""
    python = sys.executable
    hook = f"http://{HOST}:{PORT}/api/v1/upstream/webhook"
    sim_args = ["--port", str(SIM_PORT), "--push-url", hook, "--push-secret", SIM_SECRET]
    sms_args = ["--control", str(var / "sms-sim.sock"), "serve", "--link",
                str(var / "modem" / "ttyUSB0")]  # fmt: skip
    return [
        Child("sms-sim", [python, "-m", "motcua.cli", "sms-sim", *sms_args]),
        Child(
            "upstream-sim",
            [python, "-m", "motcua.cli", "upstream-sim", *sim_args],
            ready_url=f"http://{HOST}:{SIM_PORT}/healthz",
        ),
        Child(
            "hub",
            [python, "-m", "motcua.cli", "hub", "--config", str(var / "hub.toml")],
            ready_url=f"http://{HOST}:{PORT}/healthz",
        ),
        *_display_child(var),
        *_kiosk_child(var),
        *_counter_child(var),
    ]


def _display_child(var: Path) -> list[Child]:
    """The waiting-room display's window, when there is a screen to open it on."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return []
    token_file = var / "display-token"
    devices = json.loads((var / "devices.json").read_text(encoding="utf-8"))
    token_file.write_text(devices["display"]["token"] + "\n", encoding="utf-8")
    os.chmod(token_file, 0o600)
    env = {"MOTCUA_TOKEN_FILE": str(token_file), "MOTCUA_AUDIO_DIR": str(var / "display-audio"),
           "MOTCUA_WIDTH": "1280", "MOTCUA_HEIGHT": "720"}  # fmt: skip
    argv = [sys.executable, "-m", "motcua.cli", "display", "--hub", f"http://{HOST}:{PORT}"]
    return [Child("display", argv, env)]


def _kiosk_child(var: Path) -> list[Child]:
    """The citizen kiosk's window (simulated printer: tickets and previews in var/demo/printer)."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return []
    token_file = var / "kiosk-token"
    devices = json.loads((var / "devices.json").read_text(encoding="utf-8"))
    token_file.write_text(devices["kiosk"]["token"] + "\n", encoding="utf-8")
    os.chmod(token_file, 0o600)
    # The demo's hub starts from a fresh database: the blocks an earlier run held are gone.
    offline_file = var / "kiosk-offline.json"
    offline_file.unlink(missing_ok=True)
    env = {"MOTCUA_TOKEN_FILE": str(token_file), "MOTCUA_PRINTER_OUTPUT_DIR": str(var / "printer"),
           "MOTCUA_OFFLINE_FILE": str(offline_file),
           "MOTCUA_WIDTH": "1280", "MOTCUA_HEIGHT": "800"}  # fmt: skip
    argv = [sys.executable, "-m", "motcua.cli", "kiosk", "--hub", f"http://{HOST}:{PORT}"]
    return [Child("kiosk", argv, env)]


def _counter_child(var: Path) -> list[Child]:
    """Counter 1's panel window (log in as lan / demo-clerk); its demo keypad is a pty."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return []
    token_file = var / "counter-token"
    devices = json.loads((var / "devices.json").read_text(encoding="utf-8"))
    token_file.write_text(devices["counters"]["1"]["token"] + "\n", encoding="utf-8")
    os.chmod(token_file, 0o600)
    env = {"MOTCUA_TOKEN_FILE": str(token_file), "MOTCUA_COUNTER": "1",
           "MOTCUA_KEYPAD_DRIVER": "pty"}  # fmt: skip
    argv = [sys.executable, "-m", "motcua.cli", "counter", "--hub", f"http://{HOST}:{PORT}"]
    return [Child("counter", argv, env)]


def _toml(settings: dict[str, Any]) -> str:
    lines, tables = [], []
    for key, value in settings.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    for name, table in tables:
        lines.append(f"\n[{name}]")
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=1.0):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _print_office(creds: dict[str, Any], var: Path) -> None:
    base = f"http://{HOST}:{PORT}"
    print(f"\nMotcua demo — hub {base}  (API {base}/api/v1, OpenAPI {base}/api/v1/openapi.json)")
    print("\nDịch vụ / services:")
    for s in OFFICE["services"]:
        print(f"  {s['prefix']}  {s['name_vi']}  ({s['name_en']})")
    print("\nQuầy / counters and clerks (password for all: " + CLERK_PASSWORD + "):")
    for c, clerk in zip(OFFICE["counters"], creds["clerks"], strict=True):
        print(
            f"  {c['name']}: {', '.join(c['services'])}"
            f"  — {clerk['username']} ({clerk['display_name']})"
        )
    print(f"\nOffice console / bảng điều hành: {base}/")
    print(f"Admin: {creds['admin']['username']} / {creds['admin']['password']}")
    print(f"Supervisor / tổ trưởng: {creds['supervisor']['username']} / "
          f"{creds['supervisor']['password']}")  # fmt: skip
    codes = ", ".join(f"{role} {code}" for role, code in creds["enroll_codes"].items())
    print(f"Enrolment codes (one-time, 24 h): {codes}")
    print(f"Device tokens for the demo appliances: {var / 'devices.json'}")
    _print_sms(var)
    print("Ctrl-C stops the demo.\n")


def _print_sms(var: Path) -> None:
    """How to text the hub through the demo's fake modem, with a code the back end knows."""
    code = "H21.22-261019-0004"
    try:
        with urllib.request.urlopen(f"http://{HOST}:{SIM_PORT}/sim/samples", timeout=2) as r:
            code = json.loads(r.read())["samples"][0]["code"]
    except (OSError, ValueError, KeyError, IndexError):
        pass  # the example code then finds nothing, which is an answer too
    control = var / "sms-sim.sock"
    where = "" if control == Path("var/demo/sms-sim.sock").resolve() else f" --control {control}"
    print("\nSMS (fake GSM modem; the hub answers about 4 s per SMS, like a real modem):")
    print(f'  motcua sms-sim{where} send 0912345678 "HS {code}"')
    print(f'  motcua sms-sim{where} send 0912345678 "STT A001"')


def main(argv: list[str] | None = None) -> int:
    """Seed, start the children, print the office, run until Ctrl-C, stop the children."""
    parser = argparse.ArgumentParser(prog="motcua demo", description=__doc__.split("\n")[0])
    parser.add_argument("--var", type=Path, default=Path("var/demo"), help="demo data folder")
    args = parser.parse_args(argv or [])
    var: Path = args.var.resolve()
    var.mkdir(parents=True, exist_ok=True)
    (var / "hub.toml").write_text(_toml(hub_settings(var)), encoding="utf-8")
    creds = seed(var / "hub.sqlite3")
    seed_catalogue(var / "hub.sqlite3")
    sample.demo_history(str(var / "hub.sqlite3"))  # past days, so the reports show something
    creds["hub"] = f"http://{HOST}:{PORT}"
    (var / "devices.json").write_text(json.dumps(creds, ensure_ascii=False, indent=2), "utf-8")
    os.chmod(var / "devices.json", 0o600)  # it holds tokens
    running: list[tuple[Child, subprocess.Popen[bytes]]] = []
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        for child in children(var):
            proc = subprocess.Popen(child.argv, env={**os.environ, **child.env})
            running.append((child, proc))
            if child.ready_url and not _wait_ready(child.ready_url, proc):
                print(f"motcua demo: {child.name} did not start", file=sys.stderr)
                return 1
        _print_office(creds, var)
        while all(proc.poll() is None for _, proc in running):
            time.sleep(0.5)
        gone = [c.name for c, p in running if p.poll() is not None]
        print(f"motcua demo: {', '.join(gone)} stopped; stopping the rest", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for _, proc in reversed(running):
            if proc.poll() is None:
                proc.terminate()
        for _, proc in reversed(running):
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
