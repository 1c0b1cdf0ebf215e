"""``motcua display``: the waiting-room display."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from motcua.config import ConfigError, load
from queue_display.settings import DisplaySettings

log = logging.getLogger(__name__)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line: ``--hub URL``, ``--config FILE`` and a few handy overrides."""
    parser = argparse.ArgumentParser(prog="motcua display", description=__doc__)
    parser.add_argument("--hub", help="the hub's URL, e.g. http://10.0.0.2:8080")
    parser.add_argument("--config", type=Path, help="settings file (TOML)")
    parser.add_argument("--portrait", action="store_true", help="a 1080×1920 window")
    parser.add_argument(
        "--speaker", choices=("audio", "file"), help="'file' writes the WAVs instead of playing"
    )
    parser.add_argument(
        "--test-announcement",
        metavar="NUMBER:COUNTER",
        help="say one call through the configured voice and speaker, then exit (a technician's "
        "check of the sound; no hub needed)",
    )
    return parser.parse_args(argv)


def test_announcement(settings: DisplaySettings, spec: str) -> int:
    """Announce ``NUMBER:COUNTER`` once and report what was played."""
    from queue_display.announcer import Announcement
    from queue_display.sound import build_announcer, default_speaker

    number, _, counter = spec.partition(":")
    if not counter.isdigit():
        print(
            f"motcua display: --test-announcement wants NUMBER:COUNTER, not {spec!r}",
            file=sys.stderr,
        )
        return 2
    try:
        announcer = build_announcer(settings, default_speaker(settings))
        print(" / ".join(text for _, text in announcer.phrasing.segments(number, int(counter))))
    except ValueError as exc:
        print(f"motcua display: {exc}", file=sys.stderr)
        return 2
    announcer.start()
    announcer.announce(Announcement(number, int(counter)))
    announcer.wait_idle(60)
    announcer.stop()
    (result,) = announcer.history
    print(f"{result.outcome}: synthesis {result.synth_s * 1000:.0f} ms {result.detail}".rstrip())
    return 0 if result.outcome in ("spoken", "quiet") else 1


def main(argv: list[str] | None = None) -> int:
    """Load settings, run the board until closed (a token first, on screen if need be)."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    overrides: dict[str, object] = {}
    if args.hub:
        overrides["hub_url"] = args.hub
    if args.speaker:
        overrides["speaker"] = args.speaker
    try:
        settings = load(DisplaySettings, path=args.config, overrides=overrides)
    except ConfigError as exc:
        print(f"motcua display: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.test_announcement:
        return test_announcement(settings, args.test_announcement)

    from appliance.hublink import HubClient

    # A hub that does not answer yet, or a display with no token, is no reason to stop: the
    # display shows what it waits for and goes on by itself (appliance.startup).
    client = HubClient(settings.hub_url, timeout=settings.request_timeout_s)

    width, height = settings.width, settings.height
    if not width or not height:
        width, height = (1080, 1920) if args.portrait else (1920, 1080)
    from appliance.ui.boot import configure

    configure(
        width, height, settings.fullscreen, "Motcua – màn hình phòng chờ",
        screenshot_dir=settings.screenshot_dir,
    )  # fmt: skip
    if settings.rotation:
        from kivy.config import Config

        Config.set("graphics", "rotation", str(settings.rotation))
    from appliance.ui.startup_screen import kivy_startup
    from queue_display.app import DisplayApp

    startup = kivy_startup(client, settings, settings.name)
    DisplayApp(settings, client, startup=startup).run()
    return 0
