"""The display's settings: zone, board timing, announcement wording, voice and speaker."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from appliance.settings import ApplianceSettings
from motcua.config import ConfigError
from queue_display.announcer import parse_quiet_hours
from queue_display.speech.numwords import READINGS
from queue_display.speech.phrases import DEFAULT_TEMPLATE_EN, DEFAULT_TEMPLATE_VI, check_template


@dataclass(frozen=True)
class DisplaySettings(ApplianceSettings):
    """Everything a waiting-room display can be told; see the README's display section."""

    token_file: Path = Path("var/display-token")
    agency_name: str = "Bộ phận tiếp nhận và trả kết quả"
    # A TV hung on its side keeps its 1920×1080 mode; 90 or 270 turns the picture to portrait.
    rotation: int = 0
    # The zone: only these counters / services (empty: all of them).
    counters: list[int] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    highlight_s: float = 10.0  # how long the newest call flashes
    recent_calls: int = 6  # calls listed under the newest one
    stale_after_s: float = 30.0  # a call older than this when it arrives is shown, not spoken
    heartbeat_s: float = 60.0  # how often the display tells the hub it is alive
    # Announcements
    template_vi: str = DEFAULT_TEMPLATE_VI
    template_en: str = DEFAULT_TEMPLATE_EN
    repeat: int = 2  # times the Vietnamese sentence is said (once is easily missed in a hall)
    english: bool = False  # follow with the English sentence
    dialect: str = "north"  # "south": một trăm lẻ một, một ngàn
    # "number": A012 is "a, không trăm mười hai"; "digits": "a, không, một, hai", digit by digit
    reading: str = "number"
    chime: bool = True
    volume: float = 0.9  # 0.0 … 1.0
    quiet_hours: str = ""  # e.g. "11:30-13:00": the board changes, nothing is played
    speech_rate_wpm: int = 145  # espeak-ng speed
    clip_pack: Path | None = None  # folder with pack.toml; espeak-ng says what it lacks
    speaker: str = "audio"  # "audio" (aplay/sox play) or "file" (writes WAVs, for demo/tests)
    speaker_device: str = ""  # ALSA device for aplay, e.g. "hw:1,0" (HDMI)
    audio_dir: Path = Path("var/display-audio")  # where the "file" speaker writes

    def validate(self, path: str = "") -> None:
        """Refuse values that would only fail in front of a waiting room."""
        super().validate(path)
        if self.rotation not in (0, 90, 180, 270):
            raise ConfigError(f"{path}rotation", "must be 0, 90, 180 or 270")
        if any(n <= 0 for n in self.counters):
            raise ConfigError(f"{path}counters", "counter numbers are 1 or more")
        if self.highlight_s < 0:
            raise ConfigError(f"{path}highlight_s", "cannot be negative")
        if not 0 <= self.recent_calls <= 20:
            raise ConfigError(f"{path}recent_calls", "must be between 0 and 20")
        if self.heartbeat_s < 5:
            raise ConfigError(f"{path}heartbeat_s", "must be 5 seconds or more")
        if self.stale_after_s <= 0:
            raise ConfigError(f"{path}stale_after_s", "must be positive")
        for key in ("template_vi", "template_en"):
            problem = check_template(getattr(self, key))
            if problem:
                raise ConfigError(f"{path}{key}", problem)
        if not 1 <= self.repeat <= 3:
            raise ConfigError(f"{path}repeat", "must be 1, 2 or 3")
        if self.reading not in READINGS:
            raise ConfigError(f"{path}reading", f"must be one of {', '.join(READINGS)}")
        if self.dialect not in ("north", "south"):
            raise ConfigError(f"{path}dialect", "must be 'north' or 'south'")
        if not 0.0 <= self.volume <= 1.0:
            raise ConfigError(f"{path}volume", "must be between 0.0 and 1.0")
        try:
            parse_quiet_hours(self.quiet_hours)
        except ValueError as exc:
            raise ConfigError(f"{path}quiet_hours", str(exc)) from None
        if not 80 <= self.speech_rate_wpm <= 400:
            raise ConfigError(f"{path}speech_rate_wpm", "must be between 80 and 400")
        if self.speaker not in ("audio", "file"):
            raise ConfigError(f"{path}speaker", "must be 'audio' or 'file'")
        if self.clip_pack is not None and not (self.clip_pack / "pack.toml").is_file():
            raise ConfigError(f"{path}clip_pack", f"no pack.toml in {self.clip_pack}")
