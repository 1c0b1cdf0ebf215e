"""Helpers for the kiosk's tests: controllers wired to a real hub, run inline."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from appliance.devices.printer import SimulatedPrinter
from appliance.hublink import HubClient
from appliance.tasks import InlineTasks
from appliance.translations import translator
from hub.testing import SeededHub
from kiosk.controllers.kiosk import Kiosk
from kiosk.offline import OfflineBook

AGENCY = "UBND huyện Chư Păh"


def make_kiosk(
    hub: SeededHub, printer: SimulatedPrinter | None, token: str | None = None,
    offline_book: OfflineBook | None = None,
) -> Kiosk:  # fmt: skip
    """A kiosk controller talking to ``hub`` with the kiosk device token (no threads)."""
    client = HubClient(hub.url, token or hub.kiosk_token, timeout=3.0)
    return Kiosk(
        client, InlineTasks(), printer, translator("kiosk"), AGENCY, 60.0, "test", offline_book
    )


@contextmanager
def kiosk_apps(hub: SeededHub, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``start(simulate="ok", **settings)``: kiosk apps offscreen on ``hub``, stopped after."""
    from appliance.ui.harness import AppDriver
    from kiosk.app import build_app
    from kiosk.settings import KioskSettings
    from motcua.config import load

    drivers: list[AppDriver] = []

    def start(simulate: str = "ok", **overrides: Any) -> Any:
        settings = load(
            KioskSettings,
            env={},
            overrides={
                "hub_url": hub.url,
                "refresh_s": 1.0,
                "agency_name": AGENCY,
                "printer": {"output_dir": str(tmp_path / "printer"), "simulate": simulate},
                "offline_file": str(tmp_path / f"offline-{len(drivers)}.json"),
                **overrides,
            },
        )
        driver = AppDriver(build_app(settings, hub.kiosk_token)).start()
        drivers.append(driver)
        driver.wait_until(lambda: driver.app.kiosk.services.online is True, 10, "hub answer")
        return driver

    try:
        yield start
    finally:
        for driver in drivers:
            driver.stop()


def shot(driver: Any, tmp_path: Path, name: str) -> Path:
    """Screenshot the window; keep a copy in $MOTCUA_SHOTS when set."""
    path = driver.screenshot(tmp_path / f"{name}.png")
    assert path.stat().st_size > 5000  # a drawn frame, not a blank one
    if os.environ.get("MOTCUA_SHOTS"):
        target = Path(os.environ["MOTCUA_SHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.name)
    return path


def screen(driver: Any, name: str) -> Any:
    return driver.app.manager.get_screen(name)


def tap_service(driver: Any, name: str) -> None:
    """Wait for the services list to be drawn, then tap the service whose name has ``name``."""
    app = driver.app
    driver.wait_until(lambda: app.manager.current == "services", 5, "the services screen")
    driver.wait_until(
        lambda: any(getattr(w, "service_code", None) for w in app.root.walk()), 5, "services"
    )
    driver.pump(3)  # laid out, so the tap lands where the button is drawn
    button = driver.find_text(name)
    screen(driver, "services").ids.scroll.scroll_to(button, animate=False)  # a small screen
    driver.pump(3)
    driver.tap(button)
