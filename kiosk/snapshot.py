"""Screenshots of every kiosk screen at a real screen size, offscreen, against a running hub.

For documentation, for reviewing a translation, and for a technician checking a new screen size:

    SDL_VIDEODRIVER=offscreen python -m kiosk.snapshot --hub http://127.0.0.1:8080 \\
        --token-file var/demo/kiosk-token --size 800x1280 --out shots/ [--code H21.22-...]

It takes a real ticket (so the hub must be one you may take a ticket from: the demo), looks up
``--code`` if given, searches procedures for ``--query``, and opens the first result.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _shoot(driver: Any, out: Path, name: str, settle: int = 6) -> Path:
    driver.pump(settle)
    path = driver.screenshot(out / f"{name}.png")
    print(path)
    return path


def run(args: argparse.Namespace) -> int:
    """Drive the app through its screens and save one PNG per screen."""
    width, height = (int(v) for v in args.size.lower().split("x"))
    from appliance.ui.boot import configure

    configure(width, height)
    from appliance.ui.harness import AppDriver
    from kiosk.app import build_app
    from kiosk.settings import KioskSettings
    from motcua.config import load

    printed = str(Path(args.out) / "printer")  # the simulated printer's tickets and previews
    overrides: dict[str, Any] = {
        "hub_url": args.hub,
        "printer": {"output_dir": printed},
        "offline_file": str(Path(args.out) / "offline-tickets.json"),
    }
    if args.agency:
        overrides["agency_name"] = args.agency
    settings = load(KioskSettings, path=args.config, overrides=overrides)
    token = args.token or Path(args.token_file).read_text(encoding="utf-8").strip()
    out = Path(args.out)
    driver = AppDriver(build_app(settings, token)).start()
    app, kiosk = driver.app, driver.app.kiosk
    try:
        driver.wait_until(lambda: kiosk.services.online is not None, 10, "the hub")
        _shoot(driver, out, "01-home")
        kiosk.go("services")
        driver.wait_until(lambda: bool(kiosk.services.services), 10, "the services")
        _shoot(driver, out, "02-services")
        kiosk.tickets.ask_priority()
        _shoot(driver, out, "03-priority")
        kiosk.tickets.cancel_priority()
        code = next(s.code for s in kiosk.services.services if s.state == "open")
        kiosk.tickets.issue(code)
        driver.wait_until(
            lambda: kiosk.tickets.print_state not in ("idle", "printing"), 10, "print"
        )
        _shoot(driver, out, "04-ticket")
        kiosk.go("lookup")
        for key in args.code or "H21.22-":
            kiosk.lookup.press(key)
        _shoot(driver, out, "05-lookup")
        if args.code:
            kiosk.lookup.submit()
            kiosk.go("dossier")
            driver.wait_until(lambda: kiosk.lookup.stage != "checking", 10, "the answer")
            _shoot(driver, out, "06-dossier")
        kiosk.go("procedures")
        driver.wait_until(lambda: not kiosk.procedures.loading, 10, "the fields")
        _shoot(driver, out, "07-procedure-fields")
        kiosk.procedures.start_typing()
        for key in args.query:
            kiosk.procedures.press("SPACE" if key == " " else key)
        kiosk.procedures.search()
        driver.wait_until(lambda: kiosk.procedures.results_for == args.query.strip(), 10, "search")
        _shoot(driver, out, "08-procedure-search")
        if kiosk.procedures.results:
            kiosk.open_procedure(kiosk.procedures.results[0]["code"])
            driver.wait_until(lambda: kiosk.procedures.procedure is not None, 10, "the detail")
            _shoot(driver, out, "09-procedure-detail")
        kiosk.go_home()
        kiosk.toggle_language()
        _shoot(driver, out, "10-home-english")
        assert app.manager.current == "home"
    finally:
        driver.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and take the screenshots."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.snapshot", description=__doc__)
    parser.add_argument("--hub", required=True)
    parser.add_argument("--token", help="the kiosk's device token")
    parser.add_argument("--token-file", default="var/demo/kiosk-token")
    parser.add_argument("--config", help="a kiosk TOML settings file")
    parser.add_argument("--size", default="1280x800", help="WIDTHxHEIGHT, e.g. 800x1280")
    parser.add_argument("--out", type=Path, default=Path("var/kiosk-shots"))
    parser.add_argument("--code", default="", help="a dossier code to look up")
    parser.add_argument("--query", default="giay phep xay dung", help="a procedure search")
    parser.add_argument("--agency", default="", help="the agency name to show")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
