"""Mono 16-bit PCM as the announcer handles it: read, join, pad with silence, make the chime.

Small and dependency-free (the ``wave`` and ``array`` modules), so a display image needs no audio
library. Clips of another sample rate are resampled linearly when joined: good enough for
speech, and it lets a recorded clip pack and the synthesized chime differ.
"""

from __future__ import annotations

import array
import io
import math
import sys
import wave
from dataclasses import dataclass


class AudioError(ValueError):
    """A WAV could not be used; the message names the problem."""


@dataclass(frozen=True)
class Pcm:
    """Mono signed 16-bit samples at ``rate`` Hz."""

    rate: int
    samples: array.array

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.rate


def read_wav(data: bytes, origin: str = "WAV") -> Pcm:
    """Decode a 16-bit PCM WAV; stereo is mixed down to mono."""
    try:
        with wave.open(io.BytesIO(data)) as reader:
            channels, width, rate = (
                reader.getnchannels(),
                reader.getsampwidth(),
                reader.getframerate(),
            )
            frames = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{origin} is not a readable WAV file: {exc}") from None
    if width != 2:
        raise AudioError(f"{origin} must be 16-bit PCM, not {width * 8}-bit")
    samples = array.array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    if channels == 2:
        samples = array.array(
            "h", ((a + b) // 2 for a, b in zip(samples[0::2], samples[1::2], strict=True))
        )
    elif channels != 1:
        raise AudioError(f"{origin} has {channels} channels; use mono or stereo")
    return Pcm(rate, samples)


def to_wav(pcm: Pcm) -> bytes:
    """Encode as a mono 16-bit WAV file."""
    samples = pcm.samples
    if sys.byteorder == "big":
        samples = array.array("h", samples)
        samples.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(pcm.rate)
        writer.writeframes(samples.tobytes())
    return out.getvalue()


def silence(rate: int, seconds: float) -> Pcm:
    """``seconds`` of silence."""
    return Pcm(rate, array.array("h", bytes(2 * int(rate * seconds))))


def resample(pcm: Pcm, rate: int) -> Pcm:
    """The same sound at ``rate`` Hz (linear interpolation)."""
    if pcm.rate == rate or not pcm.samples:
        return Pcm(rate, pcm.samples) if pcm.rate == rate else Pcm(rate, array.array("h"))
    src = pcm.samples
    count = int(len(src) * rate / pcm.rate)
    step = pcm.rate / rate
    last = len(src) - 1
    out = array.array("h", bytes(2 * count))
    for i in range(count):
        pos = i * step
        j = int(pos)
        frac = pos - j
        nxt = src[j + 1] if j < last else src[last]
        out[i] = int(src[j] + (nxt - src[j]) * frac)
    return Pcm(rate, out)


def join(parts: list[Pcm], rate: int | None = None) -> Pcm:
    """One clip made of ``parts`` in order, at ``rate`` (default: the first part's)."""
    if not parts:
        raise AudioError("nothing to join")
    target = rate or parts[0].rate
    samples = array.array("h")
    for part in parts:
        samples.extend(resample(part, target).samples)
    return Pcm(target, samples)


def rms(pcm: Pcm) -> float:
    """Root mean square of the samples, 0 … 32767 (0 is silence)."""
    if not pcm.samples:
        return 0.0
    return math.sqrt(sum(s * s for s in pcm.samples) / len(pcm.samples))


def chime(
    rate: int = 22050,
    notes: tuple[float, ...] = (659.25, 523.25),
    gain: float = 0.5,
    note_s: float = 0.55,
) -> Pcm:
    """The two-tone "ding-dong" before a call: each note a bell-like tone that decays."""
    samples = array.array("h")
    for freq in notes:
        n = int(rate * note_s)
        attack = int(rate * 0.01)
        for i in range(n):
            t = i / rate
            envelope = min(1.0, i / attack) * math.exp(-4.0 * t)
            # fundamental plus a soft octave: rounder than a bare sine on a TV speaker
            value = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
            samples.append(int(32767 * gain * envelope * value / 1.3))
    samples.extend(silence(rate, 0.25).samples)
    return Pcm(rate, samples)
