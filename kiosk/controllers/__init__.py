"""The kiosk's logic in plain Python: state and actions the screens bind to (no Kivy here)."""
