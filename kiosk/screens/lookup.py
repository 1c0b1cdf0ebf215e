"""Look up a dossier: a keypad made for dossier codes, or a scan."""

from __future__ import annotations

from typing import Any

from kiosk.screens.base import KioskScreen

# Codes are digits, dots, dashes and a few letters (H for provinces, G for ministries, and the
# letters of some agency segments): digits first, every letter one tap away.
CODE_PAD = [
    ["1", "2", "3", "H", "G"],
    ["4", "5", "6", ".", "-"],
    ["7", "8", "9", "0", "ABC"],
    ["CLEAR", "DEL"],
]
LETTER_PAD = [
    ["A", "B", "C", "D", "E", "F", "G", "H", "I"],
    ["J", "K", "L", "M", "N", "O", "P", "Q", "R"],
    ["S", "T", "U", "V", "W", "X", "Y", "Z", "."],
    ["123", "-", "CLEAR", "DEL"],
]


class LookupScreen(KioskScreen):
    """The code as typed, the keypad, and the Look up button."""

    watches = ("lookup", "services")

    def on_kv_post(self, base_widget: Any) -> None:
        """Wire the keypad to the controller."""
        self.ids.pad.layout = CODE_PAD
        self.ids.pad.bind(on_key=lambda _pad, key: self._key(key))

    def _key(self, key: str) -> None:
        if key in ("ABC", "123"):
            self.ids.pad.layout = LETTER_PAD if key == "ABC" else CODE_PAD
            return
        self.kiosk.lookup.press(key)

    def refresh(self) -> None:
        """Show the code typed so far."""
        code = self.kiosk.lookup.code
        self.ids.code.text = code or self.tr("Type the code on your receipt")
        self.ids.code.color = (0.07, 0.09, 0.15, 1) if code else (0.42, 0.45, 0.5, 1)
        self.ids.submit.disabled = not code.strip() or self.kiosk.services.online is False
        labels = [[self.tr("Delete"), "DEL"], [self.tr("Clear"), "CLEAR"]]
        pad = self.ids.pad
        if pad.key_labels != labels:
            pad.key_labels = labels
            rows, pad.layout = pad.layout, []  # an equal list would not rebuild the keys
            pad.layout = rows
