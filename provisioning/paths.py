"""Where provisioning reads and writes, under one root (``/`` on a device, a folder in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The role's systemd unit and the settings file its app reads ($MOTCUA_CONFIG in the unit).
UNITS = {
    "hub": "motcua-hub.service",
    "kiosk": "motcua-kiosk.service",
    "counter": "motcua-counter.service",
    "display": "motcua-display.service",
}
FIRSTBOOT_UNIT = "motcua-firstboot.service"
BACKUP_TIMER = "motcua-backup.timer"
UPDATE_TIMER = "motcua-update.timer"  # appliances: updates from the hub (provisioning.updater)


@dataclass(frozen=True)
class Paths:
    """Every place provisioning touches, as the device sees it, rebased on ``root``."""

    root: Path = Path("/")
    boot_file: Path = Path("/boot/firmware/motcua.toml")
    config_dir: Path = Path("/etc/motcua")
    state_dir: Path = Path("/var/lib/motcua")
    units_dir: Path = Path("/etc/systemd/system")
    lib_units_dir: Path = Path("/usr/lib/systemd/system")

    def host(self, device_path: Path) -> Path:
        """Where ``device_path`` (absolute, as the device sees it) is on this machine."""
        return self.root / device_path.relative_to("/")

    def settings_file(self, role: str) -> Path:
        """The role's settings file, as the device sees it."""
        return self.config_dir / f"{role}.toml"

    def token_file(self, role: str) -> Path:
        """Where the role's device token is kept, as the device sees it."""
        return self.state_dir / f"{role}-token"

    @property
    def marker(self) -> Path:
        """Written (on this machine) once provisioning has finished."""
        return self.host(self.state_dir / "provisioned.json")

    def wants_link(self, unit: str, target: str) -> Path:
        """The symlink that ``systemctl enable`` would make for ``unit`` (on this machine)."""
        return self.host(self.units_dir / f"{target}.wants" / unit)
