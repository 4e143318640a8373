"""The app's screens, one module each; imported lazily so start-up stays light."""
