"""The announcement queue: in order, never overlapping, quiet when asked, robust to failures."""

from __future__ import annotations

import datetime as dt

import pytest
from display_support import make_tone_pack

from appliance.devices.speaker import FileSpeaker
from queue_display.announcer import Announcement, Announcer, in_quiet_hours, parse_quiet_hours
from queue_display.speech.audio import chime
from queue_display.speech.phrases import Phrasing
from queue_display.speech.voices import ClipPack, EspeakVoice, Speech, VoiceError


@pytest.fixture
def tone_speech(tmp_path):
    return Speech([ClipPack(make_tone_pack(tmp_path / "tones"))])


def make_announcer(speech, speaker, **kwargs):
    announcer = Announcer(speech, speaker, Phrasing(), chime(16000, note_s=0.1), **kwargs)
    announcer.start()
    return announcer


@pytest.mark.slow
def test_calls_are_spoken_in_order_and_never_cut_each_other_off(tmp_path, tone_speech):
    speaker = FileSpeaker(tmp_path / "out", realtime=True)
    announcer = make_announcer(tone_speech, speaker)
    try:
        announcer.announce(Announcement("1023", 3))
        announcer.announce(Announcement("1024", 1))
        announcer.announce(Announcement("1023", 3, recall=True))  # a recall is said again
        assert announcer.wait_idle(20)
    finally:
        announcer.stop()
    labels = [p.label for p in speaker.played]
    assert labels == [
        "chime",
        "call-1023-3",
        "chime",
        "call-1024-1",
        "chime",
        "call-1023-3",
    ]
    for before, after in zip(speaker.played, speaker.played[1:], strict=False):
        assert after.started >= before.started + before.duration - 0.01, (before, after)
    assert [s.outcome for s in announcer.history] == ["spoken"] * 3


@pytest.mark.slow
def test_a_call_arriving_mid_sentence_waits_for_the_end(tmp_path, tone_speech):
    speaker = FileSpeaker(tmp_path / "out", realtime=True)
    announcer = make_announcer(tone_speech, speaker)
    try:
        announcer.announce(Announcement("1023", 3))
        deadline = dt.datetime.now() + dt.timedelta(seconds=5)
        while len(speaker.played) < 2 and dt.datetime.now() < deadline:
            pass  # until the first call's speech has begun
        announcer.announce(Announcement("1031", 2))
        assert announcer.pending == 2
        assert announcer.wait_idle(20)
    finally:
        announcer.stop()
    first_speech, second_chime = speaker.played[1], speaker.played[2]
    assert second_chime.started >= first_speech.started + first_speech.duration - 0.01


def test_quiet_hours_skip_the_sound_only(tmp_path, tone_speech):
    speaker = FileSpeaker(tmp_path / "out")
    night = dt.datetime(2026, 11, 29, 22, 30)
    announcer = make_announcer(
        tone_speech, speaker, quiet_hours=parse_quiet_hours("22:00-06:00"), now=lambda: night
    )
    try:
        announcer.announce(Announcement("1023", 3))
        assert announcer.wait_idle(5)
    finally:
        announcer.stop()
    assert speaker.played == []
    assert [s.outcome for s in announcer.history] == ["quiet"]


def test_quiet_hour_windows():
    overnight = parse_quiet_hours("22:00-06:00")
    assert in_quiet_hours(overnight, dt.datetime(2026, 1, 1, 23, 0))
    assert in_quiet_hours(overnight, dt.datetime(2026, 1, 1, 5, 59))
    assert not in_quiet_hours(overnight, dt.datetime(2026, 1, 1, 6, 0))
    lunch = parse_quiet_hours("11:30-13:00")
    assert in_quiet_hours(lunch, dt.datetime(2026, 1, 1, 12, 0))
    assert not in_quiet_hours(lunch, dt.datetime(2026, 1, 1, 13, 30))
    assert parse_quiet_hours("") is None
    for bad in ("22-06", "22:00", "08:00-08:00", "25:00-06:00"):
        with pytest.raises(ValueError, match="quiet hours"):
            parse_quiet_hours(bad)


def test_a_failing_voice_is_logged_and_the_next_call_still_spoken(tmp_path, tone_speech):
    class Broken:
        def can_say(self, text, language):
            return "1099" in text or "chín" in text

        def say(self, text, language):
            raise VoiceError("voice crashed")

    speaker = FileSpeaker(tmp_path / "out")
    announcer = make_announcer(Speech([Broken(), *tone_speech.voices]), speaker)
    try:
        announcer.announce(Announcement("1099", 1))
        announcer.announce(Announcement("1023", 3))
        assert announcer.wait_idle(10)
    finally:
        announcer.stop()
    assert [s.outcome for s in announcer.history] == ["failed", "spoken"]
    assert "voice crashed" in announcer.history[0].detail
    assert speaker.played[-1].label == "call-1023-3"


def test_chime_starts_before_synthesis_finishes(tmp_path):
    """The chime hides the synthesis time: it starts at once, espeak-ng works meanwhile."""
    speaker = FileSpeaker(tmp_path / "out")
    started = []
    announcer = Announcer(
        Speech([EspeakVoice()]),
        speaker,
        Phrasing(repeat=2, english=True),
        chime(),
        on_start=lambda a: started.append(a),
    )
    announcer.start()
    try:
        announcer.announce(Announcement("1023", 3))
        assert announcer.wait_idle(20)
    finally:
        announcer.stop()
    (spoken,) = announcer.history
    assert spoken.outcome == "spoken" and spoken.synth_s > 0
    assert started == [spoken.announcement]
    assert [p.label for p in speaker.played] == ["chime", "call-1023-3"]
