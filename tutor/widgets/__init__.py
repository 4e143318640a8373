"""Widgets shared by the app's screens, one module each."""
