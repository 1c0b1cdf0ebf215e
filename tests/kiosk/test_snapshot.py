"""The kiosk at a real portrait screen size, in its own process: every screen drawn and saved."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PIL import Image

pytestmark = pytest.mark.gui


def test_portrait_kiosk_draws_every_screen(relay_hub_process, sim, tmp_path):
    out = tmp_path / "portrait"
    code = sim.samples()[0]["code"]
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_CONSOLELOG": "1"}
    env.pop("MOTCUA_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.snapshot", "--hub", relay_hub_process.url,
         "--token", relay_hub_process.kiosk_token, "--size", "800x1280", "--out", str(out),
         "--code", code, "--query", "ket hon"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == [
        "01-home.png", "02-services.png", "03-priority.png", "04-ticket.png", "05-lookup.png",
        "06-dossier.png", "07-procedure-fields.png", "08-procedure-search.png",
        "09-procedure-detail.png", "10-home-english.png",
    ]  # fmt: skip
    for name in names:
        with Image.open(out / name) as shot:
            assert shot.size == (800, 1280)
            assert len(shot.convert("RGB").getcolors(1 << 16) or []) > 20  # drawn, not blank
    assert any(
        (out / "printer").glob("*.bin")
    )  # the ticket it took was printed by the simulated printer
