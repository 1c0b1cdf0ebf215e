"""The panel's screens: login, the call panel, the lock screen, the citizen's rating, dialogs."""
