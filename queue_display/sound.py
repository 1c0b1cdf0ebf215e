"""The display's sound, built from settings: voices, phrasing, chime, quiet hours, speaker.

No Kivy here, so ``motcua display --test-announcement`` checks the sound without a screen.
"""

from __future__ import annotations

import logging
from pathlib import Path

from appliance.devices.speaker import FileSpeaker, Speaker, SpeakerError, open_speaker
from queue_display.announcer import Announcer, parse_quiet_hours
from queue_display.settings import DisplaySettings
from queue_display.speech.audio import chime
from queue_display.speech.phrases import Phrasing
from queue_display.speech.voices import ClipPack, EspeakVoice, Speech, Voice

log = logging.getLogger(__name__)


def build_announcer(settings: DisplaySettings, speaker: Speaker) -> Announcer:
    """The announcer the settings describe: clip pack first (if any), espeak-ng after it."""
    voices: list[Voice] = []
    if settings.clip_pack is not None:
        voices.append(ClipPack(settings.clip_pack))
    # espeak-ng's Southern voice goes with the Southern words (lẻ, ngàn).
    vi_voice = "vi-vn-x-south" if settings.dialect == "south" else "vi"
    voices.append(
        EspeakVoice(voices={"vi": vi_voice, "en": "en"}, rate_wpm=settings.speech_rate_wpm)
    )
    phrasing = Phrasing(
        settings.template_vi,
        settings.template_en,
        settings.repeat,
        settings.english,
        settings.dialect,
        settings.reading,
    )
    return Announcer(
        Speech(voices),
        speaker,
        phrasing,
        chime() if settings.chime else None,
        quiet_hours=parse_quiet_hours(settings.quiet_hours),
    )


def default_speaker(settings: DisplaySettings) -> Speaker:
    """The configured speaker; if no audio player is installed, the file speaker, said loudly
    in the log, so the board still runs and the technician sees why it is silent."""
    try:
        return open_speaker(
            settings.speaker, settings.volume, Path(settings.audio_dir), settings.speaker_device
        )
    except SpeakerError as exc:
        log.error("no sound: %s; writing announcements to %s instead", exc, settings.audio_dir)
        return FileSpeaker(Path(settings.audio_dir), settings.volume, realtime=True)
