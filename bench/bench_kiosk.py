"""Kiosk speed: start to first interactive frame, and tap -> ticket bytes written.

Runs a real hub (subprocess, demo office). *Start*: a fresh ``python`` process per run builds the
kiosk app offscreen and reports when the first frame is drawn with the home screen's buttons
enabled (the hub has answered); the figure counts from just before the process is spawned, so it
includes the interpreter, Kivy's import and the window. *Tap*: the kiosk app in this process; a
touch on a service button goes to the hub (POST /tickets), the ticket image is rendered and
python-escpos writes its bytes to the simulated printer's file; the figure stops when that file
is closed (timed in the printing thread). Kivy runs frame by frame as on the device.

    SDL_VIDEODRIVER=offscreen .venv/bin/python bench/bench_kiosk.py [--starts 5] [--taps 40]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def report(name: str, values: list[float], target_ms: float) -> str:
    """One line of figures in milliseconds, with the target."""
    ms = sorted(v * 1000 for v in values)
    p90 = ms[min(len(ms) - 1, round(0.9 * len(ms)))]
    verdict = "meets" if ms[len(ms) // 2] <= target_ms else "MISSES"
    return (
        f"{name:<34} n={len(ms):<3} median={statistics.median(ms):7.1f} ms  p90={p90:7.1f} ms  "
        f"max={ms[-1]:7.1f} ms  target <= {target_ms:.0f} ms ({verdict} at the median)"
    )


def settings_for(hub_url: str, output_dir: Path) -> Any:
    """Kiosk settings for the bench (simulated printer into ``output_dir``)."""
    from kiosk.settings import KioskSettings
    from motcua.config import load

    return load(
        KioskSettings,
        env={},
        overrides={"hub_url": hub_url, "printer": {"output_dir": str(output_dir)}},
    )


def child_start(hub_url: str, token: str, output_dir: str) -> int:
    """In a fresh process: start the kiosk, print the wall time of its first interactive frame."""
    from appliance.ui.boot import configure

    configure(1280, 800)
    from kivy.base import EventLoop

    from kiosk.app import build_app

    app = build_app(settings_for(hub_url, Path(output_dir)), token)
    app._run_prepare()
    home = app.manager.get_screen("home")
    deadline = time.monotonic() + 20
    while home.ids.take_ticket.disabled or app.manager.current != "home":
        if time.monotonic() > deadline:
            print(json.dumps({"error": "never interactive"}))
            return 1
        EventLoop.idle()  # one frame: clock, input, drawing
    EventLoop.idle()  # the frame that shows the enabled buttons
    print(json.dumps({"interactive_at": time.time()}), flush=True)
    app.stop()
    EventLoop.idle()
    return 0


def bench_starts(hub: Any, runs: int, workdir: Path) -> list[float]:
    """Spawn the kiosk ``runs`` times; seconds from spawn to first interactive frame."""
    figures = []
    for run in range(runs):
        started = time.time()
        out = subprocess.run(
            [sys.executable, __file__, "--child-start", hub.url, hub.kiosk_token,
             str(workdir / f"start-{run}")],
            capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
        )  # fmt: skip
        line = next((x for x in out.stdout.splitlines() if x.startswith("{")), "{}")
        answer = json.loads(line)
        if "interactive_at" not in answer:
            raise RuntimeError(f"kiosk start failed: {out.stdout[-500:]} {out.stderr[-1500:]}")
        figures.append(answer["interactive_at"] - started)
    return figures


def bench_taps(hub: Any, taps: int, workdir: Path) -> list[float]:
    """Tap a service ``taps`` times; seconds from the touch to the ticket's bytes on file."""
    from appliance.ui.boot import configure
    from motcua.config import load  # noqa: F401  (Kivy configured below first)

    configure(1280, 800)
    from appliance.devices.printer import SimulatedPrinter
    from appliance.ui.harness import AppDriver
    from kiosk.app import build_app

    written: list[float] = []

    class TimedPrinter(SimulatedPrinter):
        def print_job(self, job: Any, name: str) -> Path | None:
            path = super().print_job(job, name)
            written.append(time.perf_counter())  # the file is closed: the bytes are written
            return path

    printer = TimedPrinter(workdir / "taps", 576)
    app = build_app(settings_for(hub.url, workdir / "taps"), hub.kiosk_token, printer=printer)
    driver = AppDriver(app).start()
    figures = []
    try:
        driver.wait_until(lambda: app.kiosk.services.online is True, 10, "the hub")
        services = ["A", "B", "C", "D"]
        for n in range(taps):
            app.kiosk.go("services")
            driver.wait_until(lambda: app.manager.current == "services", 5, "services")
            code = services[n % len(services)]
            button = driver.find(lambda w, c=code: getattr(w, "service_code", None) == c)
            driver.pump(3)
            before = len(written)
            touched = time.perf_counter()
            driver.tap(button)
            driver.wait_until(lambda b=before: len(written) > b, 10, "the ticket bytes")
            figures.append(written[-1] - touched)
            driver.wait_until(lambda: app.kiosk.tickets.print_state == "printed", 5, "printed")
            sample = printer.jobs[-1]
        print(f"last ticket file: {sample.name}, {sample.stat().st_size} bytes of ESC/POS")
    finally:
        driver.stop()
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks against a fresh hub and print their figures."""
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["--child-start"]:
        return child_start(*args_in[1:4])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=5, help="kiosk process starts")
    parser.add_argument("--taps", type=int, default=40, help="tickets taken by touch")
    args = parser.parse_args(args_in)

    from hub.testing import start_hub

    workdir = Path(tempfile.mkdtemp(prefix="bench-kiosk-"))
    hub = start_hub(workdir / "hub")
    try:
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}, {platform.platform()}")  # fmt: skip
        starts = bench_starts(hub, args.starts, workdir)
        taps = bench_taps(hub, args.taps, workdir)
        print(report("start -> first interactive frame", starts, 2000))
        print(report("tap -> ticket bytes written", taps, 500))
    finally:
        hub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
