"""Voices that turn a sentence into audio: a recorded clip pack, or espeak-ng as the fallback.

A clip pack is a folder with ``pack.toml`` naming one WAV per word or phrase::

    name = "Giọng nữ miền Bắc"
    [clips]
    "mời công dân có số thứ tự" = "moi-cong-dan.wav"
    "đến quầy số" = "den-quay-so.wav"
    "một" = "mot.wav"

A sentence is said with the pack when every word of it is covered (longest phrases first);
otherwise the whole sentence goes to espeak-ng, since one sentence in two voices is harder to
follow than one synthetic voice.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import tomllib
import unicodedata
from pathlib import Path
from typing import Protocol

from queue_display.speech.audio import AudioError, Pcm, join, read_wav, silence

PAUSE_S = 0.25  # a comma in the text
GAP_S = 0.04  # between joined clips, so words do not run together


class VoiceError(RuntimeError):
    """A voice could not be set up or could not speak; the message says why."""


class Voice(Protocol):
    """Something that can say a sentence in a language."""

    def can_say(self, text: str, language: str) -> bool:
        """Whether this voice covers every word of ``text``."""

    def say(self, text: str, language: str) -> Pcm:
        """The sentence as audio."""


def _tokens(text: str) -> list[str]:
    """Lower-case NFC words, with "," kept as a pause token."""
    text = unicodedata.normalize("NFC", text).lower()
    return re.findall(r"[^\s,.;:!?]+|,", text)


class EspeakVoice:
    """espeak-ng with its Vietnamese (``vi``) and English (``en``) voices."""

    def __init__(
        self,
        binary: str = "espeak-ng",
        voices: dict[str, str] | None = None,
        rate_wpm: int = 145,
        timeout: float = 10.0,
    ) -> None:
        self.binary = binary
        self.voices = voices or {"vi": "vi", "en": "en"}
        self.rate_wpm = rate_wpm
        self.timeout = timeout

    def can_say(self, text: str, language: str) -> bool:
        """espeak-ng reads anything in a language it has a voice for."""
        return language in self.voices

    def say(self, text: str, language: str) -> Pcm:
        """Run espeak-ng and read the WAV it writes."""
        with tempfile.TemporaryDirectory(prefix="motcua-say-") as tmp:
            out = Path(tmp) / "say.wav"
            command = [
                self.binary,
                "-v",
                self.voices[language],
                "-s",
                str(self.rate_wpm),
                "-w",
                str(out),
                unicodedata.normalize("NFC", text),
            ]
            try:
                done = subprocess.run(command, capture_output=True, timeout=self.timeout)
            except FileNotFoundError:
                raise VoiceError(f"{self.binary} is not installed") from None
            except subprocess.TimeoutExpired:
                raise VoiceError(f"{self.binary} took longer than {self.timeout} s") from None
            if done.returncode != 0 or not out.exists():
                message = done.stderr.decode(errors="replace").strip()
                raise VoiceError(f"{self.binary} failed: {message or done.returncode}")
            return read_wav(out.read_bytes(), "espeak-ng output")


class ClipPack:
    """Recorded words and phrases joined into sentences."""

    def __init__(self, folder: Path) -> None:
        index = Path(folder) / "pack.toml"
        try:
            with index.open("rb") as handle:
                table = tomllib.load(handle)
        except FileNotFoundError:
            raise VoiceError(f"clip pack {folder} has no pack.toml") from None
        except tomllib.TOMLDecodeError as exc:
            raise VoiceError(f"{index} is not valid TOML: {exc}") from None
        clips = table.get("clips")
        if not isinstance(clips, dict) or not clips:
            raise VoiceError(f"{index} needs a [clips] table of phrase = file")
        self.name = str(table.get("name", Path(folder).name))
        self.language = str(table.get("language", "vi"))
        self._clips: dict[tuple[str, ...], Pcm] = {}
        for phrase, file in clips.items():
            path = Path(folder) / str(file)
            try:
                pcm = read_wav(path.read_bytes(), str(path))
            except FileNotFoundError:
                raise VoiceError(
                    f"clip pack {folder}: {file} (for {phrase!r}) is missing"
                ) from None
            except AudioError as exc:
                raise VoiceError(str(exc)) from None
            self._clips[tuple(_tokens(phrase))] = pcm
        self.rate = next(iter(self._clips.values())).rate
        self._longest = max(len(k) for k in self._clips)

    def _cover(self, text: str) -> list[Pcm] | None:
        """Clips for the sentence, longest phrase first at each point; None if a word is missing."""
        words = _tokens(text)
        parts: list[Pcm] = []
        i = 0
        while i < len(words):
            if words[i] == ",":
                parts.append(silence(self.rate, PAUSE_S))
                i += 1
                continue
            for size in range(min(self._longest, len(words) - i), 0, -1):
                clip = self._clips.get(tuple(words[i : i + size]))
                if clip is not None:
                    parts += [clip, silence(self.rate, GAP_S)]
                    i += size
                    break
            else:
                return None
        return parts

    def can_say(self, text: str, language: str) -> bool:
        """Whether every word of ``text`` has a recording."""
        return language == self.language and self._cover(text) is not None

    def missing(self, text: str) -> list[str]:
        """The words of ``text`` no clip covers (what still needs recording)."""
        return [w for w in _tokens(text) if w != "," and (w,) not in self._clips]

    def say(self, text: str, language: str) -> Pcm:
        """The recordings joined, with a short pause at each comma."""
        parts = self._cover(text) if language == self.language else None
        if parts is None:
            raise VoiceError(f"clip pack {self.name} cannot say {text!r}")
        return join(parts, self.rate)


class Speech:
    """Says sentences with the first voice that covers each of them."""

    def __init__(self, voices: list[Voice]) -> None:
        if not voices:
            raise VoiceError("no voice configured")
        self.voices = voices

    def say(self, segments: list[tuple[str, str]], pause_s: float = 0.6) -> Pcm:
        """All ``segments`` ((language, text)) as one clip with a pause between sentences."""
        parts: list[Pcm] = []
        rate: int | None = None
        for language, text in segments:
            voice = next((v for v in self.voices if v.can_say(text, language)), None)
            if voice is None:
                raise VoiceError(f"no voice can say {language} text {text!r}")
            pcm = voice.say(text, language)
            rate = rate or pcm.rate
            if parts:
                parts.append(silence(rate, pause_s))
            parts.append(pcm)
        return join(parts, rate)
