"""A device under test: a role's image tree (images/build.sh, no wheel) as a fake root folder,
the boot partition inside it, and first boot run against it with systemd recorded.

First boot talks to the hub over HTTP only, so ``hub_process`` is the hub served from this
process (a subprocess takes a few tenths of a second of both cores to start, per test), except
for a test that kills it: a crash is a process's matter.
"""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hub.inprocess import start_in_process_hub
from hub.testing import SeededHub, start_hub
from provisioning.firstboot import FirstBoot, Outcome
from provisioning.paths import Paths

PROJECT = Path(__file__).resolve().parents[2]
FIXED_NOW = "2026-12-02T08:00:00+07:00"
# What only a hub process has: a test that uses any of these gets one.
PROCESS_ONLY = (".kill(", ".pids(", ".proc", ".log(", ".log_path")


@pytest.fixture
def hub_process(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SeededHub]:
    """A running hub with the demo office, in this process or not (see above); stopped after."""
    source = inspect.getsource(request.function)
    process = any(use in source for use in PROCESS_ONLY)
    hub = (start_hub if process else start_in_process_hub)(tmp_path / "hub")
    try:
        yield hub
    finally:
        hub.stop()


@dataclass
class RecordingSystemd:
    """systemctl at its boundary: the calls, in order."""

    calls: list[tuple[str, str]] = field(default_factory=list)

    def start(self, unit: str) -> None:
        """Record a start."""
        self.calls.append(("start", unit))

    def restart(self, unit: str) -> None:
        """Record a restart."""
        self.calls.append(("restart", unit))


@dataclass
class Device:
    """One fake device: ``root`` is its ``/``."""

    root: Path
    role: str
    systemd: RecordingSystemd = field(default_factory=RecordingSystemd)
    printed: list[str] = field(default_factory=list)

    @property
    def paths(self) -> Paths:
        """Its paths, rebased on ``root``."""
        return Paths(root=self.root)

    @property
    def boot_file(self) -> Path:
        """motcua.toml on its boot partition."""
        return self.root / "boot/firmware/motcua.toml"

    def path(self, device_path: str) -> Path:
        """Where ``/etc/...`` of the device is here."""
        return self.root / device_path.lstrip("/")

    def write_boot(self, text: str) -> None:
        """What the technician saved on the card."""
        self.boot_file.write_text(text, encoding="utf-8")

    def firstboot(self, **kwargs) -> FirstBoot:
        """First boot as the unit runs it, its output kept in ``printed``."""
        import datetime as dt

        return FirstBoot(
            self.paths, self.systemd, out=self.printed.append, retry_s=10.0, recheck_s=15.0,
            now=lambda: dt.datetime.fromisoformat(FIXED_NOW), **kwargs,
        )  # fmt: skip

    def run_once(self) -> tuple[Outcome, str]:
        """One pass; (its outcome, what it printed during it)."""
        before = len(self.printed)
        self.systemd.calls.clear()
        outcome = self.firstboot().run_once()
        return outcome, "\n".join(self.printed[before:])

    def snapshot(self) -> dict[str, tuple]:
        """Every file and link under the root: content, mode, owner and time stamp."""
        result: dict[str, tuple] = {}
        for path in sorted(self.root.rglob("*")):
            st = path.lstat()
            if path.is_symlink():
                result[str(path.relative_to(self.root))] = ("link", os.readlink(path))
            elif path.is_file():
                result[str(path.relative_to(self.root))] = (
                    path.read_bytes(), st.st_mode, st.st_uid, st.st_mtime_ns,
                )  # fmt: skip
            else:
                result[str(path.relative_to(self.root))] = ("dir", st.st_mode)
        return result


@pytest.fixture(scope="session")
def image_trees(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The role's file tree from images/build.sh (without the wheel), built once per session."""
    built: dict[str, Path] = {}

    def tree(role: str) -> Path:
        if role not in built:
            out = tmp_path_factory.mktemp(f"tree-{role}")
            subprocess.run(
                ["bash", str(PROJECT / "images/build.sh"), "tree", role, str(out)],
                check=True, capture_output=True, env={**os.environ, "MOTCUA_NO_WHEEL": "1"},
            )  # fmt: skip
            built[role] = out
        return built[role]

    return tree


@pytest.fixture
def device(tmp_path: Path, image_trees: Callable[[str], Path]) -> Iterator[Callable[..., Device]]:
    """``device("kiosk")``: a fresh fake root from the kiosk's image tree."""

    def make(role: str, name: str = "") -> Device:
        tree = image_trees(role)
        root = tmp_path / (name or f"root-{role}")
        shutil.copytree(tree / "rootfs", root, symlinks=True)
        shutil.copytree(tree / "boot", root / "boot/firmware", symlinks=True)
        return Device(root, role)

    yield make
