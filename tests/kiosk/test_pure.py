"""The kiosk's pure parts: keypads, the Vietnamese keyboard, idle rule, texts, catalog
(the printed ticket is tested in test_ticket_print.py)."""

from __future__ import annotations

import unicodedata

import pytest

from appliance.timefmt import wait_text
from appliance.translations import translator
from kiosk.controllers import lookup, vnkeys
from kiosk.controllers.idle import IdleTimer
from kiosk.format import age_text
from kiosk.settings import KioskSettings
from motcua.config import ConfigError, load


def typed(keys: list[str]) -> str:
    text = ""
    for key in keys:
        text = vnkeys.apply_key(text, key)
    return text


def test_vietnamese_keyboard_puts_tones_where_they_belong():
    assert typed([*"câp", "´", "SPACE", *"giây", "´", "SPACE", *"phep", "´"]) == "cấp giấy phép"
    assert typed([*"hoa", "´"]) == "hóa"
    assert typed([*"ngươi", "`"]) == "người"
    assert typed([*"quan", "?"]) == "quản"
    assert typed([*"dung", ".", "~"]) == "dũng"  # a second tone replaces the first
    assert typed([*"xyz", "DEL", "DEL", "DEL", *"đât", "´"]) == "đất"
    assert typed(["´"]) == ""  # a tone with no vowel does nothing
    text = typed([*"cấp", "SPACE", *"hồ", "SPACE", *"sơ"])
    assert text == unicodedata.normalize("NFC", text)


def test_code_keypad_edits_and_caps_length():
    text = ""
    for key in ["H", "2", "1", ".", "DEL", "-", "CLEAR", "1"]:
        text = lookup.press(text, key)
    assert text == "1"
    long = "9" * lookup.MAX_TYPED
    assert lookup.press(long, "1") == long


def test_idle_timer_expires_only_after_the_timeout():
    now = [0.0]
    idle = IdleTimer(30.0, clock=lambda: now[0])
    now[0] = 29.9
    assert not idle.expired()
    idle.touch()
    now[0] = 59.0
    assert not idle.expired()
    now[0] = 60.0
    assert idle.expired()


def test_wait_and_age_texts_in_both_languages():
    t = translator("kiosk")
    assert wait_text(t, 540, "vi") == "9 phút"
    assert wait_text(t, 30, "en") == "under a minute"
    assert age_text(t, 42, "vi") == "vừa xong"
    assert age_text(t, 300, "en") == "5 min ago"
    assert age_text(t, 7200, "vi") == "2 giờ trước"
    assert age_text(t, 86400, "en") == "1 day ago"
    assert age_text(t, 3 * 86400, "en") == "3 days ago"
    assert age_text(t, 86400, "vi") == "1 ngày trước"


def test_kiosk_settings_refuse_a_bad_orientation():
    with pytest.raises(ConfigError, match="orientation"):
        load(KioskSettings, env={}, overrides={"orientation": "diagonal"})
    portrait = load(KioskSettings, env={}, overrides={"orientation": "portrait"})
    assert portrait.window_size() == (800, 1280)
