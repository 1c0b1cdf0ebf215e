"""Updates from the hub over the office LAN, with a roll-back.

Run by ``motcua-update.timer`` (an hour after boot, then hourly) as ``python -m
provisioning.updater``. One pass:

1. an update left on trial by a power cut is finished first (kept if the hub has seen the new
   app since the switch, else rolled back);
2. the hub names its newest version (``GET /api/v1/updates``); nothing to do when this device
   runs it, or when that version was rolled back here before;
3. every wheel is downloaded into ``/opt/motcua/updates/VERSION`` and checked against its size
   and SHA-256;
4. a new venv ``/opt/motcua/venvs/VERSION`` is made from them with no network (``pip install
   --no-index``), and its imports checked;
5. ``/opt/motcua/venv`` (a symlink) is switched to it and the app's unit restarted; the old
   venv stays;
6. the hub must see the new app (its ``User-Agent: motcua-app/VERSION``) within ``trial_s``
   (a minute); if not, the link goes back, the app restarts on the old version, and the
   version is not tried again.

Nothing is installed while the root is a RAM overlay (:mod:`provisioning.rootmode`): the new
venv would live in memory and be gone at the next start.

The updater runs from the venv it was started from (resolved, not through the link), so
switching the link under it does not change the code it runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from appliance.hublink import HubClient, HubError, HubUnreachable
from motcua.versions import version_key
from provisioning import files, rootmode
from provisioning.firstboot import Systemctl, Systemd
from provisioning.paths import UNITS, Paths

log = logging.getLogger("motcua.updater")
PREFIX = Path("/opt/motcua")
EXTRAS = {"kiosk": "kiosk", "counter": "counter", "display": "display"}
STATE_FILE = "update.json"  # in the state dir: the trial in progress and the refused versions
CHUNK = 1 << 16


class UpdateError(RuntimeError):
    """An update could not be fetched, checked or installed (nothing was switched)."""


class Installer(Protocol):
    """Makes a venv holding ``motcua[extra]==version`` from the wheels in a folder."""

    def __call__(self, wheels: Path, venv: Path, version: str, extra: str) -> None: ...


def pip_install(wheels: Path, venv: Path, version: str, extra: str) -> None:
    """The real installer: ``python3 -m venv`` and ``pip install --no-index``, then an import
    check, all with the network out of the question."""
    env = {"PIP_CONFIG_FILE": "/dev/null", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "PATH": "/usr/bin:/bin"}  # fmt: skip
    steps = [
        # Like the image's venv (install-venv): Debian's Kivy, with the SDL2 that has KMS/DRM.
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
        [str(venv / "bin/pip"), "install", "--quiet", "--no-index", "--find-links", str(wheels),
         f"motcua[{extra}]=={version}"],
        [str(venv / "bin/python"), "-c", "import motcua, provisioning"],
    ]  # fmt: skip
    for step in steps:
        # In a folder with no package of ours: the import check must find the new venv's.
        done = subprocess.run(step, capture_output=True, text=True, env=env, check=False,
                              cwd=venv.parent)  # fmt: skip
        if done.returncode != 0:
            raise UpdateError(f"{Path(step[0]).name} failed: {(done.stderr or done.stdout)[-500:]}")


@dataclass
class Updater:
    """Keeps one appliance on the hub's newest version."""

    paths: Paths
    role: str
    client: HubClient
    systemd: Systemd
    installer: Installer = pip_install
    prefix: Path = PREFIX  # as the device sees it
    trial_s: float = 60.0
    poll_s: float = 2.0
    clock: Callable[[], float] = time.time
    mounts: Path = Path("/proc/mounts")  # where a read-only root shows (an overlay on /)
    sleep: Callable[[float], None] = time.sleep
    said: list[str] = field(default_factory=list)

    # -- where things are ---------------------------------------------------------------------

    def _here(self, device_path: Path) -> Path:
        return self.paths.host(device_path)

    @property
    def link(self) -> Path:
        return self._here(self.prefix / "venv")

    @property
    def state_path(self) -> Path:
        return self._here(self.paths.state_dir / STATE_FILE)

    def current(self) -> str:
        """The version the link points at (``venvs/0.4.0`` → ``0.4.0``)."""
        try:
            return Path(self.link.readlink()).name
        except OSError:
            return "0"

    def _state(self) -> dict[str, Any]:
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.error("unreadable %s: starting afresh", self.state_path)
            return {}

    def _save(self, state: dict[str, Any]) -> None:
        files.put(self.state_path, json.dumps(state, sort_keys=True) + "\n", 0o600)

    def _say(self, text: str) -> None:
        self.said.append(text)
        log.info("%s", text)

    # -- one pass ---------------------------------------------------------------------------

    def run_once(self) -> str:
        """One pass (see the module's docstring); what it did, in a word."""
        state = self._state()
        if state.get("trial"):
            return self._finish_trial(state)
        try:
            offer = self.client.get("/api/v1/updates")
        except (HubUnreachable, HubError) as exc:
            self._say(f"the hub cannot say what is new: {exc}")
            return "no_hub"
        version = offer.get("version") if isinstance(offer, dict) else None
        running = self.current()
        if not version or version_key(version) <= version_key(running):
            return "up_to_date"
        if rootmode.active(self.mounts):
            self._say(
                f"{version} is offered, but the root is read-only (a RAM overlay): staying on "
                f"{running}; remove {rootmode.OVERLAY} from cmdline.txt to let updates in"
            )
            return "read_only"
        if version in state.get("refused", []):
            self._say(f"{version} was rolled back here before: staying on {running}")
            return "refused_before"
        try:
            wheels = self._download(version, offer.get("files") or [])
            venv = self._here(self.prefix / "venvs" / version)
            if not venv.exists():
                partial = venv.with_name(venv.name + ".partial")
                shutil.rmtree(partial, ignore_errors=True)
                self.installer(wheels, partial, version, EXTRAS[self.role])
                partial.replace(venv)
        except (UpdateError, OSError) as exc:
            self._say(f"update to {version} failed, nothing changed: {exc}")
            return "failed"
        state["trial"] = {"from": running, "to": version, "at": self.clock()}
        self._save(state)
        self._switch(version)
        self._say(f"switched from {running} to {version}; waiting for the app to come back")
        return self._finish_trial(state)

    def _download(self, version: str, listed: list[Any]) -> Path:
        folder = self._here(self.prefix / "updates" / version)
        folder.mkdir(parents=True, exist_ok=True)
        if not any(isinstance(f, dict) and f.get("name") == f"motcua-{version}-py3-none-any.whl"
                   for f in listed):  # fmt: skip
            raise UpdateError(f"the hub's list of files has no motcua {version} wheel")
        for item in listed:
            name, size, sha256 = item.get("name", ""), item.get("size"), item.get("sha256")
            if "/" in name or not name.endswith(".whl") or not isinstance(size, int):
                raise UpdateError(f"the hub listed a file it should not: {name!r}")
            target = folder / name
            if target.is_file() and _sha256(target) == sha256:
                continue  # fetched on an earlier pass
            partial = target.with_name(name + ".partial")
            self.client.download(f"/api/v1/updates/files/{name}", partial)
            if partial.stat().st_size != size or _sha256(partial) != sha256:
                partial.unlink(missing_ok=True)
                raise UpdateError(f"{name} arrived damaged (size or SHA-256 differs)")
            partial.replace(target)
        return folder

    def _switch(self, version: str) -> None:
        # A new link renamed over the old one: a power cut leaves one or the other, never none.
        fresh = self.link.with_name(".venv.new")
        fresh.unlink(missing_ok=True)
        fresh.symlink_to(Path("venvs") / version)
        fresh.replace(self.link)
        self.systemd.restart(UNITS[self.role])

    def _finish_trial(self, state: dict[str, Any]) -> str:
        """Keep the new version once the hub has seen it, or go back after ``trial_s``."""
        trial = state["trial"]
        deadline = trial["at"] + self.trial_s
        hub_answered = False
        while True:
            try:
                seen = (self.client.get("/api/v1/updates") or {}).get("device") or {}
                hub_answered = True
            except (HubUnreachable, HubError):
                seen = {}
            if seen.get("version") == trial["to"]:
                del state["trial"]
                self._save(state)
                self._say(f"now on {trial['to']}: the hub has seen the app come back")
                return "updated"
            if self.clock() >= deadline:
                break
            self.sleep(self.poll_s)
        self._switch(trial["from"])
        del state["trial"]
        if hub_answered:  # the hub was there and the new app never reached it: don't retry
            state["refused"] = sorted(set(state.get("refused", [])) | {trial["to"]})
        self._save(state)
        self._say(f"{trial['to']} did not come up within {self.trial_s:.0f} s: back on "
                  f"{trial['from']}")  # fmt: skip
        return "rolled_back"


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _client(paths: Paths, role: str) -> HubClient:
    """A client of the hub this device was provisioned for, with its token."""
    settings_file = paths.host(paths.settings_file(role))
    settings = tomllib.loads(settings_file.read_text(encoding="utf-8"))
    token = paths.host(Path(settings.get("token_file", paths.token_file(role))))
    client = HubClient(settings["hub_url"], token.read_text(encoding="utf-8").strip(), timeout=30)
    client.user_agent = "motcua-updater/1"  # not the app: the hub must not take it for one
    return client


def main(argv: list[str] | None = None) -> int:
    """``python -m provisioning.updater [--root DIR]``: one pass; 0 unless it failed."""
    parser = argparse.ArgumentParser(prog="python -m provisioning.updater", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("/"), help="the device's root folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    paths = Paths(root=args.root)
    try:
        role = json.loads(paths.marker.read_text(encoding="utf-8"))["role"]
    except (OSError, ValueError, KeyError):
        log.info("not provisioned yet: nothing to update")
        return 0
    if role not in EXTRAS:
        log.info("a %s updates with its image, not from a hub", role)
        return 0
    try:
        client = _client(paths, role)
    except (OSError, KeyError, ValueError) as exc:
        log.error("cannot read this %s's settings: %s", role, exc)
        return 1
    try:
        outcome = Updater(paths, role, client, Systemctl()).run_once()
    finally:
        client.close()
    return 1 if outcome == "failed" else 0


if __name__ == "__main__":
    sys.exit(main())
