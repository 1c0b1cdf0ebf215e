"""Data the screens' kv rules lay out: the credential keys and the rating levels."""

from __future__ import annotations

from motcua.i18n import N_

# Usernames and PINs: digits first (most PINs are numbers), then lower-case letters.
CREDENTIAL_KEYS = [
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"],
    ["q", "w", "e", "r", "t", "y", "u", "i", "o", "p"],
    ["a", "s", "d", "f", "g", "h", "j", "k", "l", "DEL"],
    ["z", "x", "c", "v", "b", "n", "m", "-", ".", "CLEAR"],
]


# Level (as the hub stores it, 1 best … 5 worst) -> msgid and colour.
LEVELS = [
    (1, N_("Very satisfied"), (0.106, 0.498, 0.231, 1)),
    (2, N_("Satisfied"), (0.3, 0.62, 0.25, 1)),
    (3, N_("Neutral"), (0.45, 0.48, 0.52, 1)),
    (4, N_("Dissatisfied"), (0.8, 0.45, 0.1, 1)),
    (5, N_("Very dissatisfied"), (0.725, 0.11, 0.11, 1)),
]
