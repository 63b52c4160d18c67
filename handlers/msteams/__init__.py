"""Microsoft Teams: the adapter between Teams (the Bot Framework) and Delight's core."""
