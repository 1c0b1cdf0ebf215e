"""An on-screen keypad: rows of big keys that append to a text, with delete and clear.

Layouts are data, so the kiosk's dossier-code pad (digits, letters, '.' and '-'), the counter
panel's number pad and a Vietnamese keyboard share one widget.
"""

from __future__ import annotations

from kivy.metrics import dp
from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button

DIGITS = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["CLEAR", "0", "DEL"]]

DELETE, CLEAR, SPACE = "DEL", "CLEAR", "SPACE"


def apply_key(text: str, key: str, max_length: int = 64) -> str:
    """The text after pressing ``key``: pure, so controllers and tests use it without a window."""
    if key == DELETE:
        return text[:-1]
    if key == CLEAR:
        return ""
    if len(text) >= max_length:
        return text
    if key == SPACE:
        return text + " "
    return text + key


class Keypad(BoxLayout):
    """Rows of keys; ``text`` follows the presses, ``on_key`` fires for each one."""

    layout = ListProperty(DIGITS)
    text = StringProperty("")
    max_length = NumericProperty(64)
    key_labels = ListProperty([["Xóa", DELETE], ["Xóa hết", CLEAR], ["Dấu cách", SPACE]])
    font_size = NumericProperty(dp(30))

    __events__ = ("on_key",)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(orientation="vertical", spacing=dp(6), **kwargs)
        self.bind(layout=lambda *_: self._build())
        self._build()

    def _label(self, key: str) -> str:
        for label, name in self.key_labels:
            if name == key:
                return label
        return key

    def _build(self) -> None:
        self.clear_widgets()
        for row in self.layout:
            line = BoxLayout(spacing=dp(6))
            for key in row:
                button = Button(
                    text=self._label(key),
                    font_size=self.font_size,
                    background_normal="",
                    background_color=(0.88, 0.91, 0.96, 1),
                    color=(0.07, 0.09, 0.15, 1),
                )
                button.key = key
                button.bind(on_release=self._pressed)
                line.add_widget(button)
            self.add_widget(line)

    def _pressed(self, button: Button) -> None:
        self.text = apply_key(self.text, button.key, int(self.max_length))
        self.dispatch("on_key", button.key)

    def on_key(self, key: str) -> None:
        """Fired after each key press (default: nothing)."""
