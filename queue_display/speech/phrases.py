"""The words of an announcement: templates filled with a ticket and counter read aloud."""

from __future__ import annotations

import string
from dataclasses import dataclass

from queue_display.speech.numwords import NORTH, SOUTH, number_words, ticket_words, ticket_words_en

DEFAULT_TEMPLATE_VI = "Mời công dân có số thứ tự {number} đến quầy số {counter}"
DEFAULT_TEMPLATE_EN = "Ticket number {number}, please go to counter {counter}"
PLACEHOLDERS = frozenset({"number", "counter"})


def check_template(template: str) -> str | None:
    """None when ``template`` is usable, else what is wrong with it."""
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        return f"cannot read the template: {exc}"
    unknown = sorted(fields - PLACEHOLDERS)
    if unknown:
        return f"unknown placeholder {{{unknown[0]}}}; use {{number}} and {{counter}}"
    if "number" not in fields:
        return "the template must say {number}"
    return None


@dataclass(frozen=True)
class Phrasing:
    """How calls are worded: the templates, repetition, English, regional number words."""

    template_vi: str = DEFAULT_TEMPLATE_VI
    template_en: str = DEFAULT_TEMPLATE_EN
    repeat: int = 1  # how many times the Vietnamese sentence is said
    english: bool = False
    dialect: str = "north"  # "south": lẻ and ngàn
    reading: str = "number"  # "digits": "A, không, một, hai" rather than "a, không trăm mười hai"

    def segments(self, number: str, counter: int) -> list[tuple[str, str]]:
        """The sentences to speak, in order, as (language, text)."""
        dialect = SOUTH if self.dialect == "south" else NORTH
        vi = self.template_vi.format(
            number=ticket_words(number, dialect, self.reading),
            counter=number_words(counter, dialect),
        )
        parts = [("vi", vi)] * max(1, self.repeat)
        if self.english:
            en = self.template_en.format(number=ticket_words_en(number), counter=counter)
            parts.append(("en", en))
        return parts
