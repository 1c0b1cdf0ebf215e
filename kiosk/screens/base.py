"""What every kiosk screen has: the header bar, the offline banner, a refresh on each change."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.core.image import Image as CoreImage
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import ColorProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.screenmanager import Screen

SMALLEST_PX = 24  # no text on the kiosk is smaller (at scale 1; it grows with the screen)


def load_kv(module_file: str) -> None:
    """Load the ``.kv`` beside ``module_file`` once."""
    path = str(Path(module_file).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)


class KioskHeader(BoxLayout):
    """Agency name, clock, language switch, and (off the home screen) a Home button."""

    show_home = ObjectProperty(True)


class KioskTile(Button):
    """A big kiosk button: a bold line, a second line beneath (another language, a detail),
    never under :data:`SMALLEST_PX` (the shared BilingualButton's sub-line runs to 13 px).

    Its text is drawn at ``largest`` and shrinks, down to :data:`SMALLEST_PX`, until it fits
    the tile: three tiles side by side on a small screen must not cut "hồ sơ" in half.
    """

    text_vi = StringProperty("")
    text_en = StringProperty("")
    tone = ColorProperty((0.04, 0.37, 0.84, 1))  # background colour when enabled
    largest = NumericProperty(0)  # the font size wanted (0: font_size as given)

    def on_largest(self, _tile: Any, largest: float) -> None:
        """A new wanted size: start from it again."""
        if largest:
            self.font_size = largest

    def on_size(self, _tile: Any, _size: Any) -> None:
        """Resized: the text may fit at a larger size now."""
        if self.largest:
            self.font_size = self.largest

    def on_texture_size(self, _tile: Any, size: Any) -> None:
        """Too tall for the tile: one step smaller (the texture is redrawn, and checked again)."""
        app = App.get_running_app()
        least = dp(SMALLEST_PX) * (app.scale if app is not None else 1.0)
        if self.largest and size[1] > self.height - dp(8) and self.font_size - 2 >= least:
            self.font_size -= 2


class KioskScreen(Screen):
    """A screen bound to the :class:`~kiosk.controllers.kiosk.Kiosk` controller.

    The app calls :meth:`refresh` after every change of state while the screen shows, and once
    when it comes up; subclasses rebuild what they show from the controller there.
    """

    kiosk = ObjectProperty(None, allownone=True)
    # The controllers whose changes this screen shows ("services", "tickets", "lookup",
    # "procedures"); navigation and language changes always refresh it.
    watches: tuple[str, ...] = ()

    def tr(self, msgid: str, **values: Any) -> str:
        """``msgid`` in the kiosk's current language."""
        return self.kiosk.t(msgid, **values)

    def refresh(self) -> None:
        """Show the controller's current state (default: nothing to rebuild)."""

    @staticmethod
    def app() -> Any:
        """The running KioskApp."""
        return App.get_running_app()

    def made(self, kind: str, **values: Any) -> Any:
        """A widget of kv class ``kind`` with ``values`` set after its rules ran (a rule that
        follows app.scale would otherwise undo a font size given to the constructor)."""
        from kivy.factory import Factory

        widget = Factory.get(kind)()
        for name, value in values.items():
            setattr(widget, name, value)
        return widget

    def u(self, size: float) -> float:
        """``size`` density-independent pixels, grown with the screen (see KioskApp.scale)."""
        app = self.app()
        return dp(size) * (app.scale if app is not None else 1.0)


def texture_of(image: Any) -> Any:
    """A Kivy texture of a Pillow image (for QR codes drawn by Pillow)."""
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    buffer.seek(0)
    return CoreImage(buffer, ext="png").texture
