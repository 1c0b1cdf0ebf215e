"""The display's Kivy screens; each ``.kv`` sits beside its ``.py``."""
