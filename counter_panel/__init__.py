"""The clerk's counter panel (``motcua counter``): an 800×480 touch screen, a keyboard or a serial
keypad at one counter.

- :mod:`counter_panel.controller` — everything the panel knows and decides, in plain Python, put
  together from parts with one job each:
  - :mod:`counter_panel.live_queue` / :mod:`counter_panel.queue_view` — the queue followed live
    from the shared live view (``appliance.live``): the counter, its current ticket, waiting
    counts, oldest waits, an action's answer shown before the events that echo it;
  - :mod:`counter_panel.sender` — one press at a time, each with an idempotency key, a lost
    answer retried with the same key (:mod:`counter_panel.retry_keys`);
  - :mod:`counter_panel.actions` — what the counter's buttons do;
  - :mod:`counter_panel.clerk_session` — log in, log out, PIN lock when idle (checked offline too);
  - :mod:`counter_panel.rating` — the citizen's rating, on the panel or the second screen;
  - :mod:`counter_panel.undo` — a no-show held a few seconds so that it can be undone.
- :mod:`counter_panel.rules` — which action applies when, and why not.
- :mod:`counter_panel.app` and :mod:`counter_panel.screens` — the Kivy screens (one .kv each).
- :mod:`counter_panel.rating_station` / :mod:`counter_panel.rating_app` — the citizen's rating on
  a second screen (``motcua counter --rating-screen``), when ``rating = "second_screen"``, or
  ``rating = "auto"`` (the default) with ``second_screen = true``.

Settings: :mod:`counter_panel.settings` (``example.toml`` beside it shows them all).
"""
