"""The Microsoft Teams adapter: Bot Framework auth, the Bot Connector client, cards."""
