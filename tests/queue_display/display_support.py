"""Helpers for the display tests: a small clip pack of real audio, WAV measurements."""

from __future__ import annotations

import contextlib
import math
import socket
import subprocess
import threading
from pathlib import Path

from queue_display.speech.audio import Pcm, chime, read_wav, to_wav

PACK_PHRASES = [
    "mời công dân có số thứ tự",
    "đến quầy số",
    "không",
    "một",
    "hai",
    "ba",
    "bốn",
    "năm",
    "trăm",
    "nghìn",
    "mươi",
    "mười",
    "mốt",
    "linh",
    "tư",
    "lăm",
    "a",
]


def make_tone_pack(folder: Path, phrases: list[str] = PACK_PHRASES, seconds: float = 0.08) -> Path:
    """A clip pack whose clips are short distinct tones: real WAVs, quick to play in real time."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ['name = "tones"', "[clips]"]
    for i, phrase in enumerate(phrases):
        tone = chime(16000, notes=(300.0 + 40 * i,), note_s=seconds)
        tone = Pcm(tone.rate, tone.samples[: int(tone.rate * seconds)])  # without the chime's tail
        name = f"clip{i:02d}.wav"
        (folder / name).write_bytes(to_wav(tone))
        lines.append(f'"{phrase}" = "{name}"')
    (folder / "pack.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def make_espeak_pack(folder: Path, phrases: list[str] = PACK_PHRASES) -> Path:
    """A clip pack "recorded" word by word with espeak-ng, as a voice artist would record it."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ['name = "espeak words"', "[clips]"]
    for i, phrase in enumerate(phrases):
        name = f"w{i:02d}.wav"
        subprocess.run(["espeak-ng", "-v", "vi", "-w", str(folder / name), phrase], check=True)
        lines.append(f'"{phrase}" = "{name}"')
    (folder / "pack.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def voiced_fraction(pcm: Pcm, window_s: float = 0.05, threshold: float = 300.0) -> float:
    """Share of 50 ms windows whose RMS is above ``threshold`` (how much of it is sound)."""
    size = max(1, int(pcm.rate * window_s))
    windows = [pcm.samples[i : i + size] for i in range(0, len(pcm.samples), size)]
    loud = sum(1 for w in windows if math.sqrt(sum(s * s for s in w) / len(w)) > threshold)
    return loud / len(windows)


def wav_file(path: Path) -> Pcm:
    """Read a WAV file the display wrote."""
    return read_wav(path.read_bytes(), str(path))


class Cable:
    """A TCP forwarder between the display and the hub that a test can unplug: real sockets,
    so the display sees what a pulled network cable does (connections die, new ones fail)."""

    def __init__(self, target_port: int) -> None:
        self._target = target_port
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._plugged = threading.Event()
        self._plugged.set()
        self._conns: list = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self._plugged.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self._target), timeout=2)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src, dst) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data or not self._plugged.is_set():
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            # shutdown, not just close: another thread is blocked reading the same socket,
            # and only shutdown makes the far end see the connection end.
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def unplug(self) -> None:
        """Cut every connection; refuse new ones until :meth:`plug`."""
        self._plugged.clear()
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def plug(self) -> None:
        """Let connections through again."""
        self._plugged.set()

    def close(self) -> None:
        """Stop forwarding."""
        self._closed = True
        self.unplug()
        self._server.close()
