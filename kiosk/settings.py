"""The kiosk's settings: the appliance's own, plus its printer, scanner and screen texts."""

from __future__ import annotations

from dataclasses import dataclass, field

from appliance.devices.printer import PrinterSettings
from appliance.devices.scanner import ScannerSettings
from appliance.settings import ApplianceSettings
from motcua.config import ConfigError


@dataclass(frozen=True)
class KioskSettings(ApplianceSettings):
    """Everything ``motcua kiosk`` reads from its TOML file and ``MOTCUA_*`` environment."""

    agency_name: str = "Bộ phận tiếp nhận và trả kết quả"  # shown on screen and on tickets
    orientation: str = "landscape"  # or "portrait": the default window size follows it
    heartbeat_s: float = 30.0  # how often printer status goes to the hub
    refresh_s: float = 10.0  # how often service waits are refreshed, and the hub re-checked
    # Numbers the hub reserved for this kiosk and tickets issued from them while the hub could
    # not be reached ("" : issue none offline).
    offline_file: str = "var/offline-tickets.json"
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    scanner: ScannerSettings = field(default_factory=ScannerSettings)

    def validate(self, path: str = "") -> None:
        """The appliance checks, then the kiosk's own."""
        super().validate(path)
        if self.orientation not in ("landscape", "portrait"):
            raise ConfigError(f"{path}orientation", "must be landscape or portrait")
        if self.heartbeat_s <= 0:
            raise ConfigError(f"{path}heartbeat_s", "must be positive")
        if self.refresh_s <= 0:
            raise ConfigError(f"{path}refresh_s", "must be positive")
        if not self.agency_name.strip():
            raise ConfigError(f"{path}agency_name", "must not be empty")

    def window_size(self) -> tuple[int, int]:
        """The window size: the configured one, or a kiosk screen in the configured orientation."""
        default = (1280, 800) if self.orientation == "landscape" else (800, 1280)
        return (self.width or default[0], self.height or default[1])
