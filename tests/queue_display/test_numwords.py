"""Vietnamese number words and ticket readings, checked against how people say them."""

from __future__ import annotations

import pytest

from queue_display.speech.numwords import (
    SOUTH,
    digits_words,
    number_words,
    ticket_words,
    ticket_words_en,
)

CASES = {
    0: "không",
    1: "một",
    4: "bốn",
    5: "năm",
    10: "mười",
    11: "mười một",
    14: "mười bốn",
    15: "mười lăm",
    19: "mười chín",
    20: "hai mươi",
    21: "hai mươi mốt",
    24: "hai mươi tư",
    25: "hai mươi lăm",
    31: "ba mươi mốt",
    50: "năm mươi",
    55: "năm mươi lăm",
    99: "chín mươi chín",
    100: "một trăm",
    101: "một trăm linh một",
    104: "một trăm linh bốn",
    105: "một trăm linh năm",
    110: "một trăm mười",
    111: "một trăm mười một",
    115: "một trăm mười lăm",
    121: "một trăm hai mươi mốt",
    205: "hai trăm linh năm",
    999: "chín trăm chín mươi chín",
    1000: "một nghìn",
    1001: "một nghìn không trăm linh một",
    1005: "một nghìn không trăm linh năm",
    1010: "một nghìn không trăm mười",
    1015: "một nghìn không trăm mười lăm",
    1023: "một nghìn không trăm hai mươi ba",
    1100: "một nghìn một trăm",
    1234: "một nghìn hai trăm ba mươi tư",
    2021: "hai nghìn không trăm hai mươi mốt",
    10_000: "mười nghìn",
    15_000: "mười lăm nghìn",
    21_000: "hai mươi mốt nghìn",
    100_005: "một trăm nghìn không trăm linh năm",
    1_000_000: "một triệu",
    1_000_005: "một triệu không trăm linh năm",
    1_005_000: "một triệu không trăm linh năm nghìn",
    2_500_000: "hai triệu năm trăm nghìn",
    1_000_000_000: "một tỷ",
    2_000_000_005: "hai tỷ không trăm linh năm",
    1_000_000_000_000: "một nghìn tỷ",
}


@pytest.mark.parametrize(("n", "words"), CASES.items())
def test_number_words_follow_spoken_vietnamese(n, words):
    assert number_words(n) == words


def test_southern_dialect_says_le_and_ngan():
    assert number_words(105, SOUTH) == "một trăm lẻ năm"
    assert number_words(1023, SOUTH) == "một ngàn không trăm hai mươi ba"


@pytest.mark.parametrize("bad", [-1, 1.5, "12", True, None])
def test_number_words_refuses_what_is_not_a_whole_number(bad):
    with pytest.raises((TypeError, ValueError)):
        number_words(bad)


def test_every_number_up_to_ten_thousand_reads_without_gaps_or_doubles():
    """Sweep: no empty word, mốt/lăm/tư only where they belong, linh only after trăm."""
    for n in range(1, 10_000):
        words = number_words(n).split()
        assert all(words), n
        for i, word in enumerate(words):
            before = words[i - 1] if i else ""
            if word in ("mốt", "tư"):
                assert before == "mươi", (n, words)
            if word == "lăm":
                assert before in ("mươi", "mười"), (n, words)
            if word == "linh":
                assert before == "trăm", (n, words)
        # 5 after linh or alone is "năm", never "lăm"
        if n % 100 == 5:
            assert words[-1] == "năm", n


def test_printed_width_is_kept_for_leading_zeros():
    assert digits_words("012") == "không trăm mười hai"
    assert digits_words("005") == "không trăm linh năm"
    assert digits_words("100") == "một trăm"
    assert digits_words("000") == "không"
    assert digits_words("1023") == "một nghìn không trăm hai mươi ba"


def test_ticket_readings():
    assert ticket_words("1023") == "một nghìn không trăm hai mươi ba"
    assert ticket_words("A012") == "a, không trăm mười hai"
    assert ticket_words("b105") == "bê, một trăm linh năm"
    assert ticket_words("C001") == "xê, không trăm linh một"
    assert ticket_words("Đ021") == "đê, không trăm hai mươi mốt"


@pytest.mark.parametrize("bad", ["", "A", "A12B", "12-3", "A１２"])
def test_ticket_words_refuse_malformed_numbers_with_a_message(bad):
    with pytest.raises(ValueError, match="ticket number"):
        ticket_words(bad)


def test_english_reading():
    assert ticket_words_en("1023") == "1023"
    assert ticket_words_en("A012") == "A, zero one two"
    assert ticket_words_en("0042") == "zero zero four two"
