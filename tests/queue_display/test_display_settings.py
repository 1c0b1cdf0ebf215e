"""Display settings: a bad value stops ``motcua display`` with a message naming the key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from motcua.config import ConfigError, load
from queue_display.settings import DisplaySettings


def test_defaults_are_valid_and_zone_lists_come_from_toml(tmp_path):
    config = tmp_path / "display.toml"
    config.write_text(
        'counters = [1, 2]\nservices = ["A"]\nquiet_hours = "11:30-13:00"\nenglish = true\n',
        encoding="utf-8",
    )
    settings = load(DisplaySettings, path=config, env={})
    assert settings.counters == [1, 2] and settings.services == ["A"]
    assert settings.english and settings.quiet_hours == "11:30-13:00"
    env = load(DisplaySettings, env={"MOTCUA_COUNTERS": "3,4", "MOTCUA_VOLUME": "0.5"})
    assert env.counters == [3, 4] and env.volume == 0.5


@pytest.mark.parametrize(
    ("override", "key", "words"),
    [
        ({"template_vi": "Mời {so} đến quầy {counter}"}, "template_vi", "unknown placeholder"),
        ({"template_en": "Go to counter {counter}"}, "template_en", "must say {number}"),
        ({"volume": 1.5}, "volume", "between 0.0 and 1.0"),
        ({"quiet_hours": "lunch"}, "quiet_hours", "22:00-06:00"),
        ({"speaker": "hdmi"}, "speaker", "'audio' or 'file'"),
        ({"dialect": "central"}, "dialect", "north"),
        ({"repeat": 0}, "repeat", "1, 2 or 3"),
        ({"counters": [0]}, "counters", "1 or more"),
        ({"stale_after_s": 0}, "stale_after_s", "positive"),
        ({"rotation": 45}, "rotation", "0, 90, 180 or 270"),
    ],
)
def test_bad_values_are_refused_naming_the_key(override, key, words):
    with pytest.raises(ConfigError) as caught:
        load(DisplaySettings, env={}, overrides=override)
    assert caught.value.key == key and words in str(caught.value)


def test_clip_pack_folder_must_hold_a_pack(tmp_path):
    with pytest.raises(ConfigError, match="no pack"):
        load(DisplaySettings, env={}, overrides={"clip_pack": str(tmp_path)})


def test_motcua_display_exits_2_with_the_message(tmp_path):
    config = tmp_path / "display.toml"
    config.write_text("volume = 3\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "display", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "volume" in done.stderr and "between 0.0 and 1.0" in done.stderr


@pytest.mark.slow
def test_technicians_test_announcement_says_one_call_without_a_hub(tmp_path):
    env = {
        **os.environ,
        "MOTCUA_AUDIO_DIR": str(tmp_path / "audio"),
        "MOTCUA_ENGLISH": "true",
        "MOTCUA_SPEECH_RATE_WPM": "380",  # the file speaker takes as long as the audio lasts
    }
    env.pop("MOTCUA_CONFIG", None)
    command = [sys.executable, "-m", "motcua.cli", "display", "--speaker", "file"]
    done = subprocess.run(
        [*command, "--test-announcement", "B105:12"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "bê, một trăm linh năm đến quầy số mười hai" in done.stdout
    assert "Ticket number B, one zero five, please go to counter 12" in done.stdout
    assert "spoken" in done.stdout
    names = sorted(p.name for p in (tmp_path / "audio").iterdir())
    assert names == ["0001-chime.wav", "0002-call-B105-12.wav"]
    bad = subprocess.run(
        [*command, "--test-announcement", "B105"], capture_output=True, text=True, timeout=60,
        env=env,
    )  # fmt: skip
    assert bad.returncode == 2 and "NUMBER:COUNTER" in bad.stderr


def test_a_display_reading_digit_by_digit_builds_an_announcer_that_says_so(tmp_path):
    from appliance.devices.speaker import FileSpeaker
    from queue_display.sound import build_announcer

    settings = load(DisplaySettings, env={}, overrides={"reading": "digits"})
    announcer = build_announcer(settings, FileSpeaker(tmp_path, 0.5))
    assert (
        announcer.phrasing.segments("B105", 2)
        == [("vi", "Mời công dân có số thứ tự bê, một, không, năm đến quầy số hai")] * 2
    )  # and said twice, the default
    with pytest.raises(ConfigError, match="reading"):
        load(DisplaySettings, env={}, overrides={"reading": "letters"})
