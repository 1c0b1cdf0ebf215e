"""The display's texts read in both languages side by side (tests/motcua/test_catalogs.py checks
that every text it shows has its Vietnamese)."""

from __future__ import annotations

from appliance.translations import translator


def test_both_languages_side_by_side():
    t = translator("queue_display")
    assert t.both("Counter {number}", number=3) == ("Quầy 3", "Counter 3")
    assert t.both("Waiting") == ("Đang chờ", "Waiting")
