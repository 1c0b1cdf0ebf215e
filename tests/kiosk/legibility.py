"""Measure what a citizen can read on a Kivy window: text sizes and WCAG contrast.

Every visible label with text (buttons are labels) is measured: its font size and the sizes a
markup ``[size=N]`` gives parts of it, and the contrast of its colour (and markup ``[color=…]``)
against what is painted behind it: the nearest rectangles drawn in its own and its ancestors'
``canvas.before`` and the background colour of buttons, composited for transparency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

RGB = tuple[float, float, float]
_SIZE = re.compile(r"\[size=(\d+)")
_COLOR = re.compile(r"\[color=#?([0-9A-Fa-f]{6})")


@dataclass(frozen=True)
class Text:
    """One piece of text as shown."""

    text: str
    size: float
    contrast: float
    cut: bool = False  # taller or wider than the widget that holds it: partly not shown

    def __str__(self) -> str:
        cut = " cut off" if self.cut else ""
        return f"{self.text[:50]!r} {self.size:.1f} px {self.contrast:.2f}:1{cut}"


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance of an sRGB colour with components in 0..1."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def over(colour: Any, behind: RGB) -> RGB:
    """``colour`` (r, g, b, a) painted over ``behind``."""
    r, g, b, a = [*list(colour), 1.0][:4]
    return (r * a + behind[0] * (1 - a), g * a + behind[1] * (1 - a), b * a + behind[2] * (1 - a))


def _paint(widget: Any) -> list[Any]:
    """The colours of the rectangles ``widget`` paints behind its content, in order."""
    from kivy.graphics import Color, Rectangle
    from kivy.uix.button import Button

    found = []
    if getattr(widget, "canvas", None) is not None and widget.canvas.before is not None:
        colour = None
        for instruction in widget.canvas.before.children:
            if isinstance(instruction, Color):
                colour = instruction.rgba
            elif isinstance(instruction, Rectangle) and colour is not None:
                found.append(colour)
    if isinstance(widget, Button) and widget.background_normal == "":
        found.append(widget.background_color)
    return found


def background(widget: Any) -> RGB:
    """The colour behind ``widget``'s text."""
    from kivy.core.window import Window

    chain = []
    node = widget
    while node is not None and node is not Window:
        chain.append(node)
        node = node.parent
    colour: RGB = (1.0, 1.0, 1.0)
    for node in reversed(chain):
        for paint in _paint(node):
            colour = over(paint, colour)
    return colour


def _shown(widget: Any) -> bool:
    from kivy.core.window import Window

    node = widget
    while node is not None and node is not Window:
        if getattr(node, "opacity", 1) <= 0:
            return False
        node = node.parent
    if widget.width < 2 or widget.height < 2:
        return False
    x, y = widget.to_window(*widget.pos)
    return x < Window.width and y < Window.height and x + widget.width > 0 and y + widget.height > 0


def texts(root: Any = None) -> list[Text]:
    """Every piece of text shown under ``root`` (default: the whole window)."""
    from kivy.core.window import Window

    roots = [root] if root is not None else list(Window.children)
    from kivy.uix.label import Label

    found = []
    for top in roots:
        for widget in top.walk(restrict=False):
            if not isinstance(widget, Label) or not str(widget.text).strip():
                continue
            if not _shown(widget):
                continue
            behind = background(widget)
            colour = widget.disabled_color if widget.disabled else widget.color
            main = contrast(over(colour, behind), behind)
            text = str(widget.text)
            width, height = widget.texture_size
            cut = height > widget.height + 2 or (width > widget.width + 2 and not widget.shorten)
            found.append(Text(text, float(widget.font_size), main, cut))
            if widget.markup:
                for size in _SIZE.findall(text):
                    found.append(Text(text, float(size), main))
                for hexa in _COLOR.findall(text):
                    rgb = tuple(int(hexa[i : i + 2], 16) / 255 for i in (0, 2, 4))
                    found.append(Text(text, float(widget.font_size), contrast(rgb, behind)))
    return found
