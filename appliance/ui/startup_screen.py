"""The screen an appliance shows until it can start: what it waits for, and the code entry.

:class:`StartupGate` puts :class:`StartupScreen` in the window while the
:class:`~appliance.startup.Startup` is not ready, and swaps in the app's own root, built then,
the moment it is: no restart, the same window. Texts come from the appliance catalog,
Vietnamese with English beneath; the app passes its own title (already translated).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from appliance.hublink import HubClient
from appliance.settings import ApplianceSettings
from appliance.startup import CODE_DIGITS, Message, Stage, Startup, format_code
from appliance.tasks import kivy_tasks
from appliance.translations import translator
from appliance.ui.keypad import Keypad
from appliance.ui.widgets import load_kv as load_kit_kv
from motcua.i18n import N_

log = logging.getLogger(__name__)

_KV = Path(__file__).with_suffix(".kv")
KV_CLASSES = (Keypad,)  # imported so the .kv file can name it

HEADLINES = {
    Stage.WAITING_FOR_HUB: N_("Waiting for the hub at {url}"),
    Stage.NEEDS_ENROLMENT: N_("Type the enrolment code"),
    Stage.ENROLLING: N_("Enrolling with the hub…"),
    Stage.READY: N_("Enrolled"),
}
DETAILS = {
    Stage.WAITING_FOR_HUB: N_("The device goes on by itself as soon as the hub answers."),
    Stage.NEEDS_ENROLMENT: N_(
        "This device is not enrolled yet. Get a one-time code on the hub with this command:"
    ),
    Stage.ENROLLING: N_("The device goes on by itself once the hub accepts the code."),
    Stage.READY: "",
}
TRYING = N_("Asking the hub…")
RETRY_IN = N_("Trying again in {seconds} s")


def kivy_startup(client: HubClient, settings: ApplianceSettings, device_name: str) -> Startup:
    """A :class:`Startup` for ``settings`` whose work and retries run on Kivy's clock."""
    return Startup(
        client,
        settings.token_file,
        tasks=kivy_tasks(1),
        later=lambda delay, fn: Clock.schedule_once(lambda _dt: fn(), delay),
        enroll_code=settings.enroll_code,
        device_name=device_name,
    )


