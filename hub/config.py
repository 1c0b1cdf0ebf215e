"""The hub's settings: typed defaults here, overlaid by a TOML file and ``MOTCUA_*`` environment."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from hub.outbox.settings import OutboxConfig
from motcua.config import ConfigError

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class UpstreamConfig:
    """How the hub reaches the agency's one-stop back end (see hub/upstream/)."""

    kind: str = "none"  # none | http | sim
    base_url: str = ""
    auth_header: str = ""  # e.g. "Authorization: Bearer …", sent as-is
    timeout_s: float = 2.0
    sync_interval_s: float = 60.0
    stale_after_s: float = 300.0
    webhook_secret: str = ""
    mapping_file: Path | None = None

    def validate(self, path: str) -> None:
        """Refuse an unknown kind or an http back end without a URL."""
        if self.kind not in ("none", "http", "sim"):
            raise ConfigError(f"{path}kind", f"must be none, http or sim, not {self.kind!r}")
        if self.kind == "http" and not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(f"{path}base_url", "an http back end needs an http(s):// URL")
        if self.timeout_s <= 0:
            raise ConfigError(f"{path}timeout_s", "must be positive")
        if self.mapping_file is not None:
            from hub.upstream.mapping import Mapping  # checked at start, not mid-sync

            try:
                Mapping.load(self.mapping_file)
            except (OSError, ValueError) as exc:
                raise ConfigError(f"{path}mapping_file", str(exc)) from None


