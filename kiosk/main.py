"""``motcua kiosk``: read the settings, then start; enrolment and a late hub are shown on screen."""

from __future__ import annotations

import argparse
import logging
import sys

from appliance.hublink import HubClient
from kiosk.settings import KioskSettings
from motcua.config import ConfigError, load


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line: where the hub is and which config file to read."""
    parser = argparse.ArgumentParser(prog="motcua kiosk", description="the citizen kiosk")
    parser.add_argument("--hub", help="the hub's URL, e.g. http://hub.local:8080")
    parser.add_argument("--config", help="a TOML settings file (default: $MOTCUA_CONFIG)")
    parser.add_argument("--enroll-code", help="one-time enrolment code (first start only)")
    parser.add_argument("--token-file", help="where the device token is kept")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the kiosk until it is closed; 2 for a bad setting.

    A hub that does not answer yet, or a kiosk with no token, is no reason to stop: the kiosk
    shows what it waits for and goes on by itself (:mod:`appliance.startup`).
    """
    args = parse_args(sys.argv[1:] if argv is None else argv)
    overrides: dict[str, object] = {}
    if args.hub:
        overrides["hub_url"] = args.hub
    if args.enroll_code:
        overrides["enroll_code"] = args.enroll_code
    if args.token_file:
        overrides["token_file"] = args.token_file
    try:
        settings = load(KioskSettings, path=args.config, overrides=overrides)
    except ConfigError as exc:
        print(f"motcua kiosk: {exc}", file=sys.stderr)
        return 2
    # journald keeps what the kiosk says; force: importing python-escpos set a handler already.
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", force=True
    )
    from appliance.ui.boot import configure

    width, height = settings.window_size()
    configure(
        width, height, settings.fullscreen, "Motcua kiosk",
        screenshot_dir=settings.screenshot_dir,
    )  # fmt: skip
    from appliance.ui.startup_screen import kivy_startup
    from kiosk.app import build_app  # Kivy is imported only now, configured

    client = HubClient(settings.hub_url, timeout=settings.request_timeout_s)
    build_app(settings, startup=kivy_startup(client, settings, settings.name)).run()
    return 0
