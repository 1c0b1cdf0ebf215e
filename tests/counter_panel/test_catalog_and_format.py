"""The rating scale reads as the national one; durations read as a clerk expects."""

from __future__ import annotations

from appliance.translations import translator
from counter_panel.format import clock_text, wait_text
from counter_panel.queue_view import OldestWait


def test_rating_levels_read_as_the_national_scale():
    t = translator("counter_panel")
    from_best = ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied"]
    assert [t(m) for m in from_best] == [
        "Rất hài lòng",
        "Hài lòng",
        "Bình thường",
        "Không hài lòng",
        "Rất không hài lòng",
    ]


def test_clock_and_wait_texts():
    t = translator("counter_panel")
    assert clock_text(None) == ""
    assert clock_text(75.9) == "1:15"
    assert clock_text(3725) == "1:02:05"
    assert wait_text(t, None, "vi") == "–"
    assert wait_text(t, OldestWait(30, True), "vi") == "dưới 1 phút"
    assert wait_text(t, OldestWait(12 * 60 + 5, True), "vi") == "12 phút"
    # A lower bound reads as a sentence: never "≥ dưới 1 phút" ("at least under a minute").
    assert wait_text(t, OldestWait(5 * 60, False), "en") == "at least 5 min"
    assert wait_text(t, OldestWait(5 * 60, False), "vi") == "ít nhất 5 phút"
    assert wait_text(t, OldestWait(20, False), "vi") == "chưa rõ"
    assert wait_text(t, OldestWait(20, False), "en") == "not known yet"
