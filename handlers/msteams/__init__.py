"""Microsoft Teams: the adapter between the Bot Framework's activities and the core."""
