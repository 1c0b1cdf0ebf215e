"""What the hub's Chromium tests share: how Chromium is started here, where screenshots go, the
page check (contrast and control names), and logging in to the console as a person would."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hub.testing import HubProcess

# Headless Chromium as root on a machine with no internet: no sandbox, no GPU, and none of the
# background connections that the closed network would refuse many at a time.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
CHECK_PAGE = (Path(__file__).parent / "page_check.js").read_text(encoding="utf-8")


def shots(tmp_path: Path) -> Path:
    """Where screenshots go: ``$MOTCUA_SHOTS`` when set, else the test's folder."""
    return Path(os.environ["MOTCUA_SHOTS"]) if os.environ.get("MOTCUA_SHOTS") else tmp_path


def shoot(page: Any, folder: Path, name: str) -> None:
    """A full-page screenshot."""
    page.screenshot(path=str(folder / name), full_page=True)


def check(page: Any) -> None:
    """Contrast of at least 4.5:1 for every text, and a name for every control."""
    found = page.evaluate(CHECK_PAGE)
    assert found == {"low": [], "unnamed": []}, page.url


def watch_errors(page: Any, errors: list[str]) -> None:
    """Collect the page's script errors and console errors into ``errors``."""
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)


def console_login(page: Any, hub: HubProcess, next_path: str = "") -> None:
    """Open the console's login form (asking for ``next_path`` after it) and log in as the admin."""
    page.goto(hub.url + "/console/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("#username", hub.admin["username"])
    page.fill("#password", hub.admin["password"])
    page.press("#password", "Enter")
