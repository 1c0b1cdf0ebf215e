"""Counter panel latency: press → hub acknowledged → panel updated, p50/p99.

Runs a real hub (subprocess, demo office) and the real panel app offscreen in this process at
800×480; logs the demo clerk in at counter 2, issues tickets through the API as the kiosk does,
then alternates *call next* and *finish* by touching the buttons. For every press it records when
the hub's answer arrived (in the panel's worker thread), when the panel's widgets took the new
state ("panel updated": Kivy draws it in the frame under way; the hub's event for the change may
come before the HTTP answer) and when that frame was drawn. Kivy runs at 60 fps with its
"interrupt" clock, as ``motcua counter`` runs it. Here the GPU is Mesa's llvmpipe (software),
so "frame drawn" also measures rasterizing 800×480 on the CPU, which a Pi's GPU does instead.

    SDL_VIDEODRIVER=offscreen .venv/bin/python bench/bench_counter.py [--presses 200]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # Kivy must not swallow our own stderr
os.environ.setdefault("KIVY_CLOCK", "interrupt")  # as counter_panel.main runs the panel
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def report(name: str, values: list[float]) -> str:
    """One line of figures in milliseconds."""
    ms = [v * 1000 for v in values]
    return (
        f"{name:<28} n={len(ms):<4} p50={percentile(ms, 50):6.1f} ms  "
        f"p99={percentile(ms, 99):6.1f} ms  max={max(ms):6.1f} ms  mean={statistics.mean(ms):6.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=200, help="presses in all (even)")
    args = parser.parse_args(argv)
    calls = max(1, args.presses // 2)

    from hub.testing import start_hub

    workdir = Path(tempfile.mkdtemp(prefix="bench-counter-"))
    hub = start_hub(workdir)
    try:
        return run(hub, calls)
    finally:
        hub.stop()


def run(hub: object, calls: int) -> int:
    """Drive the panel against ``hub``; print the figures."""
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch

    from appliance.hublink import HubClient
    from appliance.ui.harness import AppDriver
    from counter_panel.app import CounterPanelApp
    from counter_panel.settings import CounterSettings
    from motcua.config import load

    counter = 2
    Window.size = (800, 480)
    settings = load(
        CounterSettings,
        env={},
        overrides={"counter": counter, "hub_url": hub.url, "rating": "off"},
    )
    client = HubClient(hub.url, hub.counter_tokens[counter], timeout=5.0)
    acked: list[float] = []
    original = client.request

    def timed_request(*a: object, **kw: object) -> object:
        answer = original(*a, **kw)
        acked.append(time.perf_counter())
        return answer

    client.request = timed_request
    driver = AppDriver(CounterPanelApp(settings, client)).start()
    app = driver.app
    try:
        controller = app.controller
        driver.wait_until(lambda: controller.online, 15, "the hub's state")
        clerk = next(c for c in hub.clerks if c["counter"] == counter)
        controller.login(clerk["username"], clerk["password"])
        driver.wait_until(lambda: app.manager.current == "panel", 15, "the panel")
        numbers = []
        for _ in range(calls):
            status, body = hub.request(
                "POST",
                "/api/v1/tickets",
                {"service": "A"},
                token=hub.kiosk_token,
            )
            assert status == 201, body
            numbers.append(body["number"])
        panel = app.screens["panel"]
        driver.wait_until(lambda: controller.view.waiting_total() == calls, 15, "the tickets")
        driver.pump(3)
        results: dict[str, tuple[list[float], list[float], list[float]]] = {
            "call_next": ([], [], []),
            "finish": ([], [], []),
        }
        applied: list[float] = []  # when the screen's widgets took the new state (before drawing)
        panel.bind(number=lambda *_: applied.append(time.perf_counter()))

        def press(action: str, shown: object) -> None:
            button = panel.buttons[action]
            # The previous press settled (its answer handled, not only shown from its event).
            driver.wait_until(
                lambda: button.available and controller.busy is None, 5, f"{action} available"
            )
            x, y = button.to_window(*button.center)
            acked.clear()
            applied.clear()
            start = time.perf_counter()
            touch = UnitTestTouch(x, y)
            touch.touch_down()
            touch.touch_up()
            deadline = start + 10
            drawn = None
            # The new state may show before the answer comes: the hub's event for it can beat
            # the HTTP answer. Both are awaited; each is timed from the press.
            while drawn is None or not acked:
                if time.perf_counter() > deadline:
                    raise SystemExit(
                        f"{action}: no answer, or the panel never showed it (answered: "
                        f"{bool(acked)}, shows {panel.number!r}, busy {controller.busy}, "
                        f"notice {controller.notice}, current {controller.view.current})"
                    )
                driver.pump()
                if drawn is None and shown():
                    drawn = time.perf_counter()
            to_ack, to_applied, to_drawn = results[action]
            to_ack.append(acked[0] - start)
            to_applied.append(applied[0] - start)
            to_drawn.append(drawn - start)

        load_before = os.getloadavg()
        for number in numbers:
            press("call_next", lambda n=number: panel.number == n)
            press("finish", lambda: panel.number == "—")
        everything = [v for ack, _, _ in results.values() for v in ack]
        applied_all = [v for _, shown, _ in results.values() for v in shown]
        drawn_all = [v for _, _, drawn in results.values() for v in drawn]
        print(f"machine: {platform.machine()} {os.cpu_count()} cores, {platform.platform()}")
        print(f"python {platform.python_version()}; hub subprocess on 127.0.0.1; panel offscreen")
        print(f"load average before/after: {load_before} / {os.getloadavg()}")
        for action, (ack, shown, drawn) in results.items():
            print(report(f"{action}: press → hub ack", ack))
            print(report(f"{action}: press → panel updated", shown))
            print(report(f"{action}: press → frame drawn", drawn))
        print(report("all: press → hub ack", everything))
        print(report("all: press → panel updated", applied_all))
        print(report("all: press → frame drawn", drawn_all))
        for name, values in (("panel updated", applied_all), ("frame drawn", drawn_all)):
            p99 = percentile([v * 1000 for v in values], 99)
            print(f"target p99 ≤ 50 ms (press → {name}): {'met' if p99 <= 50 else 'NOT met'}")
    finally:
        driver.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
