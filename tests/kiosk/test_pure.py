"""The kiosk's pure parts: keypads, the Vietnamese keyboard, idle rule, texts, catalog, image."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from PIL import Image

from appliance.records import Ticket
from appliance.timefmt import wait_text
from appliance.translations import translator
from kiosk.controllers import lookup, vnkeys
from kiosk.controllers.idle import IdleTimer
from kiosk.format import age_text
from kiosk.settings import KioskSettings
from kiosk.ticket_image import qr_image, render_ticket
from motcua.config import ConfigError, load

TICKET = Ticket.from_wire(
    {
        "id": 7,
        "number": "B012",
        "service": "B",
        "state": "waiting",
        "service_name_vi": "B – Hộ tịch, chứng thực",
        "service_name_en": "B – Civil status and certification",
        "priority": False,
        "issued_at": "2026-11-29T08:15:02+07:00",
        "ahead": 4,
        "estimated_wait_s": 540,
        "status_url": "http://hub.local:8080/t/abcdefghijklmnop",
    }
)


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


@pytest.mark.parametrize("dots", [384, 576])
def test_ticket_image_fits_the_paper_and_carries_the_qr(dots):
    t = translator("kiosk")
    image = render_ticket(TICKET, "UBND huyện Chư Păh", t, dots)
    assert image.width == dots
    assert 500 < image.height < 1400  # a ticket, not a scroll
    qr = qr_image(TICKET.status_url, max(3, round(6 * dots / 576)))
    # The QR code is pasted whole, centred: find it row by row in the ticket.
    left = (dots - qr.width) // 2
    pixels, wanted = image.load(), qr.load()
    tops = [
        y
        for y in range(image.height - qr.height)
        if all(pixels[left + x, y] == wanted[x, 0] for x in range(qr.width))
    ]
    assert any(
        all(
            pixels[left + x, top + y] == wanted[x, y]
            for y in range(0, qr.height, 3)
            for x in range(0, qr.width, 3)
        )
        for top in tops
    )


def test_ticket_number_shrinks_rather_than_overflows():
    t = translator("kiosk")
    image = render_ticket(dataclasses.replace(TICKET, number="1234567"), "UBND", t, 384)
    band = image.crop((0, 0, 4, image.height))  # the leftmost dots stay paper-white
    assert band.getextrema() == (255, 255)
    assert isinstance(image, Image.Image)


def test_kiosk_settings_refuse_a_bad_orientation():
    with pytest.raises(ConfigError, match="orientation"):
        load(KioskSettings, env={}, overrides={"orientation": "diagonal"})
    portrait = load(KioskSettings, env={}, overrides={"orientation": "portrait"})
    assert portrait.window_size() == (800, 1280)
