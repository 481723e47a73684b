"""Home, settings, health and the installable-app shell."""
