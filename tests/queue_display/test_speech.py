"""Audio, voices and the speaker: what the room hears is real sound of a plausible length."""

from __future__ import annotations

import subprocess

import pytest
from display_support import make_espeak_pack, make_tone_pack, voiced_fraction, wav_file

from appliance.devices.speaker import FileSpeaker, SpeakerError, open_speaker, scale_volume
from queue_display.speech.audio import AudioError, chime, join, read_wav, resample, rms, to_wav
from queue_display.speech.phrases import Phrasing, check_template
from queue_display.speech.voices import ClipPack, EspeakVoice, Speech, VoiceError

CALL_1023 = "Mời công dân có số thứ tự một nghìn không trăm hai mươi ba đến quầy số ba"


def test_phrasing_fills_the_template_with_vietnamese_words():
    phrasing = Phrasing()
    assert phrasing.segments("1023", 3) == [("vi", CALL_1023)]
    both = Phrasing(repeat=2, english=True).segments("A012", 12)
    assert both == [
        ("vi", "Mời công dân có số thứ tự a, không trăm mười hai đến quầy số mười hai"),
        ("vi", "Mời công dân có số thứ tự a, không trăm mười hai đến quầy số mười hai"),
        ("en", "Ticket number A, zero one two, please go to counter 12"),
    ]
    south = Phrasing(dialect="south").segments("1005", 1)
    assert south[0][1].endswith("một ngàn không trăm lẻ năm đến quầy số một")


def test_template_check_names_the_problem():
    assert check_template("Mời số {number} đến quầy {counter}") is None
    assert "unknown placeholder {quay}" in check_template("Mời số {number} đến {quay}")
    assert "must say {number}" in check_template("Mời đến quầy {counter}")
    assert "cannot read" in check_template("Mời số {number")


def test_espeak_says_a_call_in_vietnamese_non_silent_and_of_plausible_length():
    pcm = Speech([EspeakVoice()]).say([("vi", CALL_1023)])
    # 18 syllables at ~145 words a minute: three to eight seconds, mostly sound.
    assert 3.0 < pcm.duration < 8.0, pcm.duration
    assert rms(pcm) > 1000
    assert voiced_fraction(pcm) > 0.5
    # The sox measurement agrees that it is not silence.
    wav = to_wav(pcm)
    stats = subprocess.run(
        ["sox", "-t", "wav", "-", "-n", "stat"], input=wav, capture_output=True, check=True
    ).stderr.decode()
    rms_line = next(line for line in stats.splitlines() if line.startswith("RMS     amplitude"))
    assert float(rms_line.split(":")[1]) > 0.02


def test_repeat_and_english_make_the_clip_longer():
    speech = Speech([EspeakVoice()])
    once = speech.say(Phrasing().segments("1023", 3))
    full = speech.say(Phrasing(repeat=2, english=True).segments("1023", 3))
    assert full.duration > 2 * once.duration + 1.0


def test_clip_pack_joins_recordings_and_covers_only_what_it_has(tmp_path):
    pack = ClipPack(make_espeak_pack(tmp_path / "pack"))
    sentence = "Mời công dân có số thứ tự một nghìn không trăm hai mươi ba đến quầy số ba"
    assert pack.can_say(sentence, "vi")
    assert not pack.can_say(sentence + " ngay", "vi")
    assert pack.missing("mời ông sáu") == ["mời", "ông", "sáu"]
    assert not pack.can_say(sentence, "en")
    pcm = pack.say(sentence, "vi")
    assert 2.0 < pcm.duration < 12.0
    assert voiced_fraction(pcm) > 0.4


def test_speech_uses_the_pack_when_it_can_and_espeak_otherwise(tmp_path):
    pack = ClipPack(make_tone_pack(tmp_path / "tones"))
    speech = Speech([pack, EspeakVoice()])
    covered = speech.say(Phrasing().segments("1023", 3))
    # 10 tone clips of 0.08 s, each followed by a 0.04 s gap: the pack spoke.
    assert covered.rate == 16000
    assert covered.duration == pytest.approx(10 * (0.08 + 0.04), abs=0.01)
    # "sáu" (6) is not in the pack: the whole sentence goes to espeak-ng (22.05 kHz).
    fallback = speech.say(Phrasing().segments("1026", 3))
    assert fallback.rate == 22050