class StartupScreen(BoxLayout):
    """Shows a :class:`Startup`: the hub it waits for, or a keypad to type the enrolment code."""

    title_vi = StringProperty("")
    title_en = StringProperty("")
    headline_vi = StringProperty("")
    headline_en = StringProperty("")
    detail_vi = StringProperty("")
    detail_en = StringProperty("")
    status_vi = StringProperty("")
    status_en = StringProperty("")
    error_vi = StringProperty("")
    error_en = StringProperty("")
    command = StringProperty("")  # the hub's command that makes a code
    code = StringProperty("")  # as shown: 123-4
    can_submit = BooleanProperty(False)
    scale = NumericProperty(1.0)  # how much larger than on a small panel texts are drawn

    def __init__(
        self, startup: Startup, title: tuple[str, str], enrol_command: str, **kwargs: Any
    ) -> None:
        load_kit_kv()
        if str(_KV) not in Builder.files:
            Builder.load_file(str(_KV))
        self.startup = startup
        self.t = translator()
        self.enrol_command = enrol_command
        self._shown: tuple[str, str] | None = None
        super().__init__(**kwargs)
        self.title_vi, self.title_en = title
        self.entry = self.ids.entry
        self.keypad: Keypad = self.ids.keypad
        self.keypad.max_length = CODE_DIGITS
        self.keypad.bind(text=lambda *_: self.refresh())
        self.ids.body.remove_widget(self.entry)  # shown only when a code is wanted
        startup.listen(self.refresh)
        Window.bind(on_key_down=self._key_down, on_textinput=self._text_input)
        self._ticker = Clock.schedule_interval(lambda _dt: self.refresh(), 0.5)  # the countdown
        self.refresh()

    def _both(self, message: Message) -> tuple[str, str]:
        return self.t.both(message.msgid, **message.values)

    def refresh(self) -> None:
        """Show the start-up's current state."""
        s = self.startup
        self.headline_vi, self.headline_en = self._both(
            Message(HEADLINES[s.stage], {"url": s.hub_url})
        )
        detail = DETAILS[s.stage]
        self.detail_vi, self.detail_en = self._both(Message(detail)) if detail else ("", "")
        self.command = self.enrol_command if s.stage is Stage.NEEDS_ENROLMENT else ""
        retry_in = s.retry_in()
        if s.trying:
            self.status_vi, self.status_en = self._both(Message(TRYING))
        elif retry_in is not None:
            status = Message(RETRY_IN, {"seconds": max(1, round(retry_in))})
            self.status_vi, self.status_en = self._both(status)
        else:
            self.status_vi = self.status_en = ""
        self.error_vi, self.error_en = self._both(s.error) if s.error else ("", "")
        wants_code = s.stage in (Stage.NEEDS_ENROLMENT, Stage.ENROLLING)
        if wants_code and self.entry.parent is None:
            self.ids.body.add_widget(self.entry)
        elif not wants_code and self.entry.parent is not None:
            self.ids.body.remove_widget(self.entry)
        self.code = format_code(self.keypad.text)
        self.can_submit = s.stage is Stage.NEEDS_ENROLMENT and len(self.keypad.text) == CODE_DIGITS
        shown = (self.headline_vi, self.error_vi)
        if shown != self._shown:  # journald says what the screen says, for a remote look
            self._shown = shown
            log.info("start-up screen: %s / %s %s", self.headline_vi, self.headline_en,
                     f"— {self.error_vi} / {self.error_en}" if self.error_vi else "")  # fmt: skip

    def submit(self) -> None:
        """Send the typed code (the Enrol button, or Enter on a keyboard)."""
        if self.can_submit:
            self.startup.submit_code(format_code(self.keypad.text))

    def _key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        if self.parent is None or self.entry.parent is None:
            return False
        if key == 8:  # backspace
            self.keypad.text = self.keypad.text[:-1]
            return True
        if key in (13, 271):  # enter, keypad enter
            self.submit()
            return True
        return False

    def _text_input(self, _window: Any, text: str) -> None:
        if self.parent is not None and self.entry.parent is not None and text.isdigit():
            self.keypad.text = (self.keypad.text + text)[:CODE_DIGITS]

    def close(self) -> None:
        """Stop the countdown and forget the keyboard."""
        self._ticker.cancel()
        Window.unbind(on_key_down=self._key_down, on_textinput=self._text_input)


class StartupGate:
    """The start-up screen in the app's window until ``startup`` is ready, then the app itself.

    ``build`` makes the app's own root; it runs once, when the device has its token (at once
    when one is stored). Without a ``startup`` (tests that hand the app a token) it runs at once.
    """

    def __init__(
        self,
        app: App,
        startup: Startup | None,
        build: Callable[[], Widget],
        *,
        title: tuple[str, str] = ("", ""),
        enrol_command: str = "",
    ) -> None:
        self.app = app
        self.startup = startup
        self._build = build
        self._title = title
        self._enrol_command = enrol_command
        self.screen: StartupScreen | None = None
        self.built = False

    def root(self) -> Widget:
        """What the window shows first: the app, or the start-up screen."""
        startup = self.startup
        if startup is None:
            return self._build_app()
        startup.start()
        if startup.ready:
            return self._build_app()
        self.screen = StartupScreen(startup, self._title, self._enrol_command)
        startup.listen(self._changed)
        return self.screen

    def _build_app(self) -> Widget:
        self.built = True
        return self._build()

    def _changed(self) -> None:
        if self.built or self.startup is None or not self.startup.ready:
            return
        screen = self.screen
        if screen is not None:
            screen.close()
            Window.remove_widget(screen)
        root = self._build_app()
        self.app.root = root
        Window.add_widget(root)
        log.info("start-up done: the app goes on")

    def stop(self) -> None:
        """The app is closing: stop trying the hub and close the screen."""
        if self.startup is not None:
            self.startup.stop()
        if self.screen is not None:
            self.screen.close()
