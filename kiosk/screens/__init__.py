"""The kiosk's screens: one module and one .kv each; they show controller state and forward taps."""