@dataclass(frozen=True)
class SmsConfig:
    """SMS lookup through a GSM modem on the hub (see hub/sms/); off unless ``enabled``."""

    enabled: bool = False
    # Where the modem may appear, in order: glob patterns, since a re-plugged USB modem can come
    # back under another name. The first port that answers AT is used.
    ports: list[str] = field(
        default_factory=lambda: ["/dev/serial/by-id/*", "/dev/ttyUSB*", "/dev/ttyACM*"]
    )
    baudrate: int = 115200
    pin: str = ""  # the SIM's PIN, if it asks for one
    mode: str = "auto"  # auto | pdu | text (text: for modems without PDU mode; no accents)
    unaccented: bool = False  # replies in GSM 7-bit without accents: 160 characters per SMS
    language: str = "vi"  # vi | en
    country_code: str = "84"  # turns 0912… into +84912… so both spellings count as one number
    send_interval_s: float = 4.0  # at least this long between two SMS sent (modems manage ~3-6 s)
    per_number_hour: int = 10  # messages answered per number per hour
    per_number_day: int = 30  # and per day; beyond either, one notice, then silence
    max_parts: int = 4  # a reply longer than this many SMS is cut short
    poll_s: float = 15.0  # read the modem's memory this often even without +CMTI
    command_timeout_s: float = 5.0
    send_timeout_s: float = 60.0  # the network may take this long to accept one SMS
    max_attempts: int = 5  # a reply that failed this many times (temporarily) is given up
    retry_after_s: float = 60.0  # first retry delay; doubles each attempt
    # Optional: a citizen who leaves a number for a ticket (POST /api/v1/tickets/{token}/sms)
    # gets one SMS when this many people are ahead; 0 is off.
    notify_ahead: int = 0

    def validate(self, path: str) -> None:
        """Refuse settings the SMS service could not run with, naming the key."""
        if self.mode not in ("auto", "pdu", "text"):
            raise ConfigError(f"{path}mode", f"must be auto, pdu or text, not {self.mode!r}")
        if self.language not in ("vi", "en"):
            raise ConfigError(f"{path}language", f"must be vi or en, not {self.language!r}")
        if self.enabled and not self.ports:
            raise ConfigError(f"{path}ports", "list at least one device path or pattern")
        if self.pin and not (self.pin.isdigit() and 4 <= len(self.pin) <= 8):
            raise ConfigError(f"{path}pin", "a SIM PIN is 4 to 8 digits")
        if not (self.country_code.isdigit() and 1 <= len(self.country_code) <= 3):
            raise ConfigError(f"{path}country_code", "must be 1 to 3 digits, such as 84")
        if not 0.01 <= self.send_interval_s <= 600:
            raise ConfigError(f"{path}send_interval_s", "must be 0.01 to 600 seconds (3-6 s "
                              "suits a GSM modem)")  # fmt: skip
        if self.baudrate not in (9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600):
            raise ConfigError(f"{path}baudrate", f"{self.baudrate} is not a serial speed")
        for name in ("per_number_hour", "per_number_day", "max_parts", "max_attempts"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{path}{name}", "must be at least 1")
        if not 0 <= self.notify_ahead <= 50:
            raise ConfigError(f"{path}notify_ahead", "must be 0 (off) to 50")
        if self.per_number_day < self.per_number_hour:
            raise ConfigError(f"{path}per_number_day", "must be at least per_number_hour")
        for name in ("poll_s", "command_timeout_s", "send_timeout_s", "retry_after_s"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{path}{name}", "must be positive")


@dataclass(frozen=True)
class HubConfig:
    """Settings of one on-site hub."""

    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""  # what ticket QR codes point at; defaults to http://host:port
    db_path: Path = Path("var/hub.sqlite3")
    agency_name: str = "Bộ phận Tiếp nhận và Trả kết quả"
    timezone: str = "Asia/Ho_Chi_Minh"
    day_starts_at: str = "06:00"  # numbering restarts here each day
    office_file: Path | None = None  # TOML of services and counters, loaded at start-up
    threads: int = 32  # Python threads running requests (an open event stream holds none)
    streams_per_address: int = 32  # open event streams one client address may hold
    unfinished_per_address: int = 32  # requests whose body is still coming, per address
    body_timeout_s: float = 10.0  # a request's body arrives within this, or the answer is 408
    header_timeout_s: float = 10.0  # a request's headers arrive within this, or it is dropped
    max_connections: int = 4096  # open connections at once (the rest wait to be accepted)
    heartbeat_s: float = 15.0
    priority_burst: int = 2  # at most this many priority calls in a row while others wait
    offline_block_size: int = 20  # numbers a kiosk may issue per service a day without the hub
    login_attempts_per_minute: int = 10
    lookups_per_minute: int = 30
    max_body_bytes: int = 65536
    log_changes: bool = False  # a stdout line per state change (refused requests always get one)
    backup_dir: Path = Path("var/backups")
    backup_keep: int = 8
    backup_at: str = "02:30"  # nightly backup time (the hub's time zone)
    updates_dir: Path | None = None  # wheels the appliances update from (hub/updates.py)
    secret_key: str = ""  # for signing admin console cookies; generated into the db when empty
    # Sites that may show the dossier lookup widget (/nhung/tra-cuu) in a frame, such as
    # "https://dichvucong.gialai.gov.vn"; every other page refuses to be framed.
    embed_origins: list[str] = field(default_factory=list)
    upstream: UpstreamConfig = field(default_factory=UpstreamConfig)
    sms: SmsConfig = field(default_factory=SmsConfig)
    outbox: OutboxConfig = field(default_factory=OutboxConfig)  # reports to the back end

    def validate(self, path: str = "") -> None:
        """Check values whose type alone does not make them right."""
        if not 0 < self.port < 65536:
            raise ConfigError(f"{path}port", f"must be 1-65535, not {self.port}")
        for name in ("day_starts_at", "backup_at"):
            if not _HHMM.match(getattr(self, name)):
                raise ConfigError(f"{path}{name}", f"must be HH:MM, not {getattr(self, name)!r}")
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{path}timezone", f"unknown time zone {self.timezone!r}") from None
        if self.threads < 8:
            raise ConfigError(f"{path}threads", "must be at least 8")
        for name in ("heartbeat_s", "body_timeout_s", "header_timeout_s"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{path}{name}", "must be positive")
        if self.max_connections < 64:
            raise ConfigError(f"{path}max_connections", "must be at least 64")
        for name in ("login_attempts_per_minute", "lookups_per_minute", "backup_keep",
                     "priority_burst", "streams_per_address",
                     "unfinished_per_address"):  # fmt: skip
            if getattr(self, name) < 1:
                raise ConfigError(f"{path}{name}", "must be at least 1")
        if not 1 <= self.offline_block_size <= 1000:
            raise ConfigError(f"{path}offline_block_size", "must be 1 to 1000")

    @property
    def base_url(self) -> str:
        """The URL printed on tickets and shown to people."""
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"
