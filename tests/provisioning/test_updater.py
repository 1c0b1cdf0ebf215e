"""The appliance's updater against a real hub serving a wheelhouse: install into a new venv with
pip and no network, switch, keep it once the hub sees the new app, roll back when it does not."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from appliance.hublink import HubClient
from hub.testing import HubProcess
from provisioning.paths import Paths
from provisioning.updater import Updater
from tests.provisioning.wheels import make_wheel

pytestmark = pytest.mark.slow  # a real hub, and pip making a venv


@dataclass
class AppUnits:
    """systemctl at its boundary: a restart starts the app in whatever venv the link points at,
    and that app, when it works, talks to the hub as apps do (with its version)."""

    root: Path
    hub: HubProcess
    works: bool = True
    restarts: list[str] = field(default_factory=list)

    def start(self, unit: str) -> None:
        self.restart(unit)

    def restart(self, unit: str) -> None:
        version = (self.root / "opt/motcua/venv").readlink().name
        self.restarts.append(f"{unit}@{version}")
        if self.works:
            agent = {"User-Agent": f"motcua-app/{version}"}
            assert self.hub.request("GET", "/api/v1/state", token=self.hub.kiosk_token,
                                    headers=agent)[0] == 200  # fmt: skip


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    house = tmp_path / "wheelhouse"
    make_wheel(house, "99.0.0")
    hub = HubProcess(tmp_path / "hub", {"updates_dir": str(house)})
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A kiosk as an image leaves it: its venv for 0.1.0 and the link to it."""
    root = tmp_path / "device"
    (root / "opt/motcua/venvs/0.1.0").mkdir(parents=True)
    (root / "opt/motcua/venv").symlink_to("venvs/0.1.0")
    (root / "var/lib/motcua").mkdir(parents=True)
    return root


@pytest.fixture
def clients() -> Iterator[list[HubClient]]:
    """The updaters' hub clients, closed after the test."""
    made: list[HubClient] = []
    yield made
    for client in made:
        client.close()


def updater(
    root: Path, hub: HubProcess, units: AppUnits, clients: list[HubClient], **kw: float
) -> Updater:
    client = HubClient(hub.url, hub.kiosk_token)
    client.user_agent = "motcua-updater/1"
    clients.append(client)
    return Updater(Paths(root=root), "kiosk", client, units, **kw)


def test_an_update_is_installed_switched_to_and_kept(
    hub: HubProcess, root: Path, clients: list[HubClient]
) -> None:
    units = AppUnits(root, hub)
    assert updater(root, hub, units, clients).run_once() == "updated"
    assert (root / "opt/motcua/venv").readlink() == Path("venvs/99.0.0")
    assert units.restarts == ["motcua-kiosk.service@99.0.0"]
    python = root / "opt/motcua/venvs/99.0.0/bin/python"
    shown = subprocess.run([python, "-c", "import motcua; print(motcua.__version__)"],
                           capture_output=True, text=True, check=True, cwd=root)  # fmt: skip
    assert shown.stdout.strip() == "99.0.0"  # pip installed the hub's wheel, offline
    assert (root / "opt/motcua/venvs/0.1.0").is_dir()  # the old one stays, to go back to
    assert "trial" not in json.loads((root / "var/lib/motcua/update.json").read_text())
    assert updater(root, hub, units, clients).run_once() == "up_to_date"
    assert len(units.restarts) == 1


def test_an_app_that_does_not_come_back_is_rolled_back(
    hub: HubProcess, root: Path, clients: list[HubClient]
) -> None:
    units = AppUnits(root, hub, works=False)
    assert updater(root, hub, units, clients, trial_s=1.0, poll_s=0.1).run_once() == "rolled_back"
    assert (root / "opt/motcua/venv").readlink() == Path("venvs/0.1.0")
    assert units.restarts == ["motcua-kiosk.service@99.0.0", "motcua-kiosk.service@0.1.0"]
    state = json.loads((root / "var/lib/motcua/update.json").read_text())
    assert state == {"refused": ["99.0.0"]}
    # Not tried again every hour.
    assert updater(root, hub, units, clients).run_once() == "refused_before"
    assert len(units.restarts) == 2


def test_a_trial_cut_short_by_a_power_cut_is_finished_at_the_next_pass(
    hub: HubProcess, root: Path, clients: list[HubClient]
) -> None:
    units = AppUnits(root, hub, works=False)
    (root / "opt/motcua/venvs/99.0.0").mkdir()
    (root / "opt/motcua/venv").unlink()
    (root / "opt/motcua/venv").symlink_to("venvs/99.0.0")
    trial = {"trial": {"from": "0.1.0", "to": "99.0.0", "at": 0.0}}  # long ago
    (root / "var/lib/motcua/update.json").write_text(json.dumps(trial))
    assert updater(root, hub, units, clients, trial_s=1.0, poll_s=0.1).run_once() == "rolled_back"
    assert (root / "opt/motcua/venv").readlink() == Path("venvs/0.1.0")


def test_a_damaged_download_changes_nothing(
    hub: HubProcess, root: Path, clients: list[HubClient]
) -> None:
    class Damaging(HubClient):
        """The link between hub and device flips a byte of every file."""

        def download(self, path: str, target: Path, chunk: int = 1 << 16) -> None:
            super().download(path, target, chunk)
            data = bytearray(target.read_bytes())
            data[len(data) // 2] ^= 0xFF
            target.write_bytes(bytes(data))

    units = AppUnits(root, hub)
    client = Damaging(hub.url, hub.kiosk_token)
    clients.append(client)
    up = Updater(Paths(root=root), "kiosk", client, units)
    assert up.run_once() == "failed"
    assert "arrived damaged" in up.said[-1]
    assert (root / "opt/motcua/venv").readlink() == Path("venvs/0.1.0")
    assert not (root / "opt/motcua/venvs/99.0.0").exists() and units.restarts == []


def test_nothing_is_installed_while_the_root_is_a_ram_overlay(
    hub: HubProcess, root: Path, clients: list[HubClient], tmp_path: Path
) -> None:
    mounts = tmp_path / "mounts"  # /proc/mounts as overlayroot leaves it
    mounts.write_text(
        "/dev/mmcblk0p2 /media/root-ro ext4 ro,noatime 0 0\n"
        "tmpfs-root /media/root-rw tmpfs rw,relatime 0 0\n"
        "overlayroot / overlay rw,relatime,lowerdir=/media/root-ro,upperdir=/media/root-rw 0 0\n"
    )
    units = AppUnits(root, hub)
    up = updater(root, hub, units, clients, mounts=mounts)
    assert up.run_once() == "read_only"
    assert "99.0.0 is offered, but the root is read-only" in up.said[-1]
    assert (root / "opt/motcua/venv").readlink() == Path("venvs/0.1.0")
    assert not (root / "opt/motcua/venvs/99.0.0").exists() and units.restarts == []
