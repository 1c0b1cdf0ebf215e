"""The announcement queue: calls are spoken one after another, never cutting each other off.

A worker thread takes announcements in the order they were queued. For each it starts
synthesising the sentence in the background, plays the chime meanwhile (so the room hears
something at once, whatever the synthesis costs), then plays the speech. A call that arrives
while another is being spoken waits its turn. During quiet hours the board still changes but
nothing is played.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from appliance.devices.speaker import Speaker, SpeakerError
from queue_display.speech.audio import Pcm, to_wav
from queue_display.speech.phrases import Phrasing
from queue_display.speech.voices import Speech, VoiceError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Announcement:
    """One call to say aloud."""

    number: str
    counter: int
    recall: bool = False
    event_id: int | None = None
    received: float = field(default_factory=time.monotonic)  # when the display learnt of it


@dataclass
class Spoken:
    """What became of an announcement (for the log, tests and the bench)."""

    announcement: Announcement
    outcome: str  # "spoken", "quiet", "failed"
    started: float = 0.0  # monotonic time the chime started
    synth_s: float = 0.0  # how long the speech took to synthesise
    detail: str = ""


def parse_quiet_hours(text: str) -> tuple[dt.time, dt.time] | None:
    """ "22:00-06:30" → (22:00, 06:30); "" → None. ValueError naming the problem otherwise."""
    if not text.strip():
        return None
    if not re.fullmatch(r"\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*", text):
        raise ValueError(f"quiet hours must look like 22:00-06:00, not {text!r}")
    try:
        start, end = (dt.time.fromisoformat(p.strip().zfill(5)) for p in text.split("-"))
    except ValueError:
        raise ValueError(f"quiet hours must look like 22:00-06:00, not {text!r}") from None
    if start == end:
        raise ValueError(f"quiet hours {text!r} start and end at the same time")
    return start, end


def in_quiet_hours(hours: tuple[dt.time, dt.time] | None, now: dt.datetime) -> bool:
    """Whether ``now`` falls in the quiet window (which may run past midnight)."""
    if hours is None:
        return False
    start, end = hours
    t = now.time()
    return start <= t < end if start < end else t >= start or t < end


class Announcer:
    """Speaks queued calls in order on its own thread."""

    def __init__(
        self,
        speech: Speech,
        speaker: Speaker,
        phrasing: Phrasing,
        chime: Pcm | None,
        *,
        quiet_hours: tuple[dt.time, dt.time] | None = None,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        on_start: Callable[[Announcement], None] | None = None,
    ) -> None:
        self.speech = speech
        self.speaker = speaker
        self.phrasing = phrasing
        self._chime = to_wav(chime) if chime is not None else None
        self.quiet_hours = quiet_hours
        self._now = now
        self.on_start = on_start or (lambda a: None)  # public: the bench times it
        self._queue: queue.Queue[Announcement | None] = queue.Queue()
        self._synth = ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth")
        self._thread: threading.Thread | None = None
        self._busy = threading.Event()
        self.history: collections.deque[Spoken] = collections.deque(maxlen=1000)  # recent ones

    def start(self) -> None:
        """Start the worker."""
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current clip (what is still queued is dropped)."""
        self._queue.put(None)
        self.speaker.close()
        if self._thread is not None:
            self._thread.join(timeout)
        self._synth.shutdown(wait=False, cancel_futures=True)

    def announce(self, announcement: Announcement) -> None:
        """Queue a call; it is spoken after those queued before it (thread-safe)."""
        self._queue.put(announcement)

    @property
    def pending(self) -> int:
        """Calls queued and not yet finished (including the one being spoken)."""
        return self._queue.qsize() + (1 if self._busy.is_set() else 0)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything queued has been spoken; False on timeout."""
        deadline = time.monotonic() + timeout
        while self.pending:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            self._busy.set()
            try:
                self.history.append(self._speak(item))
            except Exception as exc:  # one bad call must not silence the room for the day
                log.exception("announcement of %s failed", item.number)
                self.history.append(Spoken(item, "failed", detail=str(exc)))
            finally:
                self._busy.clear()

    def _synthesise(self, item: Announcement) -> tuple[bytes, float]:
        began = time.perf_counter()
        pcm = self.speech.say(self.phrasing.segments(item.number, item.counter))
        return to_wav(pcm), time.perf_counter() - began

    def _speak(self, item: Announcement) -> Spoken:
        if in_quiet_hours(self.quiet_hours, self._now()):
            return Spoken(item, "quiet")
        speech = self._synth.submit(self._synthesise, item)
        started = time.monotonic()
        self.on_start(item)
        try:
            if self._chime is not None:
                self.speaker.play(self._chime, "chime")
            wav, synth_s = speech.result(timeout=30)
            self.speaker.play(wav, f"call-{item.number}-{item.counter}")
        except (VoiceError, SpeakerError) as exc:
            log.error("could not announce %s: %s", item.number, exc)
            return Spoken(item, "failed", started, detail=str(exc))
        return Spoken(item, "spoken", started, synth_s)
