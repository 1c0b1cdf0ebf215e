"""The clerk's counter panel (``motcua counter``): an 800×480 touch screen, a keyboard or a serial
keypad at one counter.

- :mod:`counter_panel.controller` — everything the panel knows and decides, in plain Python: the
  actions (one idempotency key per press, a second press refused while the first is on its way,
  a lost answer retried with the same key), the hub's state followed from its event stream.
- :mod:`counter_panel.clerk_session` — log in, log out, PIN lock when idle (checked offline too).
- :mod:`counter_panel.rules` — which action applies when, and why not.
- :mod:`counter_panel.queue_view` — the counter, its current ticket, waiting counts, oldest waits.
- :mod:`counter_panel.app` and :mod:`counter_panel.screens` — the Kivy screens (one .kv each).
- :mod:`counter_panel.rating_station` / :mod:`counter_panel.rating_app` — the citizen's rating on
  a second screen (``motcua counter --rating-screen``), when ``rating = "second_screen"``.

Settings: :mod:`counter_panel.settings` (``example.toml`` beside it shows them all).
"""
