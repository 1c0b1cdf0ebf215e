"""The Kivy UI kit the appliance apps share: start-up, theme, widgets, keypad, test harness.

Import :mod:`appliance.ui.boot` and call ``configure()`` before anything imports Kivy's window.
"""
