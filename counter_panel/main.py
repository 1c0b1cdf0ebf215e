"""``motcua counter``: start the clerk's panel at one counter."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from appliance.hublink import HubClient
from counter_panel.settings import CounterSettings
from motcua import config
from motcua.config import ConfigError


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line: where the hub is, which config file, which counter."""
    parser = argparse.ArgumentParser(prog="motcua counter", description=__doc__)
    parser.add_argument("--hub", help="the hub's URL, e.g. http://hub.local:8080")
    parser.add_argument("--config", help="the panel's TOML settings file")
    parser.add_argument("--counter", type=int, help="the counter number (overrides the config)")
    parser.add_argument("--token-file", help="where the device token is kept")
    parser.add_argument("--enroll-code", help="one-time enrolment code, used on first start")
    parser.add_argument(
        "--rating-screen",
        action="store_true",
        help="run the citizen-facing rating screen (second display) instead of the panel",
    )
    return parser.parse_args(argv)


def load_settings(args: argparse.Namespace) -> CounterSettings:
    """Settings from defaults, the config file, MOTCUA_* and the command line."""
    overrides: dict[str, object] = {}
    if args.hub:
        overrides["hub_url"] = args.hub
    if args.counter is not None:
        overrides["counter"] = args.counter
    if args.token_file:
        overrides["token_file"] = args.token_file
    if args.enroll_code:
        overrides["enroll_code"] = args.enroll_code
    return config.load(CounterSettings, path=args.config, overrides=overrides)


def main(argv: list[str] | None = None) -> int:
    """Run the panel until its window closes; 2 for a bad setting.

    A hub that does not answer yet, or a panel with no token, is no reason to stop: the panel
    shows what it waits for and goes on by itself (:mod:`appliance.startup`).
    """
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # journald keeps what an appliance says; the demo keypad's pty path is announced this way.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(args)
    except ConfigError as exc:
        print(f"motcua counter: {exc}", file=sys.stderr)
        return 2
    client = HubClient(settings.hub_url, timeout=settings.request_timeout_s)
    # Kivy's "interrupt" clock wakes the UI as soon as a worker hands it the hub's answer,
    # instead of at the next 60 Hz tick: a press shows about a frame sooner (bench/).
    os.environ.setdefault("KIVY_CLOCK", "interrupt")
    from appliance.ui.boot import configure

    configure(
        settings.width, settings.height, settings.fullscreen, "Motcua — Quầy",
        screenshot_dir=settings.screenshot_dir,
    )  # fmt: skip
    from appliance.ui.startup_screen import kivy_startup

    startup = kivy_startup(client, settings, settings.name or "Counter panel")
    if args.rating_screen:
        from counter_panel.rating_app import RatingScreenApp

        RatingScreenApp(settings, client, startup=startup).run()
        return 0
    from counter_panel.app import CounterPanelApp

    CounterPanelApp(settings, client, startup=startup).run()
    return 0