def test_broken_clip_packs_are_refused_with_the_reason(tmp_path):
    with pytest.raises(VoiceError, match=r"no pack\.toml"):
        ClipPack(tmp_path)
    (tmp_path / "pack.toml").write_text('[clips]\n"một" = "mot.wav"\n', encoding="utf-8")
    with pytest.raises(VoiceError, match=r"mot\.wav .* is missing"):
        ClipPack(tmp_path)
    (tmp_path / "mot.wav").write_bytes(b"not a wav")
    with pytest.raises(VoiceError, match="not a readable WAV"):
        ClipPack(tmp_path)


def test_audio_helpers_keep_length_and_refuse_garbage():
    tone = chime(22050)
    assert 1.2 < tone.duration < 1.5 and rms(tone) > 1000
    half = resample(tone, 11025)
    assert half.duration == pytest.approx(tone.duration, abs=0.01)
    assert join([tone, half]).duration == pytest.approx(2 * tone.duration, abs=0.01)
    assert read_wav(to_wav(tone)).samples == tone.samples
    with pytest.raises(AudioError):
        read_wav(b"RIFF....")


def test_file_speaker_writes_what_it_plays_at_the_set_volume(tmp_path):
    speaker = FileSpeaker(tmp_path / "out", volume=0.5)
    wav = to_wav(chime(22050))
    speaker.play(wav, "chime")
    (played,) = speaker.played
    assert played.path.name == "0001-chime.wav"
    assert rms(wav_file(played.path)) == pytest.approx(rms(read_wav(wav)) / 2, rel=0.01)
    assert played.duration == pytest.approx(1.35, abs=0.01)


def test_volume_and_speaker_choice_are_checked():
    with pytest.raises(ValueError, match="volume"):
        scale_volume(to_wav(chime()), 1.5)
    with pytest.raises(SpeakerError, match="speaker must be"):
        open_speaker("hdmi", 1.0, None)


def test_command_speaker_plays_through_sox_to_a_null_device(tmp_path):
    """The real driver's plumbing: the WAV goes to a player process that reads it to the end."""
    from appliance.devices.speaker import CommandSpeaker

    out = tmp_path / "heard.wav"
    speaker = CommandSpeaker(["sox", "-q", "-t", "wav", "-", str(out)], volume=1.0)
    speaker.play(to_wav(chime(22050)), "chime")
    assert wav_file(out).duration == pytest.approx(1.35, abs=0.01)
    with pytest.raises(SpeakerError, match="not found"):
        CommandSpeaker(["no-such-player-here"])


def test_file_speaker_keeps_only_the_latest_clips(tmp_path):
    speaker = FileSpeaker(tmp_path / "out", keep=3)
    wav = to_wav(chime(8000, note_s=0.01))
    for i in range(5):
        speaker.play(wav, f"clip{i}")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["0003-clip2.wav", "0004-clip3.wav", "0005-clip4.wav"]
    assert [p.label for p in speaker.played] == ["clip2", "clip3", "clip4"]


def test_the_office_may_have_numbers_read_digit_by_digit():
    from queue_display.settings import DisplaySettings
    from queue_display.speech.numwords import ticket_words

    assert ticket_words("A012", reading="digits") == "a, không, một, hai"
    assert ticket_words("1023", reading="digits") == "một, không, hai, ba"
    digits = Phrasing(reading="digits").segments("A012", 3)
    assert digits == [("vi", "Mời công dân có số thứ tự a, không, một, hai đến quầy số ba")]
    with pytest.raises(ValueError, match="reading must be one of number, digits"):
        ticket_words("A012", reading="spelled")
    settings = DisplaySettings()
    assert settings.repeat == 2 and settings.reading == "number"  # said twice by default
