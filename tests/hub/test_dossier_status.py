"""What a citizen reads about their dossier: status words, timeliness, next step, masked name."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.dossiers.status import (
    NEXT_STEPS,
    STATUS_WORDS,
    mask_name,
    next_step,
    status_words,
    timeliness,
)

ZONE = dt.timezone(dt.timedelta(hours=7))
DUE = dt.datetime(2026, 11, 20, 17, 0, tzinfo=ZONE)


def test_every_portal_status_has_words_and_a_next_step_in_both_languages() -> None:
    assert sorted(STATUS_WORDS) == list(range(1, 11)) == sorted(NEXT_STEPS)
    for number in range(1, 11):
        vi, en = status_words(number)
        assert vi and en and vi != en
        assert all(next_step(number))
    assert status_words(4) == ("Đang xử lý", "Being processed")
    assert status_words(10) == ("Đã trả kết quả", "Result returned")


@pytest.mark.parametrize(
    ("status", "words"),
    [(5, "bổ sung"), (6, "phí"), (9, "giấy tiếp nhận và giấy tờ tùy thân"), (10, "đã được trả")],
)
def test_next_step_says_what_to_do(status: int, words: str) -> None:
    assert words in next_step(status)[0]


def test_unknown_status_gets_neutral_words() -> None:
    assert status_words(42)[1] == "Unknown status"
    assert "counter" in next_step(42)[1]


@pytest.mark.parametrize(
    ("status", "finished", "now", "expected"),
    [
        (9, dt.datetime(2026, 11, 18, 10, tzinfo=ZONE), DUE, "early"),
        (9, dt.datetime(2026, 11, 20, 9, tzinfo=ZONE), DUE, "on_time"),
        (10, dt.datetime(2026, 11, 23, 9, tzinfo=ZONE), DUE, "overdue"),
        (4, None, DUE - dt.timedelta(days=2), "on_time"),
        (4, None, DUE + dt.timedelta(minutes=1), "overdue"),
        (5, None, DUE + dt.timedelta(days=3), "overdue"),
        (3, None, DUE + dt.timedelta(days=3), None),  # not accepted: no deadline applies
        (7, None, DUE + dt.timedelta(days=3), None),
    ],
)
def test_timeliness(status: int, finished, now, expected) -> None:
    assert timeliness(status, DUE, finished, now) == expected


def test_timeliness_compares_days_in_the_due_dates_zone() -> None:
    # 23:30 UTC on the 19th is 06:30 on the 20th in Vietnam: the due day, so on time.
    finished = dt.datetime(2026, 11, 19, 23, 30, tzinfo=dt.UTC)
    assert timeliness(9, DUE, finished, DUE) == "on_time"


def test_no_due_date_no_timeliness() -> None:
    assert timeliness(4, None, None, DUE) is None


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Văn An", "Nguyễn V** A*"),
        ("  Trần   Thị  Thu   Hương ", "Trần T** T** H****"),
        ("Rơ Châm H'Hen", "Rơ C*** H****"),
        ("An", "A*"),
        ("", None),
        (None, None),
    ],
)
def test_names_are_masked(name: str | None, masked: str | None) -> None:
    assert mask_name(name) == masked


def test_masking_keeps_vietnamese_letters_whole() -> None:
    decomposed = "Nguye\u0302\u0303n Đức"  # NFD input as some back ends send it
    assert mask_name(decomposed) == "Nguyễn Đ**"
