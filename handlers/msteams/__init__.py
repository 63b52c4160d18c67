"""Microsoft Teams: the adapter over the same core as Slack ("teams" is the managers' teams)."""
