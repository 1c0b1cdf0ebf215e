"""Settings every appliance has; each app's own settings extend :class:`ApplianceSettings`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from motcua.config import ConfigError
from motcua.i18n import LANGUAGES


@dataclass(frozen=True)
class ApplianceSettings:
    """How an appliance finds the hub, identifies itself and shows itself."""

    hub_url: str = "http://127.0.0.1:8080"
    name: str = ""  # how the hub lists this device, e.g. "Kiosk sảnh A"
    token_file: Path = Path("var/device-token")
    enroll_code: str = ""  # one-time code from `motcua devices enroll-code`, used on first start
    language: str = "vi"
    fullscreen: bool = False
    width: int = 0  # 0: the app's own default size
    height: int = 0
    idle_timeout_s: float = 60.0
    request_timeout_s: float = 5.0
    screenshot_dir: Path = Path("var/screenshots")  # where `kill -USR1` saves the screen

    def validate(self, path: str = "") -> None:
        """Refuse values that would only fail later."""
        parts = urlsplit(self.hub_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ConfigError(f"{path}hub_url", f"must be http://host[:port], not {self.hub_url!r}")
        if self.language not in LANGUAGES:
            raise ConfigError(f"{path}language", f"must be one of {', '.join(LANGUAGES)}")
        if self.width < 0 or self.height < 0:
            raise ConfigError(f"{path}width", "window size cannot be negative")
        if self.idle_timeout_s <= 0:
            raise ConfigError(f"{path}idle_timeout_s", "must be positive")
        if self.request_timeout_s <= 0:
            raise ConfigError(f"{path}request_timeout_s", "must be positive")
