"""The speaker: plays WAV audio, one clip at a time, at the configured volume.

Two drivers behind one small interface. :class:`CommandSpeaker` pipes the WAV to an audio player
(``aplay`` from alsa-utils on the appliance image, or sox's ``play``); :class:`FileSpeaker` is the
fake: it writes each WAV it would have played to a folder (numbered, so the order is visible) and,
when ``realtime`` is set, takes as long as the audio lasts, so a demo or a test hears the same
timing a room would. Volume is applied to the samples here, so it behaves the same on every
driver and needs no mixer control.
"""

from __future__ import annotations

import array
import functools
import io
import re
import shutil
import subprocess
import sys
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class SpeakerError(RuntimeError):
    """The audio could not be played; the message says why."""


def wav_duration(wav: bytes) -> float:
    """Length of a WAV in seconds."""
    with wave.open(io.BytesIO(wav)) as reader:
        return reader.getnframes() / reader.getframerate()


@functools.lru_cache(maxsize=4)  # the chime is scaled once, not before every call
def scale_volume(wav: bytes, volume: float) -> bytes:
    """The same 16-bit PCM WAV with its samples scaled by ``volume`` (0.0 silent … 1.0 as is)."""
    if not 0.0 <= volume <= 1.0:
        raise ValueError(f"volume must be between 0.0 and 1.0, not {volume}")
    if volume == 1.0:
        return wav
    with wave.open(io.BytesIO(wav)) as reader:
        params = reader.getparams()
        frames = reader.readframes(reader.getnframes())
    if params.sampwidth != 2:
        raise SpeakerError(f"only 16-bit PCM WAV is supported, not {params.sampwidth * 8}-bit")
    samples = array.array("h", frames)
    if sys.byteorder == "big":  # WAV is little-endian
        samples.byteswap()
    scaled = array.array("h", (int(s * volume) for s in samples))
    if sys.byteorder == "big":
        scaled.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setparams(params)
        writer.writeframes(scaled.tobytes())
    return out.getvalue()


class Speaker(Protocol):
    """Plays one WAV at a time; ``play`` returns when the audio has finished."""

    volume: float

    def play(self, wav: bytes, label: str = "") -> None:
        """Play ``wav`` (16-bit PCM) to the end; ``label`` names it in logs and fake output."""

    def close(self) -> None:
        """Stop whatever is playing and release the device."""


class CommandSpeaker:
    """Plays through an audio player reading WAV on stdin (``aplay -q -`` or ``play -q -``)."""

    def __init__(self, command: list[str], volume: float = 1.0, timeout: float = 60.0) -> None:
        if not command or shutil.which(command[0]) is None:
            raise SpeakerError(f"audio player {command[:1]} not found; install alsa-utils or sox")
        self.command = command
        self.volume = volume
        self.timeout = timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def play(self, wav: bytes, label: str = "") -> None:
        """Play ``wav`` and wait for the player to finish."""
        data = scale_volume(wav, self.volume)
        with self._lock:
            self._process = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        try:
            _, err = self._process.communicate(data, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            raise SpeakerError(f"{self.command[0]} did not finish {label!r}") from None
        if self._process.returncode not in (0, -9, -15):  # killed by close() is not an error
            message = err.decode(errors="replace").strip()
            raise SpeakerError(f"{self.command[0]} failed on {label!r}: {message}")

    def close(self) -> None:
        """Stop a clip that is still playing."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.kill()


@dataclass(frozen=True)
class Played:
    """One clip the fake speaker played: what, where it was written, when it started."""

    label: str
    path: Path
    started: float  # time.monotonic()
    duration: float


class FileSpeaker:
    """The fake speaker: writes each WAV it plays to ``folder`` as ``0001-label.wav``, keeping
    the last ``keep`` of them."""

    def __init__(
        self, folder: Path, volume: float = 1.0, realtime: bool = False, keep: int = 200
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.volume = volume
        self.realtime = realtime
        self.keep = keep  # a demo left running all day must not fill the disk
        self.count = 0
        self.played: list[Played] = []
        self._closed = threading.Event()
        self._lock = threading.Lock()

    def play(self, wav: bytes, label: str = "") -> None:
        """Write the clip, then (in real time mode) wait as long as it would sound."""
        started = time.monotonic()
        data = scale_volume(wav, self.volume)
        duration = wav_duration(data)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-") or "clip"
        with self._lock:
            self.count += 1
            path = self.folder / f"{self.count:04d}-{safe}.wav"
            path.write_bytes(data)
            self.played.append(Played(label, path, started, duration))
            while len(self.played) > self.keep:
                self.played.pop(0).path.unlink(missing_ok=True)
        if self.realtime:
            self._closed.wait(max(0.0, duration - (time.monotonic() - started)))

    def close(self) -> None:
        """End a real-time wait early."""
        self._closed.set()


def default_player() -> list[str]:
    """The first audio player found: alsa-utils' aplay, else sox's play."""
    if shutil.which("aplay"):
        return ["aplay", "-q", "-"]
    if shutil.which("play"):
        return ["play", "-q", "-t", "wav", "-"]
    raise SpeakerError("no audio player found: install alsa-utils (aplay) or sox (play)")


def open_speaker(kind: str, volume: float, folder: Path, device: str = "") -> Speaker:
    """The speaker named by config: "audio" (the real one) or "file" (the fake, into ``folder``)."""
    if kind == "file":
        return FileSpeaker(folder, volume, realtime=True)
    if kind == "audio":
        command = default_player()
        if device and command[0] == "aplay":
            command = ["aplay", "-q", "-D", device, "-"]
        return CommandSpeaker(command, volume)
    raise SpeakerError(f"speaker must be 'audio' or 'file', not {kind!r}")
