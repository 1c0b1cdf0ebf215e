"""The counter panel's Kivy app: screens over one :class:`PanelController`, keys and keypad.

Everything the panel decides lives in the controller; this module picks the screen to show, keeps
it in step with the controller, and turns taps, keyboard shortcuts and serial keypad keys into
the same ``trigger(action)``.
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Keyboard, Window
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from appliance.devices.keypad import make_keypad
from appliance.hublink import HubClient
from appliance.startup import Startup
from appliance.tasks import Tasks
from appliance.translations import translator
from appliance.ui.widgets import load_kv
from counter_panel.controller import BUSY_SHOWN_AFTER_S, PanelController
from counter_panel.settings import CounterSettings

log = logging.getLogger(__name__)

KEY_NAMES = {code: name for name, code in Keyboard.keycodes.items()}
PRETTY_KEYS = {"spacebar": "Space", "enter": "Enter", "escape": "Esc", "backspace": "⌫"}
THANKS_S = 2.5  # how long the citizen sees the thanks after rating
HEARTBEAT_S = 60.0


def pretty_key(name: str) -> str:
    """'f1' -> 'F1', 'spacebar' -> 'Space'."""
    return PRETTY_KEYS.get(name, name.upper())


class CounterPanelApp(App):
    """The clerk's panel at one counter."""

    def __init__(
        self,
        settings: CounterSettings,
        client: HubClient,
        *,
        tasks: Tasks | None = None,
        startup: Startup | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title = "Motcua — Quầy / Counter"
        self.startup = startup  # None: the client already holds the panel's token
        self.settings = settings
        self.client = client
        self.t = translator("counter_panel", settings.language)
        self.shortcuts = settings.shortcuts.mapping()
        self.keypad_keys = settings.keypad.keys.mapping()
        self._tasks = tasks
        self.controller: PanelController | None = None
        self.keypad: Any = None
        self.dialog: Any = None
        self._rating_since: float | None = None

    # -- texts -----------------------------------------------------------------------------

    def vi(self, msgid: str, **values: Any) -> str:
        """Vietnamese text for ``msgid`` (kv rules use it)."""
        return self.t(msgid, "vi", **values)

    def en(self, msgid: str, **values: Any) -> str:
        """English text for ``msgid``."""
        return self.t(msgid, "en", **values)

    def shortcut_label(self, action: str) -> str:
        """The keys bound to ``action`` as shown on its button, e.g. 'F1/Space'."""
        return "/".join(pretty_key(k) for k in self.settings.shortcuts.keys_for(action))

    # -- building --------------------------------------------------------------------------

    def build(self) -> Widget:
        """The start-up screen until the panel has its token, then the panel itself."""
        from appliance.ui.startup_screen import StartupGate

        counter = self.settings.counter
        self.gate = StartupGate(
            self,
            self.startup,
            self.build_panel,
            title=self.t.both("Counter {number}", number=counter),
            enrol_command=f"motcua devices enroll-code --role counter --counter {counter}",
        )
        return self.gate.root()

    def build_panel(self) -> ScreenManager:
        """Screens, controller, keyboard and keypad."""
        load_kv()
        from counter_panel.screens.lock import LockScreen
        from counter_panel.screens.login import LoginScreen
        from counter_panel.screens.panel import PanelScreen
        from counter_panel.screens.rating import RatingScreen

        # Results are handed over "before the next frame" (-1) rather than "next frame" (0):
        # the answer is drawn in the frame it arrives in, a frame sooner for the clerk.
        self.tasks = self._tasks or Tasks(lambda fn: Clock.schedule_once(lambda _dt: fn(), -1))
        self.controller = PanelController(
            self.client,
            self.settings.counter,
            self.tasks,
            rating=self.settings.rating_mode == "panel",  # "second_screen": its process asks
            idle_timeout_s=self.settings.idle_timeout_s,
            later=lambda delay, fn: Clock.schedule_once(lambda _dt: fn(), delay),
        )
        self.controller.subscribe(self.sync)
        self.screens = {
            "login": LoginScreen(name="login", app=self),
            "panel": PanelScreen(name="panel", app=self),
            "lock": LockScreen(name="lock", app=self),
            "rating": RatingScreen(name="rating", app=self),
        }
        self.screens["panel"].build_buttons()
        manager = ScreenManager(transition=NoTransition())
        for screen in self.screens.values():
            manager.add_widget(screen)
        self.manager = manager
        Window.bind(on_key_down=self._on_key_down, on_textinput=self._on_textinput)
        Window.bind(on_touch_down=self._on_touch)
        self._ticker = Clock.schedule_interval(self._tick, 1.0)
        self._heartbeat = Clock.schedule_interval(lambda _dt: self.heartbeat(), HEARTBEAT_S)
        self.controller.start()
        self._start_keypad()
        self._first_beat = Clock.schedule_once(lambda _dt: self.heartbeat(), 3.0)  # keypad open
        self.sync()
        return manager

    def heartbeat(self) -> None:
        """Report to the hub: alive, which clerk, locked or not, the keypad's state."""
        assert self.controller is not None
        if self.keypad is None:
            keypad = "none"
        else:
            connected = getattr(self.keypad, "driver", self.keypad).connected.is_set()
            keypad = "connected" if connected else "not found"
        self.controller.heartbeat({"app": "counter", "keypad": keypad})

    def _start_keypad(self) -> None:
        keypad = self.settings.keypad
        self.keypad = make_keypad(
            keypad.driver,
            lambda key: Clock.schedule_once(lambda _dt: self.keypad_key(key), 0),
            port=keypad.port,
            baudrate=keypad.baudrate,
            line_mode=keypad.line_mode,
        )
        if self.keypad is not None:
            self.keypad.start()

    def on_stop(self) -> None:
        """Stop the stream, the keypad and the workers; forget the window bindings."""
        self.gate.stop()
        if not self.gate.built:
            return  # closed while still starting up: nothing else was started
        Window.unbind(on_key_down=self._on_key_down, on_textinput=self._on_textinput)
        Window.unbind(on_touch_down=self._on_touch)
        self._ticker.cancel()
        self._heartbeat.cancel()
        self._first_beat.cancel()
        if self.dialog is not None:
            self.dialog.dismiss(animation=False)
        if self.keypad is not None:
            self.keypad.stop()
        if self.controller is not None:
            self.controller.stop()
        self.tasks.shutdown()

    # -- keeping the screen in step --------------------------------------------------------

    def wanted_screen(self) -> str:
        """The screen the controller's state calls for."""
        c = self.controller
        assert c is not None
        if c.session is None:
            return "login"
        if c.locked:
            return "lock"
        if c.rating_ticket is not None:
            return "rating"
        if c.rated_at is not None and c.clock() - c.rated_at < THANKS_S:
            return "rating"
        return "panel"

    def sync(self) -> None:
        """Show the right screen with the controller's current state."""
        c = self.controller
        assert c is not None
        wanted = self.wanted_screen()
        if wanted != "panel" and self.dialog is not None:
            self.dialog.dismiss(animation=False)
        if wanted == "rating" and self._rating_since is None:
            self._rating_since = c.clock()
        elif wanted != "rating":
            self._rating_since = None
        if self.manager.current != wanted:
            self.manager.current = wanted
        self.screens[wanted].sync(c)

    def _tick(self, _dt: float) -> None:
        c = self.controller
        assert c is not None
        c.check_idle()
        c.tick()  # a no-show whose time to undo is up goes to the hub
        if (
            c.rating_ticket is not None
            and self._rating_since is not None
            and c.clock() - self._rating_since >= self.settings.rating_timeout_s
        ):
            c.skip_rating()  # the citizen walked away
        self.sync()  # time since called, oldest waits, the thanks going away

    # -- input -----------------------------------------------------------------------------

    def trigger(self, action: str) -> None:
        """One press of ``action``, from a button, a shortcut or the keypad."""
        c = self.controller
        assert c is not None
        c.touch()
        # Calling the next citizen puts a rating on the panel away: the clerk is never held up.
        on_rating = self.manager.current == "rating" and action == "call_next"
        if (self.manager.current != "panel" and not on_rating) or self.dialog is not None:
            return
        if action == "lock":
            c.lock()
        elif action in ("call_number", "transfer"):
            if c.can(action):
                self.open_dialog(action)
            else:
                c.act(action)  # refused: the notice says why
        elif c.act(action):
            # Should the answer be slow, grey the buttons while it is awaited.
            Clock.schedule_once(lambda _dt: self.sync(), BUSY_SHOWN_AFTER_S + 0.01)

    def open_dialog(self, action: str) -> None:
        """The call-a-number or the transfer dialog."""
        from counter_panel.screens.dialogs import CallNumberDialog, TransferDialog, number_pad

        c = self.controller
        assert c is not None
        if action == "call_number":
            prefixes = [s.prefix for s in c.view.services.values()]
            dialog: Any = CallNumberDialog(app=self, layout=number_pad(prefixes))
        else:
            number = c.view.current.number if c.view.current else ""
            dialog = TransferDialog(app=self, ticket_number=number)
            dialog.fill(*c.view.transfer_targets())
        dialog.bind(on_dismiss=lambda *_: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open(animation=False)

    def keypad_key(self, key: str) -> None:
        """A key from the serial keypad."""
        action = self.keypad_keys.get(key)
        if action is not None:
            self.trigger(action)

    def _on_touch(self, _window: Any, _touch: Any) -> bool:
        if self.controller is not None:
            self.controller.touch()
        return False

    def _on_key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        c = self.controller
        if c is None:
            return False
        c.touch()
        name = KEY_NAMES.get(key, "")
        dialog = self.dialog
        if dialog is not None:
            if name == "escape":
                dialog.dismiss(animation=False)
                return True
            if name in ("enter", "numpadenter") and hasattr(dialog, "submit"):
                dialog.submit()
                return True
            if name == "backspace" and hasattr(dialog, "key"):
                dialog.key("DEL")
                return True
            return False
        if name == "escape" and self.manager.current == "panel" and c.no_show.pending:
            c.undo()
            return True
        action = self.shortcuts.get(name)
        if action is None or (self.manager.current != "panel" and action != "call_next"):
            return False
        self.trigger(action)
        return True

    def _on_textinput(self, _window: Any, text: str) -> None:
        if self.dialog is not None and hasattr(self.dialog, "typed"):
            self.dialog.typed(text)
