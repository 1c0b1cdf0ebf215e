"""``motcua kiosk``: read the settings, enrol on first start, open the kiosk full screen."""

from __future__ import annotations

import argparse
import sys
import time

from appliance.enrolment import EnrolmentError, ensure_token
from appliance.hublink import HubClient, wait_for_hub
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


def obtain_token(settings: KioskSettings, patience_s: float = 30.0) -> str:
    """The device token; on first start, enrol, waiting for the hub if it is not up yet."""
    client = HubClient(settings.hub_url, timeout=settings.request_timeout_s)
    deadline = time.monotonic() + patience_s
    try:
        while True:
            try:
                return ensure_token(
                    client, settings.token_file, settings.enroll_code, settings.name
                )
            except EnrolmentError:
                if time.monotonic() > deadline or wait_for_hub(client, timeout=2.0):
                    raise  # the hub answered and refused, or we waited long enough
    finally:
        client.close()


def main(argv: list[str] | None = None) -> int:
    """Run the kiosk until it is closed."""
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
    try:
        token = obtain_token(settings)
    except EnrolmentError as exc:
        print(f"motcua kiosk: {exc}", file=sys.stderr)
        return 2
    from appliance.ui.boot import configure

    width, height = settings.window_size()
    configure(width, height, settings.fullscreen, "Motcua kiosk")
    from kiosk.app import build_app  # Kivy is imported only now, configured

    build_app(settings, token).run()
    return 0
